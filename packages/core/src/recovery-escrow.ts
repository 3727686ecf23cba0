/**
 * Escrow of vault keys to an organization's Recovery Group (docs/protocol.md §22.8): the client
 * that creates or unlocks a member's vault wraps its key to the current version of the Recovery
 * Group keyset, signed by the member's own keyset. The server seals that wrap a second time
 * with its keyring and releases it only to an approved organizer recovery; the approver's client
 * then opens it here and re-wraps the key to the member's new keyset.
 *
 * Protects against: an escrow wrap passed off as a share (its own purpose, so it never opens as
 * a `vault-key` wrap, nor one as it), a wrap moved to another vault or another Recovery Group
 * version (both in the signed statement and the HPKE aad), and a key planted by the server or by
 * another member (it must be signed by the keyset of the member whose vault it is, as the
 * organization certified that keyset).
 */
import {
  openKeyWrap,
  sealKeyWrap,
  type KeyWrap,
  type KeyWrapContext,
  type KeyWrapRecipient,
  type KeyWrapSigner,
  type NewKeyWrap,
  type TrustedSigner,
} from './key-wrap.ts';

/** The Recovery Group keyset version a vault key is escrowed to, as the client authenticated it (its group certificate). */
export interface RecoveryGroupRecipient extends KeyWrapRecipient {
  readonly keyVersion: number;
}

export const escrowContext = (vaultId: string, recoveryGroup: RecoveryGroupRecipient): KeyWrapContext => ({
  purpose: 'vault-key-escrow',
  subjectId: vaultId,
  recipient: { keysetId: recoveryGroup.keysetId, publicKey: recoveryGroup.publicKey },
  keyVersion: recoveryGroup.keyVersion,
});

/**
 * Wraps a member's vault key to the Recovery Group, signed by the member's keyset.
 * @throws RangeError when the key is not 256 bits; TypeError for an invalid key version.
 */
export async function escrowVaultKey(vaultKey: Uint8Array, vaultId: string, recoveryGroup: RecoveryGroupRecipient, member: KeyWrapSigner): Promise<NewKeyWrap> {
  return sealKeyWrap(vaultKey, escrowContext(vaultId, recoveryGroup), member);
}

/**
 * Opens an escrowed vault key with the Recovery Group's private key, after checking that the
 * member being recovered signed it with the keyset the organization certified for them. The
 * caller must wipe the returned key.
 * @throws LatchkeyError `untrusted_key` (not signed by `member`, or not for this vault and
 *   Recovery Group version); `decryption_failed` when a signed wrap does not open.
 */
export async function openEscrowedVaultKey(
  wrap: KeyWrap,
  vaultId: string,
  recoveryGroup: RecoveryGroupRecipient,
  recoveryGroupPrivateKey: Uint8Array,
  member: TrustedSigner,
): Promise<Uint8Array> {
  return openKeyWrap(wrap, escrowContext(vaultId, recoveryGroup), recoveryGroupPrivateKey, (id) => (id === member.keysetId ? member : undefined));
}
