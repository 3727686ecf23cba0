/**
 * The credential bundle of a passkey account (docs/protocol.md §24.8): the account id and a
 * random 256-bit account secret, from which the OPAQUE password and a Secret Key are derived.
 * Everything past the OPAQUE input (sign-in, AUK, keysets, recovery codes) is then the password
 * account's code, unchanged.
 *
 * Protects against: a bundle from another format or version being read as this one, and a
 * derived password or Secret Key that is weaker than the account secret (each is a separate
 * HKDF output; the password alone carries 256 bits, the Secret Key 130).
 */
import { checkCharacter, CODE_ALPHABET, randomCodeCharacters } from './check-character.ts';
import { concatBytes, fromUtf8, randomBytes, toBase64Url, utf8 } from './bytes.ts';
import { hkdfSha256 } from './crypto/hkdf.ts';
import { LatchkeyError } from './errors.ts';
import { parseSecretKey, type SecretKey } from './secret-key.ts';

const MAGIC = utf8('LKB1');
const ACCOUNT_ID_LENGTH = 6;
export const ACCOUNT_SECRET_LENGTH = 32;
export const CREDENTIAL_BUNDLE_LENGTH = MAGIC.length + ACCOUNT_ID_LENGTH + ACCOUNT_SECRET_LENGTH;
const SALT = utf8('latchkey/v1');

export interface PasskeyCredentials {
  readonly accountId: string;
  /** 32 bytes; the caller wipes it. */
  readonly accountSecret: Uint8Array;
}

const isAccountId = (id: string) => id.length === ACCOUNT_ID_LENGTH && [...id].every((c) => CODE_ALPHABET.includes(c));

/** A new account's credentials: a random account id (§2) and account secret. */
export function generatePasskeyCredentials(): PasskeyCredentials {
  return { accountId: randomCodeCharacters(ACCOUNT_ID_LENGTH, randomBytes), accountSecret: randomBytes(ACCOUNT_SECRET_LENGTH) };
}

/** `"LKB1" ‖ accountId ‖ accountSecret` (42 bytes). */
export function encodeCredentialBundle(credentials: PasskeyCredentials): Uint8Array {
  if (!isAccountId(credentials.accountId)) throw new RangeError('accountId must be 6 characters of the Secret Key alphabet');
  if (credentials.accountSecret.length !== ACCOUNT_SECRET_LENGTH) throw new RangeError('the account secret is 32 bytes');
  return concatBytes(MAGIC, utf8(credentials.accountId), credentials.accountSecret);
}

/** @throws LatchkeyError `invalid_credential_bundle` for anything but a version-1 bundle. */
export function decodeCredentialBundle(bundle: Uint8Array): PasskeyCredentials {
  const invalid = () => new LatchkeyError('invalid_credential_bundle', 'The credential bundle is not one this version of Latchkey can read.');
  if (bundle.length !== CREDENTIAL_BUNDLE_LENGTH || MAGIC.some((b, i) => bundle[i] !== b)) throw invalid();
  const accountId = fromUtf8(bundle.subarray(MAGIC.length, MAGIC.length + ACCOUNT_ID_LENGTH));
  if (!isAccountId(accountId)) throw invalid();
  return { accountId, accountSecret: bundle.slice(MAGIC.length + ACCOUNT_ID_LENGTH) };
}

/** The Secret Key the account signs in with: `L1-<account id>-<26 derived characters><check>`. */
export function passkeySecretKey(credentials: PasskeyCredentials): SecretKey {
  const derived = hkdfSha256(credentials.accountSecret, SALT, 'latchkey/v1/passkey-account/secret-key', 26);
  const body = credentials.accountId + Array.from(derived, (b) => CODE_ALPHABET[b % 32]).join('');
  return parseSecretKey(`L1${body}${checkCharacter(body)}`);
}

/** The OPAQUE password the account signs in with (43 base64url characters, 256 bits). */
export function passkeyPassword(credentials: PasskeyCredentials): string {
  return toBase64Url(hkdfSha256(credentials.accountSecret, SALT, 'latchkey/v1/passkey-account/password', 32));
}
