import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The staff app's sources (`web/`): Preact pages under `src/`, HTML entries, the member pages in `public/`. */
export const WEB_DIR = new URL('../web/', import.meta.url).pathname.replace(/\/$/, '');

const ROOT = new URL('../', import.meta.url).pathname;

/** The Vite build itself (a child process: synth is synchronous). */
const RUNNER = new URL('./web-vite.mjs', import.meta.url).pathname;

/** Every file under a folder, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * What the build reads: `web/`, the contracts the API client's types come from, the municipality
 * list the legacy page bundles, the locked packages and the build itself. A change to any rebuilds.
 */
function buildInputs(webDir: string): string[] {
  const contracts = filesUnder(join(ROOT, 'functions')).filter((f) => /\/contract[^/]*\.ts$/.test(f));
  const extra = [join(ROOT, 'hubs/municipalities.ts'), join(ROOT, 'package-lock.json'), RUNNER, new URL(import.meta.url).pathname].filter((f) => existsSync(f));
  return [...filesUnder(webDir), ...contracts, ...extra];
}

/** The hash of the build's inputs (paths relative to the project, so it is the same in any checkout). */
export function webSourceHash(webDir: string = WEB_DIR): string {
  const hash = createHash('sha256');
  for (const f of buildInputs(webDir)) hash.update(relative(ROOT, f)).update('\0').update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the app with Vite (Preact) into static files, offline: `index.html` and its hashed
 * `assets/`, `legacy.html` (the previous one-page app, until its last forms move), and the member
 * pages of `web/public/` as they are. The folder is named by the hash of the sources under the temp
 * folder, so the local runtime's start and a synth of the same sources reuse one build. `config.json`
 * is not in it: the local runtime serves it, and on AWS the deployment writes it (infra/constructs/web.ts).
 */
export function buildWebApp(webDir: string = WEB_DIR): string {
  const dir = join(tmpdir(), 'samverkan-web-build', webSourceHash(webDir));
  if (existsSync(join(dir, 'index.html'))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [RUNNER, webDir, staging], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`The staff app did not build (infra/web-vite.mjs):\n${stderr}`);
  }
  // Another process (a parallel test worker, a second synth) may have finished the same build first:
  // its folder is as good as this one, and is left in place for whoever is reading it.
  if (existsSync(join(dir, 'index.html'))) {
    rmSync(staging, { recursive: true, force: true });
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'index.html'))) throw e;
  }
  return dir;
}
