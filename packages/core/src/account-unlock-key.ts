/**
 * Keys derived from OPAQUE's outputs. The Account Unlock Key (AUK) encrypts the keyset's
 * symmetric key; the session token is what the client shows the server on every request
 * after sign-in. Each has its own HKDF context string.
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { hkdfSha256 } from './crypto/hkdf.ts';

const SALT = utf8('latchkey/v1');

/** `exportKey` is OPAQUE's base64url export key; the AUK never leaves the client. */
export function deriveAccountUnlockKey(exportKey: string): Uint8Array {
  return hkdfSha256(fromBase64Url(exportKey), SALT, 'latchkey/v1/account-unlock-key', 32);
}

/** Both sides derive the bearer token from OPAQUE's session key; it is never sent by the server. */
export function deriveSessionToken(sessionKey: string): string {
  return toBase64Url(hkdfSha256(fromBase64Url(sessionKey), SALT, 'latchkey/v1/session-token', 32));
}
