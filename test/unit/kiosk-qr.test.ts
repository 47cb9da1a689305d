/**
 * The kiosk's QR reader (web/src/qr.ts) on a member card's QR code, drawn the way a camera frame
 * arrives (RGBA, grey background, not aligned to the module grid), generated with the `qrcode` package.
 */
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { decodeQr } from '../../web/src/qr.ts';

/** An RGBA frame of `width`×`height` with the QR for `text` drawn at (`left`, `top`), `scale` pixels a module. */
function frame(text: string, { width = 640, height = 480, left = 173, top = 61, scale = 7.5 } = {}): Uint8ClampedArray {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const rgba = new Uint8ClampedArray(width * height * 4).fill(200);
  const quiet = 4 * scale;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const mx = Math.floor((x - left - quiet) / scale);
      const my = Math.floor((y - top - quiet) / scale);
      const inCode = x >= left && y >= top && x < left + modules.size * scale + 2 * quiet && y < top + modules.size * scale + 2 * quiet;
      if (!inCode) continue;
      const dark = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx) === 1;
      const p = (y * width + x) * 4;
      rgba[p] = rgba[p + 1] = rgba[p + 2] = dark ? 25 : 245;
      rgba[p + 3] = 255;
    }
  return rgba;
}

describe('the kiosk reads a member card QR code', () => {
  it('decodes the QR payload from an RGBA frame', () => {
    const payload = `SAMVERKAN:umea:K7M2Q9XA`;
    expect(decodeQr(frame(payload), 640, 480)).toBe(payload);
  });

  it('finds it anywhere in the frame and at another size', () => {
    const payload = 'SAMVERKAN:ostersund:ABCD2345';
    expect(decodeQr(frame(payload, { left: 20, top: 200, scale: 5 }), 640, 480)).toBe(payload);
  });

  it('says nothing when there is no QR code in the picture', () => {
    expect(decodeQr(new Uint8ClampedArray(320 * 240 * 4).fill(128), 320, 240)).toBeUndefined();
  });
});
