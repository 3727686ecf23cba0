/**
 * Browser pieces of two-step verification (SPEC §2.3): the WebAuthn ceremonies (via
 * @simplewebauthn/browser) the SDK asks for, the backup codes file and printout, and the
 * authenticator-app QR code.
 *
 * What it protects: the TOTP secret and backup codes come from the server and are only shown,
 * drawn and saved on a click; nothing here sends them anywhere. A security key assertion is
 * bound by the browser to this page's origin, so a look-alike site cannot replay it.
 */
import { startAuthentication, startRegistration, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import QRCode from 'qrcode';

export { browserSupportsWebAuthn };

/** Registration ceremony for `client.twoFactor.registerSecurityKey`: the server's options in, the attestation JSON out. */
export async function registrationCeremony(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  return response as unknown as Record<string, unknown>;
}

/** Authentication ceremony (sign-in second factor, or a proof while signed in): options in, assertion JSON out. */
export async function authenticationCeremony(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  return response as unknown as Record<string, unknown>;
}

/** The backup codes as a text file the person saves or prints. */
export function backupCodesText(codes: readonly string[], email: string, server: string, now = new Date()): string {
  return [
    'Latchkey backup codes',
    '',
    `Account: ${email}`,
    `Server:  ${server}`,
    `Created: ${now.toISOString().slice(0, 10)}`,
    '',
    'Each code works once, instead of a code from your authenticator app or your security key.',
    'Creating new backup codes makes all of these stop working.',
    '',
    ...codes.map((code, i) => `${String(i + 1).padStart(2, ' ')}. ${code}`),
    '',
    'Keep this somewhere safe outside Latchkey, e.g. printed with your Emergency Kit.',
    '',
  ].join('\n');
}

/** The codes numbered in two columns, one line per pair (for the printed page). */
export function backupCodesInColumns(codes: readonly string[]): string {
  const half = Math.ceil(codes.length / 2);
  const cell = (i: number) => (codes[i] === undefined ? '' : `${String(i + 1).padStart(2, ' ')}. ${codes[i]}`);
  return Array.from({ length: half }, (_, i) => `${cell(i).padEnd(22, ' ')}${cell(i + half)}`.trimEnd()).join('\n');
}

/** The QR code of an `otpauth://` URI as an SVG path (one unit per module, with a 4-module quiet zone). */
export function qrSvgPath(text: string): { size: number; path: string } {
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

/** The secret in groups of 4 for typing into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
