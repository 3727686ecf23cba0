/**
 * Browser pieces of two-step verification (SPEC §2.3): the WebAuthn ceremonies (via
 * @simplewebauthn/browser) the SDK asks for, a security-key proof for changing factors while
 * signed in, the backup codes file, and the authenticator-app QR code.
 *
 * What it protects: the TOTP secret and backup codes come from the server and are only shown,
 * drawn and saved on a click; nothing here sends them anywhere. A security key assertion is
 * bound by the browser to this page's origin, so a look-alike site cannot replay it.
 */
import { startAuthentication, startRegistration, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import QRCode from 'qrcode';
import { ApiClient } from '@latchkey/client/http';
import { LatchkeyError } from '@latchkey/core/errors';
import type { FactorProof } from '@latchkey/client/two-factor';
import type { Latchkey } from './latchkey.ts';

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

/**
 * A proof by a security key for changing factors while signed in (removing a key, turning the
 * authenticator app off): asks the server for a challenge over the signed-in session and has
 * the key sign it. The SDK has no call for this yet, so it uses the SDK's own transport with
 * the session this browser holds. TODO: move into the SDK as `twoFactor.securityKeyProof`.
 */
export async function securityKeyProof(latchkey: Latchkey): Promise<FactorProof> {
  const session = (await latchkey.store.read()).session;
  if (session === undefined || session.server !== latchkey.server) throw new LatchkeyError('not_signed_in', 'Not signed in on this browser.');
  const api = new ApiClient(latchkey.server);
  api.token = session.token;
  const options = await api.request<Record<string, unknown>>('POST', '/api/auth/second-factor/options', {});
  return { securityKey: await authenticationCeremony(options) };
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
