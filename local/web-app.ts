import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAppScript } from '../infra/web-build.ts';

/**
 * The staff app's script: `web/app.ts` bundled by esbuild (types stripped; the one value it
 * imports is the municipality list, hubs/municipalities.ts), rebuilt when the source changes.
 * The deployed app is bundled the same way at synth (infra/web-build.ts).
 */
export function webAppScript(webDir: string): () => string {
  const source = join(webDir, 'app.ts');
  let cached: { mtimeMs: number; code: string } | undefined;
  return () => {
    const { mtimeMs } = statSync(source);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, code: bundleAppScript(webDir) };
    return cached.code;
  };
}
