/**
 * Random identifiers, bearer tokens and one-time codes. Only hashes of tokens and codes are
 * stored, so a read of the database does not let anyone act as a session or use a code.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * SHA-256 of UTF-8 text, hex: the same digest as `@latchkey/core/crypto/sha256`, from Node's
 * native implementation, which costs a fraction of the JavaScript one on every request.
 */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** 128 random bits, base64url: for ids the client must not be able to guess. */
export function newRandomId(): string {
  return randomBytes(16).toString('base64url');
}

/** 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return sha256Hex(`latchkey/v1/token\u0000${token}`);
}

/** An emailed one-time code: 8 decimal digits, uniformly random. */
export function newEmailCode(): string {
  return randomInt(0, 100_000_000).toString().padStart(8, '0');
}

/** Codes have few bits, so the hash is salted with the code's random id to defeat precomputation. */
export function hashEmailCode(codeId: string, code: string): string {
  return sha256Hex(`latchkey/v1/email-code\u0000${codeId}\u0000${code}`);
}
