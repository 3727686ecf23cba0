/**
 * Random identifiers, bearer tokens and one-time codes. Only hashes of tokens and codes are
 * stored, so a read of the database does not let anyone act as a session or use a code.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { sha256Hex } from '@latchkey/core/crypto/sha256';

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
