/**
 * `npm run events:baseline` — freezes the JSON Schema of every catalog event version in
 * `events/baseline/<Type>.v<N>.json`. Existing files are never overwritten: a published version
 * is a contract, and a change needs a new version (test/unit/event-compat.test.ts checks).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogJsonSchemas } from './catalog.ts';

/** The folder of frozen event schemas. */
export const BASELINE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'baseline');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, schema] of Object.entries(catalogJsonSchemas())) {
    const file = join(BASELINE_DIR, `${name}.json`);
    if (existsSync(file)) continue;
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`froze ${name}`);
  }
}
