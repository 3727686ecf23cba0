/**
 * Reads an authenticator setup QR code from an image file, in the browser: the image is drawn on
 * a canvas and its pixels decoded by jsQR (loaded when first used). Only an `otpauth://totp/…`
 * URI that gives a usable code is accepted; anything else (no QR code, a web link, an
 * `otpauth://hotp` counter code, a malformed secret) is refused with a reason a person can act
 * on. Nothing leaves the browser.
 */
import { parseTotp } from '@latchkey/core/totp-code';
import { LatchkeyError } from '@latchkey/core/errors';

/** Bigger images are scaled down first: decoding stays quick and a photo's QR code still has enough pixels. */
const MAX_SIDE = 2000;

export class TotpQrError extends Error {}

async function pixelsOf(file: Blob): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new TotpQrError('That file is not an image this browser can read. Choose a PNG, JPEG or other picture of the QR code.');
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new TotpQrError('This browser cannot read images here.');
  // A transparent PNG's background reads as black, which hides dark modules: paint white first.
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return context.getImageData(0, 0, width, height);
}

/** The `otpauth://totp/…` URI in the QR code of `file`. @throws TotpQrError saying why it cannot be used. */
export async function readTotpQr(file: Blob): Promise<string> {
  const [image, { default: jsQR }] = await Promise.all([pixelsOf(file), import('jsqr')]);
  const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
  if (found === null) throw new TotpQrError('No QR code found in that image. Choose a sharp picture that shows the whole code.');
  const text = found.data.trim();
  if (/^otpauth:\/\/hotp/i.test(text))
    throw new TotpQrError('That QR code is for counter-based codes (otpauth://hotp); Latchkey shows time-based codes only (otpauth://totp).');
  if (!/^otpauth:\/\/totp\//i.test(text)) throw new TotpQrError('That QR code is not an authenticator setup code: it does not start with otpauth://totp/.');
  try {
    parseTotp(text);
  } catch (e) {
    throw new TotpQrError(e instanceof LatchkeyError ? e.message : 'That setup code is not usable.');
  }
  return text;
}
