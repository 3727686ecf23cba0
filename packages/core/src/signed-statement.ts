/**
 * Ed25519 signatures over canonical statements (the `canonicalFields` encoding of §6.2 under a
 * header naming the kind of statement). Every kind of statement has its own
 * `latchkey/v1/signature/<kind>` header, so a signature made for one purpose never verifies as
 * another (docs/protocol.md §7, §22).
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { sign, verify } from './crypto/ed25519.ts';
import { canonicalFields, type Binding } from './associated-data.ts';

const SIGNATURE_LENGTH = 64;

/** The bytes a statement's signature covers. @throws TypeError for a field unsafe in the encoding. */
export function statementBytes(kind: string, fields: Binding): Uint8Array {
  return utf8(canonicalFields(`latchkey/v1/signature/${kind}`, fields));
}

/** base64url Ed25519 signature over the statement. @throws TypeError for a field unsafe in the encoding. */
export function signStatement(kind: string, fields: Binding, signingSecretKey: Uint8Array): string {
  return toBase64Url(sign(signingSecretKey, statementBytes(kind, fields)));
}

/**
 * True only when `signature` is a canonical base64url, 64-byte, RFC 8032-strict signature by
 * `signingPublicKey` over the statement. Never throws: malformed input is simply not a signature.
 */
export function statementSignatureValid(kind: string, fields: Binding, signature: string, signingPublicKey: Uint8Array): boolean {
  try {
    const bytes = fromBase64Url(signature);
    return bytes.length === SIGNATURE_LENGTH && verify(signingPublicKey, statementBytes(kind, fields), bytes);
  } catch {
    return false;
  }
}

/** Decodes a base64url public key of 32 bytes, or returns undefined. */
export function publicKeyBytes(text: string): Uint8Array | undefined {
  try {
    const bytes = fromBase64Url(text);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}
