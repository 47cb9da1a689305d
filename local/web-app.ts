import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

/**
 * The staff app's script: `web/app.ts` with its types stripped by esbuild, rebuilt when the
 * source changes. The app imports only types, so no bundling is needed.
 */
export function webAppScript(webDir: string): () => string {
  const source = join(webDir, 'app.ts');
  let cached: { mtimeMs: number; code: string } | undefined;
  return () => {
    const { mtimeMs } = statSync(source);
    if (cached?.mtimeMs !== mtimeMs) {
      const { code } = transformSync(readFileSync(source, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: 'app.ts' });
      cached = { mtimeMs, code };
    }
    return cached.code;
  };
}
