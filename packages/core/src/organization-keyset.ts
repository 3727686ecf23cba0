/**
 * An organization's keyset (docs/protocol.md §22.2): made by the creator's client when the
 * organization is created, its private half wrapped to each organizer, owner and admin. Its
 * signing key certifies members and groups (`keyset-certificate.ts`) and signs every wrap of the
 * organization's and its groups' keysets, so members need to trust exactly one key per
 * organization: the one they pinned when they created or joined it (after the fingerprint
 * comparison of §22.3).
 *
 * Protects against: a server handing an admin an organization keyset of its own (the wrap must be
 * signed by the pinned organization key, and the keyset must be the pinned one) or moving a wrap
 * to another organization, version or admin.
 */
import type { NewKeyWrap, KeyWrap, TrustedSignerLookup } from './key-wrap.ts';
import {
  createKeyset,
  keysetPublicPart,
  keysetRecipient,
  keysetSigner,
  publicKeysetRecipient,
  publicKeysetTrustedSigner,
  sealKeyset,
  type Keyset,
  type PublicKeyset,
  type SealedKeyset,
} from './keyset.ts';
import { issueMemberCertificate, type CertifiedMember, type MemberCertificate } from './keyset-certificate.ts';
import { verifyMemberAcceptance, type MemberAcceptance } from './member-acceptance.ts';
import { openSharedKeyset, wrapSharedKeyset, type SharedKeysetOwner } from './shared-keyset.ts';

export interface NewOrganizationKeyset {
  readonly keyset: Keyset;
  readonly keyVersion: 1;
  /** What the server stores: public keys and the private halves sealed under the symmetric key. */
  readonly sealed: SealedKeyset;
  /** The symmetric key wrapped to the creator, signed by the organization key. */
  readonly creatorWrap: NewKeyWrap;
  /** The creator is the first confirmed member: no one else could vouch for them. */
  readonly creatorCertificate: MemberCertificate;
}

const owner = (organizationId: string, keyVersion: number): SharedKeysetOwner => ({ kind: 'organization', id: organizationId, keyVersion });

/** The organization keyset as a trusted signer: of its own wraps, and of certificates. */
export const organizationTrust = (organization: PublicKeyset): TrustedSignerLookup => {
  const signer = publicKeysetTrustedSigner(organization);
  return (keysetId) => (keysetId === signer.keysetId ? signer : undefined);
};

/**
 * Makes the keyset of a new organization on the creator's client.
 * @throws TypeError for ids unsafe in the encoding.
 */
export async function createOrganizationKeyset(organizationId: string, creator: Keyset, creatorUserId: string): Promise<NewOrganizationKeyset> {
  const keyset = await createKeyset();
  return {
    keyset,
    keyVersion: 1,
    sealed: await sealKeyset(keyset),
    creatorWrap: await wrapSharedKeyset(keyset, owner(organizationId, 1), keysetRecipient(creator), keysetSigner(keyset)),
    creatorCertificate: issueMemberCertificate(organizationId, keyset, { userId: creatorUserId, keyset: keysetPublicPart(creator) }),
  };
}

/**
 * Wraps the opened organization keyset to an organizer, owner or admin whose certificate the
 * caller verified (never to a keyset the server merely named).
 */
export async function wrapOrganizationKeyset(organizationId: string, keyVersion: number, organization: Keyset, admin: CertifiedMember): Promise<NewKeyWrap> {
  return wrapSharedKeyset(organization, owner(organizationId, keyVersion), publicKeysetRecipient(admin.keyset), keysetSigner(organization));
}

/**
 * Opens the organization keyset from this admin's wrap. `pinned` is the organization keyset this
 * client trusts (pinned when it created or joined the organization).
 * @throws LatchkeyError `untrusted_key` when the sealed keyset or the wrap's signer is not the
 *   pinned keyset, or the wrap is for another organization, version or keyset; `decryption_failed`.
 */
export async function openOrganizationKeyset(
  organizationId: string,
  keyVersion: number,
  sealed: SealedKeyset,
  wrap: KeyWrap,
  pinned: PublicKeyset,
  me: Keyset,
): Promise<Keyset> {
  return openSharedKeyset(sealed, wrap, owner(organizationId, keyVersion), pinned, keysetRecipient(me), me.encryption.privateKey, organizationTrust(pinned));
}

/**
 * The organizer's or admin's side of confirming a member (§22.3): checks that the acceptance is
 * for this organization and its key and is signed by the keyset it names, then certifies that
 * keyset. Call it only after the two people compared `memberFingerprint(acceptance)`.
 * @throws LatchkeyError `untrusted_key` (see `verifyMemberAcceptance`).
 */
export function certifyAcceptedMember(organizationId: string, organization: Keyset, acceptance: MemberAcceptance): MemberCertificate {
  const keyset = verifyMemberAcceptance(acceptance, { organizationId, keyset: keysetPublicPart(organization) });
  return issueMemberCertificate(organizationId, organization, { userId: acceptance.userId, keyset });
}
