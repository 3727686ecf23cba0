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
import { CODE_ALPHABET, checkCharacter, compactCode, firstForeignCharacter, groupCode, randomCodeCharacters } from './check-character.ts';

export const SECRET_KEY_ALPHABET = CODE_ALPHABET;
export const SECRET_KEY_VERSION = 'L1';
const ACCOUNT_ID_LENGTH = 6;
const SECRET_LENGTH = 26;
const GROUPS = [6, 5, 5, 5, 6] as const; // the 26 secret characters plus the check character

declare const secretKeyBrand: unique symbol;
/** A Secret Key in canonical form (upper case, grouped, check character verified). */
export type SecretKey = string & { readonly [secretKeyBrand]: true };

const randomChars = (count: number): string => randomCodeCharacters(count, randomBytes);

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
  return `${SECRET_KEY_VERSION}-${groupCode(chars, [ACCOUNT_ID_LENGTH, ...GROUPS])}` as SecretKey;
}

/**
 * Parses what a person typed or pasted: case, spaces and dashes do not matter.
 * Throws `secret_key_malformed` (wrong length, version or characters) or `secret_key_typo`
 * (the check character does not match: a character was mistyped).
 */
export function parseSecretKey(input: string): SecretKey {
  const compact = compactCode(input);
  if (!compact.startsWith(SECRET_KEY_VERSION)) {
    throw new LatchkeyError('secret_key_malformed', `A Secret Key starts with "${SECRET_KEY_VERSION}-".`);
  }
  const chars = compact.slice(SECRET_KEY_VERSION.length);
  const expected = ACCOUNT_ID_LENGTH + SECRET_LENGTH + 1;
  if (chars.length !== expected) {
    throw new LatchkeyError('secret_key_malformed', `A Secret Key has ${expected} characters after "${SECRET_KEY_VERSION}-"; this one has ${chars.length}.`);
  }
  const bad = firstForeignCharacter(chars);
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
