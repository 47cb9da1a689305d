import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** No outside lookups: every host but the local runtime resolves to nothing. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];

/** Where a system Chromium is on Debian and Ubuntu. */
const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` when set, else a system Chromium when there
 * is one, else the one shipped inside the npm package `@sparticuz/chromium` (unpacked to the temp
 * folder on first use, 2–4 s), so that `npm test` needs nothing installed beside `npm ci`.
 */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  // `CHROMIUM_PATH=packaged` skips the system one: how the fallback is tried on a machine that has both.
  if (fromEnv && fromEnv !== 'packaged') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const system = fromEnv ? undefined : SYSTEM.find((p) => existsSync(p));
  if (system) return system;
  // Only the binary: the package's own flags are for Lambda, and some would change what the tests check
  // (`--disable-web-security` turns off the same-origin policy; `--single-process` ends the browser with a page).
  const packaged = (await import('@sparticuz/chromium')).default;
  return packaged.executablePath();
}

/** Launches headless Chromium for a browser test (see `chromiumPath`). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: ARGS });
}
