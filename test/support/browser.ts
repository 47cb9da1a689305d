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

/** Launches headless Chromium for a browser test (see `chromiumPath`); `extraArgs` e.g. for a fake camera. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: [...ARGS, ...extraArgs] });
}

/**
 * A Y4M video (what Chromium's fake camera plays, `--use-file-for-fake-video-capture`) of one still
 * frame: a grey picture with the QR code of `text` on white, as a card held up to a camera.
 */
export async function qrVideo(text: string, path: string, width = 640, height = 480): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const { writeFileSync } = await import('node:fs');
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const scale = 8;
  const side = (modules.size + 8) * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const y = Buffer.alloc(width * height, 150);
  for (let row = 0; row < side; row++)
    for (let col = 0; col < side; col++) {
      const mx = Math.floor(col / scale) - 4;
      const my = Math.floor(row / scale) - 4;
      const dark = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx) === 1;
      y[(top + row) * width + left + col] = dark ? 16 : 235;
    }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), y, chroma]));
  return path;
}
