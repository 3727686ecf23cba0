/**
 * Signed key wraps: a symmetric key (a vault key, or the symmetric key of a group's or an
 * organization's keyset) sealed
 * with HPKE base mode to a recipient keyset's public key, and signed with the Ed25519 signing
 * key of the keyset that made the wrap. A client opens a wrap only after checking the
 * signature against a keyset it already trusts (its own, authenticated by the Account Unlock
 * Key; later a confirmed member's or an organization's), passed in as a lookup.
 *
 * Protects against: a server that wraps a key of its own choosing to a user's public key (HPKE
 * base mode alone authenticates nobody), that moves a wrap to another vault or another
 * recipient, or that plants a vault. The signed statement names everything the wrap means:
 * version, purpose, subject (the vault), recipient keyset and public key, the ciphertext, and
 * the signer keyset. Format 2 (group and organization keysets, docs/protocol.md §22) also names
 * the key version and the wrapped keyset, in the statement and in the HPKE associated data, so a
 * member removed at version n cannot be handed a wrap of version n as if it were n + 1.
 * docs/protocol.md gives the encoding and why a signature was chosen over HPKE auth mode.
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { sign, verify } from './crypto/ed25519.ts';
import { hkdfSha256 } from './crypto/hkdf.ts';
import { hpkeOpen, hpkeSeal } from './crypto/hpke.ts';
import { associatedData, canonicalFields } from './associated-data.ts';
import { LatchkeyError } from './errors.ts';

/**
 * What a wrapped key is for: a vault key (subject: the vault), the symmetric key that opens a
 * group's or an organization's keyset (subject: the group or the organization), or a vault key
 * escrowed to an organization's Recovery Group (subject: the vault; recovery-escrow.ts).
 */
export type KeyWrapPurpose = 'vault-key' | 'group-key' | 'organization-key' | 'vault-key-escrow';

/** The field naming the subject in the HPKE associated data, per purpose. */
const SUBJECT_FIELD: Readonly<Record<KeyWrapPurpose, string>> = {
  'vault-key': 'vault',
  'group-key': 'group',
  'organization-key': 'organization',
  'vault-key-escrow': 'vault',
};

/** Purposes whose wraps always carry a key version (format 2): of the wrapped keyset, or of the recipient Recovery Group. */
const VERSIONED_PURPOSES: ReadonlySet<KeyWrapPurpose> = new Set(['group-key', 'organization-key', 'vault-key-escrow']);
/** Versioned purposes that wrap the symmetric key of a keyset, and so name it. */
const KEYSET_PURPOSES: ReadonlySet<KeyWrapPurpose> = new Set(['group-key', 'organization-key']);

/** Format 1: vault keys (no key version; one key per vault). */
export const KEY_WRAP_VERSION = 1 as const;
/** Format 2: a key version and, for keysets, the wrapped keyset id in statement and HPKE aad. */
export const KEY_WRAP_VERSION_VERSIONED = 2 as const;
export type KeyWrapFormat = typeof KEY_WRAP_VERSION | typeof KEY_WRAP_VERSION_VERSIONED;
const STATEMENT_HEADER = 'latchkey/v1/signature/key-wrap';
const FINGERPRINT_HEADER = 'latchkey/v1/key-fingerprint';
const KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/** A wrap as stored and sent: everything else in the statement comes from where it is used. */
export interface KeyWrap {
  /** `KEY_WRAP_VERSION`; anything else (0: a wrap stored before signatures existed) is refused. */
  readonly version: number;
  readonly recipientKeysetId: string;
  /** base64url(enc || ciphertext) of HPKE base mode. */
  readonly ciphertext: string;
  readonly signerKeysetId: string;
  /** base64url Ed25519 signature over `keyWrapStatement`. */
  readonly signature: string;
}

/** A wrap as `sealKeyWrap` makes it: format 1 for an unversioned context, 2 for a versioned one. */
export interface NewKeyWrap<F extends KeyWrapFormat = KeyWrapFormat> extends KeyWrap {
  readonly version: F;
}

/** The keyset a key is wrapped to, as the verifying client knows it (never as the server claims it). */
export interface KeyWrapRecipient {
  readonly keysetId: string;
  readonly publicKey: Uint8Array;
}

/** What the wrapped key is, and for whom: every field is part of the signed statement. */
export interface KeyWrapContext {
  readonly purpose: KeyWrapPurpose;
  /** The vault, group or organization id. */
  readonly subjectId: string;
  readonly recipient: KeyWrapRecipient;
  /**
   * The key version (1, 2, … as the group or organization is re-keyed). Required for
   * `group-key`, `organization-key` and `vault-key-escrow` (the Recovery Group's version);
   * absent for a format-1 vault key.
   */
  readonly keyVersion?: number;
  /** The keyset whose symmetric key is wrapped (`group-key`, `organization-key`). */
  readonly wrappedKeysetId?: string;
}

/** The context of an unversioned (format 1) wrap: today's vault keys. */
export type UnversionedKeyWrapContext = KeyWrapContext & { readonly keyVersion?: undefined };

export interface KeyWrapSigner {
  readonly keysetId: string;
  readonly signingSecretKey: Uint8Array;
}

/** A keyset whose signatures the client accepts, with its signing public key as the client authenticated it. */
export interface TrustedSigner {
  readonly keysetId: string;
  readonly signingPublicKey: Uint8Array;
}

/** Finds the trusted signer for a keyset id, or `undefined` when the client trusts no such keyset. */
export type TrustedSignerLookup = (keysetId: string) => TrustedSigner | undefined | Promise<TrustedSigner | undefined>;

const untrusted = (message: string, cause?: unknown) => new LatchkeyError('untrusted_key', message, cause === undefined ? undefined : { cause });

/**
 * The wrap format a context calls for.
 * @throws TypeError for a versioned purpose without a positive integer key version or the
 *   wrapped keyset, or a key version that is not a positive integer (a programming error).
 */
export function keyWrapFormat(context: KeyWrapContext): KeyWrapFormat {
  if (context.keyVersion === undefined) {
    if (VERSIONED_PURPOSES.has(context.purpose)) throw new TypeError(`a ${context.purpose} wrap needs a key version`);
    return KEY_WRAP_VERSION;
  }
  if (!Number.isSafeInteger(context.keyVersion) || context.keyVersion < 1) throw new TypeError('a key version is a positive integer');
  if (!VERSIONED_PURPOSES.has(context.purpose)) throw new TypeError(`a ${context.purpose} wrap has no key version`);
  if (KEYSET_PURPOSES.has(context.purpose) !== (context.wrappedKeysetId !== undefined))
    throw new TypeError(`a ${context.purpose} wrap ${KEYSET_PURPOSES.has(context.purpose) ? 'names' : 'does not name'} a wrapped keyset`);
  return KEY_WRAP_VERSION_VERSIONED;
}

/** The fields format 2 adds, to the statement and to the HPKE aad alike. */
const versionedFields = (context: KeyWrapContext): Record<string, string | number> =>
  context.keyVersion === undefined
    ? {}
    : { 'key-version': context.keyVersion, ...(context.wrappedKeysetId === undefined ? {} : { 'wrapped-keyset': context.wrappedKeysetId }) };

const hpkeContext = (context: KeyWrapContext, signerKeysetId: string) => ({
  info: `latchkey/v1/${context.purpose}`,
  aad: associatedData(context.purpose, {
    [SUBJECT_FIELD[context.purpose]]: context.subjectId,
    keyset: context.recipient.keysetId,
    // Format 1 (vault keys) predates these fields; its signature names the signer instead.
    ...(context.keyVersion === undefined ? {} : { signer: signerKeysetId, ...versionedFields(context) }),
  }),
});

/**
 * The exact bytes a wrap's signature covers: canonical `key=value` lines under a header that no
 * other signature by a keyset uses.
 * @throws TypeError when an id is not a plain identifier (the encoding would be ambiguous).
 */
export function keyWrapStatement(wrap: Omit<KeyWrap, 'signature'>, context: KeyWrapContext): Uint8Array {
  return utf8(
    canonicalFields(STATEMENT_HEADER, {
      version: wrap.version,
      purpose: context.purpose,
      subject: context.subjectId,
      'recipient-keyset': wrap.recipientKeysetId,
      'recipient-public-key': toBase64Url(context.recipient.publicKey),
      ciphertext: wrap.ciphertext,
      'signer-keyset': wrap.signerKeysetId,
      ...versionedFields(context),
    }),
  );
}

/**
 * Wraps `key` to `context.recipient` and signs the wrap with `signer`.
 * @throws RangeError when the key is not 256 bits; TypeError for ids unsafe in the encoding.
 */
export async function sealKeyWrap(key: Uint8Array, context: UnversionedKeyWrapContext, signer: KeyWrapSigner): Promise<NewKeyWrap<typeof KEY_WRAP_VERSION>>;
export async function sealKeyWrap(key: Uint8Array, context: KeyWrapContext, signer: KeyWrapSigner): Promise<NewKeyWrap>;
export async function sealKeyWrap(key: Uint8Array, context: KeyWrapContext, signer: KeyWrapSigner): Promise<NewKeyWrap> {
  if (key.length !== KEY_LENGTH) throw new RangeError('a wrapped key must be 32 bytes');
  const version = keyWrapFormat(context);
  const ciphertext = toBase64Url(await hpkeSeal(context.recipient.publicKey, key, hpkeContext(context, signer.keysetId)));
  const unsigned = { version, recipientKeysetId: context.recipient.keysetId, ciphertext, signerKeysetId: signer.keysetId } as const;
  return { ...unsigned, signature: toBase64Url(sign(signer.signingSecretKey, keyWrapStatement(unsigned, context))) };
}

/**
 * Checks that `wrap` is for `context` (this purpose, subject and recipient) and signed by
 * `signer`, a keyset the caller trusts (`undefined`: none matched the wrap's signer).
 * @throws LatchkeyError `untrusted_key` for any mismatch, an unknown signer, or a bad signature.
 */
export function verifyKeyWrap(wrap: KeyWrap, context: KeyWrapContext, signer: TrustedSigner | undefined): void {
  let expected: KeyWrapFormat;
  try {
    expected = keyWrapFormat(context);
  } catch (cause) {
    throw untrusted('This key wrap is checked against an incomplete context.', cause);
  }
  if (wrap.version !== expected) throw untrusted(`This key wrap has an unsupported format (version ${String(wrap.version)}).`);
  if (wrap.recipientKeysetId !== context.recipient.keysetId) throw untrusted('This key is not wrapped to your keyset.');
  if (signer === undefined || signer.keysetId !== wrap.signerKeysetId) throw untrusted('This key was wrapped by a keyset you do not trust.');
  let signature: Uint8Array;
  let statement: Uint8Array;
  try {
    signature = fromBase64Url(wrap.signature);
    statement = keyWrapStatement(wrap, context);
  } catch (cause) {
    throw untrusted('This key wrap is malformed.', cause);
  }
  if (signature.length !== SIGNATURE_LENGTH || !verify(signer.signingPublicKey, statement, signature)) {
    throw untrusted(
      `The signature on this key does not verify: it was not wrapped by the keyset it names, or not for this ${SUBJECT_FIELD[context.purpose]}${context.keyVersion === undefined ? '' : ' and key version'}.`,
    );
  }
}

/**
 * Verifies `wrap` against the trusted signer that `trust` returns for its signer keyset, then
 * opens it with the recipient's private key. The caller must wipe the returned key.
 * @throws LatchkeyError `untrusted_key` (see `verifyKeyWrap`); `decryption_failed` when a
 *   properly signed wrap does not open (the signer wrapped to another key).
 */
export async function openKeyWrap(wrap: KeyWrap, context: KeyWrapContext, recipientPrivateKey: Uint8Array, trust: TrustedSignerLookup): Promise<Uint8Array> {
  verifyKeyWrap(wrap, context, await trust(wrap.signerKeysetId));
  let key: Uint8Array;
  try {
    key = await hpkeOpen(recipientPrivateKey, fromBase64Url(wrap.ciphertext), hpkeContext(context, wrap.signerKeysetId));
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'This key could not be unwrapped with your keyset.', { cause });
  }
  if (key.length !== KEY_LENGTH) throw new LatchkeyError('decryption_failed', 'The unwrapped key has the wrong length.');
  return key;
}

/**
 * A device-side fingerprint of a key, for pinning: HKDF-SHA-256 of the key, bound to its purpose
 * and subject. One-way, so storing it on the device does not store the key.
 */
export function keyFingerprint(purpose: KeyWrapPurpose, subjectId: string, key: Uint8Array, keyVersion?: number): string {
  if (key.length !== KEY_LENGTH) throw new RangeError('a fingerprinted key must be 32 bytes');
  const fields: Record<string, string | number> =
    keyVersion === undefined ? { purpose, subject: subjectId } : { purpose, subject: subjectId, 'key-version': keyVersion };
  return toBase64Url(hkdfSha256(key, utf8(FINGERPRINT_HEADER), canonicalFields(FINGERPRINT_HEADER, fields), 32));
}
