// Reading a member card's QR code from the kiosk's camera, with ZXing (@zxing/library): a frame's
// pixels in, the QR's text out. Kept free of the DOM so that a unit test can decode a generated image.
import { BinaryBitmap, DecodeHintType, HybridBinarizer, NotFoundException, QRCodeReader, RGBLuminanceSource, ChecksumException, FormatException } from '@zxing/library';

const reader = new QRCodeReader();
const hints = new Map([[DecodeHintType.TRY_HARDER, true]]);

/** The text of the QR code in an RGBA image (a canvas's ImageData), or undefined when none is found. */
export function decodeQr(rgba: Uint8ClampedArray, width: number, height: number): string | undefined {
  const luminance = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; i < luminance.length; i++, p += 4) {
    luminance[i] = ((rgba[p] ?? 0) * 77 + (rgba[p + 1] ?? 0) * 150 + (rgba[p + 2] ?? 0) * 29) >> 8;
  }
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height))), hints).getText();
  } catch (e) {
    if (e instanceof NotFoundException || e instanceof ChecksumException || e instanceof FormatException) return undefined;
    throw e;
  } finally {
    reader.reset();
  }
}

/**
 * Scans the camera's picture for a QR code, a few frames a second, until one is read or `stop()`.
 * The camera is asked for only here (the kiosk page) and released when scanning stops.
 */
export async function scanWithCamera(video: HTMLVideoElement, onText: (text: string) => void): Promise<{ stop: () => void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = () => {
    if (ctx && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const text = decodeQr(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
      if (text) {
        stop();
        onText(text);
        return;
      }
    }
    timer = setTimeout(tick, 200);
  };
  tick();
  return { stop };
}
