/**
 * `npm run studies:check` — validates every study file (and that its hubs exist) and every
 * tabulation spec in `studies/exports/` (docs/research.md, "Exports"); exits 1 naming each bad
 * file and field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HUBS_DIR, loadHubs } from '../../hubs/load.ts';
import { TABLE_OF_DATASET } from '../../functions/research/rows.ts';
import { parseSpec } from '../../functions/research/tabulation.ts';
import { INSTRUMENTS } from '../instruments.ts';
import { STUDIES_DIR, loadStudies } from '../load.ts';
import type { Dataset } from '../schema.ts';

const dir = process.argv[2] ?? STUDIES_DIR;
try {
  const hubs = new Set(loadHubs(process.argv[3] ?? HUBS_DIR).map((h) => h.id));
  const studies = loadStudies(dir, hubs);
  console.log(`studies:check: ${INSTRUMENTS.length} survey instruments valid (${INSTRUMENTS.map((i) => i.id).join(', ')})`);
  console.log(`studies:check: ${studies.length} study files valid (${studies.map((s) => s.id).join(', ')})`);
  // A spec is not tied to one study: checked here against every dataset, and against the study when exported.
  const exportsDir = join(dir, 'exports');
  const specs = existsSync(exportsDir) ? readdirSync(exportsDir).filter((f) => f.endsWith('.json')).sort() : [];
  const problems: string[] = [];
  for (const f of specs) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(exportsDir, f), 'utf8'));
    } catch (e) {
      problems.push(`${join(exportsDir, f)}: not JSON: ${(e as Error).message}`);
      continue;
    }
    const parsed = parseSpec(json, { id: '(every dataset)', datasets: Object.keys(TABLE_OF_DATASET) as Dataset[] });
    if (!parsed.ok) problems.push(`${join(exportsDir, f)}:\n${parsed.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  if (specs.length) console.log(`studies:check: ${specs.length} export specs valid (${specs.join(', ')})`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
