/**
 * The Secret Key: 130 random bits the client generates and never sends, mixed with the
 * account password so that a stolen server database is useless for guessing passwords.
 *
 *   L1-AAAAAA-SSSSSS-SSSSS-SSSSS-SSSSS-SSSSSC
 *   │  │      └ 26 secret characters (5 bits each) ┘└ check character (GF(32) weighted sum)
 *   │  └ account id: 6 non-secret characters naming the account
 *   └ format version
 *
 * The alphabet has no look-alikes (no 0/O, 1/I). The check character catches every single
 * mistyped character and every swap of two adjacent characters before any request is made.
 */
import { randomBytes } from './bytes.ts';
import { sha256Hex } from './crypto/sha256.ts';
import { LatchkeyError } from './errors.ts';

export const SECRET_KEY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const SECRET_KEY_VERSION = 'L1';
const ACCOUNT_ID_LENGTH = 6;
const SECRET_LENGTH = 26;
const GROUPS = [6, 5, 5, 5, 6] as const; // the 26 secret characters plus the check character

declare const secretKeyBrand: unique symbol;
/** A Secret Key in canonical form (upper case, grouped, check character verified). */
export type SecretKey = string & { readonly [secretKeyBrand]: true };

function randomChars(count: number): string {
  // 32 divides 256, so taking each byte mod 32 is unbiased.
  return Array.from(randomBytes(count), (b) => SECRET_KEY_ALPHABET[b % 32]).join('');
}

/**
 * Check character: a weighted sum over GF(32) with a distinct non-zero weight (a power of x,
 * modulo x^5 + x^2 + 1) per position. Every single substitution and every swap of two adjacent
 * characters changes it (Luhn mod 32 would miss swapping the alphabet's first and last).
 */
export function checkCharacter(chars: string): string {
  let sum = 0;
  for (const c of chars) {
    sum ^= SECRET_KEY_ALPHABET.indexOf(c);
    sum = sum & 0x10 ? ((sum << 1) ^ 0b100101) & 0x1f : sum << 1;
  }
  return SECRET_KEY_ALPHABET[sum]!;
}

export function generateAccountId(): string {
  return randomChars(ACCOUNT_ID_LENGTH);
}

export function generateSecretKey(accountId: string = generateAccountId()): SecretKey {
  if (accountId.length !== ACCOUNT_ID_LENGTH || [...accountId].some((c) => !SECRET_KEY_ALPHABET.includes(c))) {
    throw new RangeError('accountId must be 6 characters of the Secret Key alphabet');
  }
  const body = accountId + randomChars(SECRET_LENGTH);
  return format(body + checkCharacter(body));
}

function format(chars: string): SecretKey {
  const account = chars.slice(0, ACCOUNT_ID_LENGTH);
  let rest = chars.slice(ACCOUNT_ID_LENGTH);
  const groups: string[] = [];
  for (const size of GROUPS) {
    groups.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  return [SECRET_KEY_VERSION, account, ...groups].join('-') as SecretKey;
}

/**
 * Parses what a person typed or pasted: case, spaces and dashes do not matter.
 * Throws `secret_key_malformed` (wrong length, version or characters) or `secret_key_typo`
 * (the check character does not match: a character was mistyped).
 */
export function parseSecretKey(input: string): SecretKey {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (!compact.startsWith(SECRET_KEY_VERSION)) {
    throw new LatchkeyError('secret_key_malformed', `A Secret Key starts with "${SECRET_KEY_VERSION}-".`);
  }
  const chars = compact.slice(SECRET_KEY_VERSION.length);
  const expected = ACCOUNT_ID_LENGTH + SECRET_LENGTH + 1;
  if (chars.length !== expected) {
    throw new LatchkeyError('secret_key_malformed', `A Secret Key has ${expected} characters after "${SECRET_KEY_VERSION}-"; this one has ${chars.length}.`);
  }
  const bad = [...chars].find((c) => !SECRET_KEY_ALPHABET.includes(c));
  if (bad !== undefined) {
    const hint = '01OI'.includes(bad) ? ' (Secret Keys never use 0, O, 1 or I)' : '';
    throw new LatchkeyError('secret_key_malformed', `"${bad}" is not a Secret Key character${hint}.`);
  }
  const body = chars.slice(0, -1);
  if (checkCharacter(body) !== chars.slice(-1)) {
    throw new LatchkeyError('secret_key_typo', 'This Secret Key has a typo: check each character against your Emergency Kit.');
  }
  return format(chars);
}

export function accountIdOf(secretKey: SecretKey): string {
  return secretKey.split('-')[1]!;
}

/**
 * A non-secret fingerprint the server stores to tell "wrong Secret Key" from "wrong password".
 * It is a hash of 130 random bits, so it allows no guessing of the key or of the password.
 */
export function secretKeyVerifier(secretKey: SecretKey): string {
  return sha256Hex(`latchkey/v1/secret-key-verifier\u0000${secretKey}`);
}
