/**
 * Keysets that several people hold: an organization's and a group's (docs/protocol.md §22.2).
 * They have the shape of a user's keyset (`keyset.ts`: a symmetric key, an X25519 HPKE pair and
 * an Ed25519 signing pair, the private halves sealed under the symmetric key). Instead of one
 * copy of the symmetric key under an Account Unlock Key, the symmetric key is wrapped to each
 * member's keyset as a signed key wrap of format 2 (`key-wrap.ts`), whose statement names the
 * organization or group, the key version, the wrapped keyset, the recipient and the signer.
 *
 * Protects against: a server that hands a member a keyset of its own (the wrap must verify
 * against a trusted signer, and the opened keyset must be the one the caller expects: the id and
 * public keys certified for that version), that passes an old version's wrap off as the current
 * one (the key version is signed and in the HPKE aad), or that moves a wrap between groups,
 * organizations or members.
 */
import { equalBytes, fromBase64Url, wipe } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import {
  openKeyWrap,
  sealKeyWrap,
  type KeyWrap,
  type KeyWrapContext,
  type KeyWrapRecipient,
  type KeyWrapSigner,
  type NewKeyWrap,
  type TrustedSignerLookup,
} from './key-wrap.ts';
import { openKeyset, type Keyset, type PublicKeyset, type SealedKeyset } from './keyset.ts';

/** Whose keyset it is, and which version of it. */
export interface SharedKeysetOwner {
  readonly kind: 'organization' | 'group';
  /** The organization or group id. */
  readonly id: string;
  /** 1 for the first keyset; each re-key adds one. */
  readonly keyVersion: number;
}

const purposeOf = (owner: SharedKeysetOwner): 'organization-key' | 'group-key' => (owner.kind === 'organization' ? 'organization-key' : 'group-key');

/** The key-wrap context of `keysetId`'s symmetric key, for `owner`, wrapped to `recipient`. */
export function sharedKeysetWrapContext(owner: SharedKeysetOwner, keysetId: string, recipient: KeyWrapRecipient): KeyWrapContext {
  return { purpose: purposeOf(owner), subjectId: owner.id, keyVersion: owner.keyVersion, wrappedKeysetId: keysetId, recipient };
}

/**
 * Wraps the symmetric key of `keyset` (the organization's or group's, version `owner.keyVersion`)
 * to `recipient`, signed by `signer`.
 * @throws TypeError for ids unsafe in the encoding or a key version that is not a positive integer.
 */
export async function wrapSharedKeyset(keyset: Keyset, owner: SharedKeysetOwner, recipient: KeyWrapRecipient, signer: KeyWrapSigner): Promise<NewKeyWrap> {
  return sealKeyWrap(keyset.symmetricKey, sharedKeysetWrapContext(owner, keyset.id, recipient), signer);
}

/**
 * Opens an organization's or group's keyset from the wrap made to this member, after checking
 * that the sealed keyset is exactly `expected` (the public half the caller already trusts: the
 * pinned organization keyset, or a group keyset its certificate names for this version).
 * @throws LatchkeyError `untrusted_key` when the sealed keyset is not `expected`, or the wrap does
 *   not verify against `trust`; `decryption_failed` when a verified wrap or the keyset does not open.
 */
export async function openSharedKeyset(
  sealed: SealedKeyset,
  wrap: KeyWrap,
  owner: SharedKeysetOwner,
  expected: PublicKeyset,
  recipient: KeyWrapRecipient,
  recipientPrivateKey: Uint8Array,
  trust: TrustedSignerLookup,
): Promise<Keyset> {
  if (!matchesPublicKeyset(sealed, expected)) {
    throw new LatchkeyError('untrusted_key', `This ${owner.kind} keyset is not the one that was certified for key version ${owner.keyVersion}.`);
  }
  const symmetricKey = await openKeyWrap(wrap, sharedKeysetWrapContext(owner, expected.id, recipient), recipientPrivateKey, trust);
  try {
    return await openKeyset(sealed, symmetricKey);
  } catch (error) {
    wipe(symmetricKey);
    throw error;
  }
}

function matchesPublicKeyset(sealed: SealedKeyset, expected: PublicKeyset): boolean {
  if (sealed.id !== expected.id) return false;
  try {
    return equalBytes(fromBase64Url(sealed.publicKey), expected.publicKey) && equalBytes(fromBase64Url(sealed.signingPublicKey), expected.signingPublicKey);
  } catch {
    return false;
  }
}
