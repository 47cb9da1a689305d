import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * The staff app's script: `web/app.ts` bundled by esbuild (types stripped; the one value it
 * imports is the municipality list, hubs/municipalities.ts), rebuilt when the source changes.
 */
export function webAppScript(webDir: string): () => string {
  const source = join(webDir, 'app.ts');
  let cached: { mtimeMs: number; code: string } | undefined;
  return () => {
    const { mtimeMs } = statSync(source);
    if (cached?.mtimeMs !== mtimeMs) {
      const out = buildSync({ stdin: { contents: readFileSync(source, 'utf8'), loader: 'ts', sourcefile: 'app.ts', resolveDir: webDir }, bundle: true, write: false, format: 'esm', target: 'es2022', platform: 'browser' });
      cached = { mtimeMs, code: out.outputFiles[0]?.text ?? '' };
    }
    return cached.code;
  };
}
