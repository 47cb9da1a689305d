import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** The staff app and the member pages (`web/`): what the one origin serves at `/`. */
export const WEB_DIR = new URL('../web/', import.meta.url).pathname.replace(/\/$/, '');

/** What the app's bundle takes from outside `web/` (a change rebuilds it): the municipality list, the locked packages. */
const BUNDLE_INPUTS = ['../hubs/municipalities.ts', '../package-lock.json'].map((p) => new URL(p, import.meta.url).pathname).filter((p) => existsSync(p));

/** `web/app.ts` bundled by esbuild for the browser (types stripped, its imports inlined): the app's `app.js`. */
export function bundleAppScript(webDir: string = WEB_DIR): string {
  const out = buildSync({
    stdin: { contents: readFileSync(join(webDir, 'app.ts'), 'utf8'), loader: 'ts', sourcefile: 'app.ts', resolveDir: webDir },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
  });
  return out.outputFiles[0]?.text ?? '';
}

/** The files of `web/` served as they are: everything but TypeScript sources. */
const served = (webDir: string) => readdirSync(webDir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.ts')).map((e) => e.name).sort();

/**
 * Builds the deployable app into a folder, offline, at synth (the deployment's asset): the
 * files of `web/` as they are, and `app.js` bundled from `app.ts`. The folder is named by the
 * hash of its sources under the temp folder, so a second synth of the same sources reuses it.
 * `config.json` is not in it: the deployment writes it with the stack's values (infra/constructs/web.ts).
 */
export function buildWebApp(webDir: string = WEB_DIR): string {
  const hash = createHash('sha256');
  const sources = readdirSync(webDir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(webDir, e.name)).sort();
  for (const f of [...sources, ...BUNDLE_INPUTS]) hash.update(f).update(readFileSync(f));
  const dir = join(tmpdir(), 'samverkan-web-build', hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'app.js'))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const f of served(webDir)) cpSync(join(webDir, f), join(staging, f));
  writeFileSync(join(staging, 'app.js'), bundleAppScript(webDir));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}
