/**
 * One-time backup codes (NIST SP 800-63B "look-up secrets"): 10 codes of 12 characters from the
 * 32-character code alphabet (60 bits each). Codes under 112 bits must be stored salted and
 * hashed with a password-hashing scheme, so they are hashed with scrypt (N = 2^14, r = 8, p = 1)
 * under a per-user random salt; one hash per attempt, then an exact match among the user's
 * unused codes. Attempts are rate limited and counted (see two-step.ts).
 */
import { randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { CODE_ALPHABET, compactCode, randomCodeCharacters } from '@latchkey/core/check-character';
import type { Tx } from '../context.ts';
import * as codes from '../repositories/backup-codes.ts';
import { newRandomId } from '../security/tokens.ts';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: string,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export const BACKUP_CODE_COUNT = 10;
export const BACKUP_CODE_LENGTH = 12;
export const REGENERATE_WHEN_AT_MOST = 3;
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashBackupCode(code: string, salt: string): Promise<string> {
  return (await scryptAsync(`latchkey/v1/backup-code\u0000${compactCode(code)}`, salt, 32, SCRYPT)).toString('hex');
}

const format = (chars: string) => `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;

/** Replaces every backup code of the user with 10 new ones, returned once in plaintext. */
export async function issueBackupCodes(db: Tx, userId: string, now: Date): Promise<string[]> {
  const salt = randomBytes(16).toString('base64url');
  const plain = Array.from({ length: BACKUP_CODE_COUNT }, () => format(randomCodeCharacters(BACKUP_CODE_LENGTH, (n) => new Uint8Array(randomBytes(n)))));
  const hashes = await Promise.all(plain.map(async (code) => ({ id: newRandomId(), hash: await hashBackupCode(code, salt) })));
  await codes.replaceBackupCodes(db, userId, salt, hashes, now);
  return plain;
}

/**
 * The hash `code` would be stored under for this user, to consume it with
 * `consumeBackupCode` (true exactly once per unused code, even under concurrent use); undefined
 * when it cannot be one (malformed, or the user has no codes). Computed outside any transaction:
 * scrypt takes tens of milliseconds, and a transaction holding SQLite's write lock that long
 * would stall every other write.
 */
export async function backupCodeAttemptHash(db: Tx, userId: string, code: string): Promise<string | undefined> {
  const compact = compactCode(code);
  if (compact.length !== BACKUP_CODE_LENGTH || [...compact].some((c) => !CODE_ALPHABET.includes(c))) return undefined;
  const salt = await codes.backupCodeSalt(db, userId);
  if (salt === null) return undefined;
  return hashBackupCode(compact, salt);
}
