/**
 * A QR code drawn as one SVG path (one unit per module, with the 4-module quiet zone), for the
 * authenticator app's `otpauth://` URI. The QR encoder is loaded on first use, not with the app.
 */

export interface DrawnQrCode {
  readonly size: number;
  readonly path: string;
}

/** The QR code of `text` at error-correction level M, as an SVG path. */
export async function drawQrCode(text: string): Promise<DrawnQrCode> {
  const { default: QRCode } = await import('qrcode');
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  let path = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (qr.modules.get(y, x)) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }
  }
  return { size: n + 2 * quiet, path };
}

export function QrCode({ qr, label }: { qr: DrawnQrCode; label: string }) {
  return (
    <svg className="qr" viewBox={`0 0 ${qr.size} ${qr.size}`} role="img" aria-label={label} shapeRendering="crispEdges" data-testid="totp-qr">
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={qr.path} fill="#000" />
    </svg>
  );
}
