/**
 * Group keysets (docs/protocol.md §22.5): a group has a keyset like a person; a person is a member
 * of a group when the group keyset's symmetric key is wrapped to their keyset. Each version of a
 * group keyset is certified by the organization key, and every wrap of it is signed by the
 * organization key, so only someone holding the organization keyset (an organizer, owner or admin)
 * can add a member.
 *
 * Removing a member **re-keys** the group: a new keyset with the next key version, certified and
 * wrapped only to the remaining members. The removed member keeps the old version's private key;
 * it opens nothing wrapped after the removal (new vault shares use the new public key, and vault
 * keys shared with the group are re-wrapped to it).
 *
 * Protects against: a server that adds a member to a group (it cannot sign a wrap as the
 * organization), re-adds a removed one at the next re-key (`currentGroupMembers` keeps only
 * members holding an organization-signed wrap of the current version, so the server cannot slip
 * a removed member back in), passes an old version's wrap off as the new one (the key version is
 * signed), or substitutes a group keyset (the certificate names it).
 */
import { LatchkeyError } from './errors.ts';
import { verifyKeyWrap, type KeyWrap, type NewKeyWrap } from './key-wrap.ts';
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
import {
  issueGroupCertificate,
  verifyGroupCertificate,
  verifyMemberCertificate,
  type CertifiedMember,
  type GroupCertificate,
  type MemberCertificate,
} from './keyset-certificate.ts';
import { openSharedKeyset, sharedKeysetWrapContext, wrapSharedKeyset, type SharedKeysetOwner } from './shared-keyset.ts';

/** The organization, opened by an organizer, owner or admin. */
export interface OpenedOrganization {
  readonly organizationId: string;
  readonly keyset: Keyset;
}

export interface GroupKeysetVersion {
  readonly groupId: string;
  readonly keyVersion: number;
  readonly keyset: Keyset;
  readonly sealed: SealedKeyset;
  readonly certificate: GroupCertificate;
  /** One wrap per member, in the order of `members`. */
  readonly wraps: readonly { readonly userId: string; readonly wrap: NewKeyWrap }[];
}

const owner = (groupId: string, keyVersion: number): SharedKeysetOwner => ({ kind: 'group', id: groupId, keyVersion });

/**
 * Makes version `keyVersion` of a group's keyset, certified by the organization and wrapped to
 * each of `members` (certified members; verify their certificates first).
 * @throws TypeError for ids unsafe in the encoding or a key version that is not a positive integer.
 */
export async function createGroupKeyset(
  organization: OpenedOrganization,
  groupId: string,
  keyVersion: number,
  members: readonly CertifiedMember[],
): Promise<GroupKeysetVersion> {
  const keyset = await createKeyset();
  const certificate = issueGroupCertificate(organization.organizationId, organization.keyset, { groupId, keyVersion, keyset: keysetPublicPart(keyset) });
  const wraps = await Promise.all(
    members.map(async (m) => ({
      userId: m.userId,
      wrap: await wrapSharedKeyset(keyset, owner(groupId, keyVersion), publicKeysetRecipient(m.keyset), keysetSigner(organization.keyset)),
    })),
  );
  return { groupId, keyVersion, keyset, sealed: await sealKeyset(keyset), certificate, wraps };
}

/**
 * Re-keys a group after `removedUserIds` left it: version `current + 1`, wrapped only to the
 * members of `current` that remain.
 * `currentMembers` should come from `currentGroupMembers`, not from the server's word.
 * @throws LatchkeyError `invalid_request` when none of `removedUserIds` is a current member
 *   (nothing to re-key for).
 */
export async function rekeyGroup(
  organization: OpenedOrganization,
  groupId: string,
  currentKeyVersion: number,
  currentMembers: readonly CertifiedMember[],
  removedUserIds: readonly string[],
): Promise<GroupKeysetVersion> {
  const removed = new Set(removedUserIds);
  if (!currentMembers.some((m) => removed.has(m.userId))) throw new LatchkeyError('invalid_request', 'None of these people is a member of this group.');
  return createGroupKeyset(
    organization,
    groupId,
    currentKeyVersion + 1,
    currentMembers.filter((m) => !removed.has(m.userId)),
  );
}

/** Wraps the current group keyset to one more (certified) member. */
export async function addGroupMember(
  organization: OpenedOrganization,
  group: { readonly groupId: string; readonly keyVersion: number; readonly keyset: Keyset },
  member: CertifiedMember,
): Promise<NewKeyWrap> {
  return wrapSharedKeyset(group.keyset, owner(group.groupId, group.keyVersion), publicKeysetRecipient(member.keyset), keysetSigner(organization.keyset));
}

/** A group member as the server lists it: their certificate and their wrap of the current version. */
export interface ListedGroupMember {
  readonly certificate: MemberCertificate;
  readonly wrap: KeyWrap;
}

/**
 * The members of version `keyVersion` of a group that the organization vouches for: each has a
 * valid member certificate and a group-key wrap of exactly this version, to their certified
 * keyset, signed by the organization key. Used to choose whom a re-key wraps to, so a removed
 * member whom the server lists again with their old certificate is refused.
 * @throws LatchkeyError `untrusted_key` for any listed member the organization does not vouch for.
 */
export function currentGroupMembers(
  organizationId: string,
  organization: PublicKeyset,
  group: { readonly groupId: string; readonly keyVersion: number; readonly keysetId: string },
  listed: readonly ListedGroupMember[],
): CertifiedMember[] {
  const signer = publicKeysetTrustedSigner(organization);
  return listed.map((entry) => {
    const member = verifyMemberCertificate(entry.certificate, organizationId, signer);
    verifyKeyWrap(entry.wrap, sharedKeysetWrapContext(owner(group.groupId, group.keyVersion), group.keysetId, publicKeysetRecipient(member.keyset)), signer);
    return member;
  });
}

/**
 * Opens a group keyset from this member's wrap, after checking the version's certificate against
 * the organization key (`organization`, pinned) and that the wrap is organization-signed for this
 * group, version, keyset and member.
 * @throws LatchkeyError `untrusted_key`; `decryption_failed`.
 */
export async function openGroupKeyset(
  organizationId: string,
  organization: PublicKeyset,
  groupId: string,
  certificate: GroupCertificate,
  sealed: SealedKeyset,
  wrap: KeyWrap,
  me: Keyset,
): Promise<{ readonly keyVersion: number; readonly keyset: Keyset }> {
  const signer = publicKeysetTrustedSigner(organization);
  const certified = verifyGroupCertificate(certificate, organizationId, groupId, signer);
  const keyset = await openSharedKeyset(
    sealed,
    wrap,
    owner(groupId, certified.keyVersion),
    certified.keyset,
    keysetRecipient(me),
    me.encryption.privateKey,
    (id) => (id === signer.keysetId ? signer : undefined),
  );
  return { keyVersion: certified.keyVersion, keyset };
}
