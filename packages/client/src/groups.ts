/**
 * Groups on the client (docs/protocol.md §22.5): an organizer's or admin's client makes each
 * version of a group keyset, certifies it with the organization key and wraps it to each member
 * whose certificate verifies. Removing someone re-keys the group: a new version for the members
 * who remain (as the organization vouches for them, never as the server lists them), and every
 * vault shared with the group re-wrapped to it, so the removed person's old group key opens
 * nothing new. Adding someone or re-keying needs the current group key: the caller must be in the
 * group (groups created here include their creator unless asked not to).
 *
 * Protects against: a server that slips a keyset into a group (wraps only to certified members),
 * re-adds a removed member at a re-key (`currentGroupMembers` refuses anyone without an
 * organization-signed wrap of the current version), or substitutes a group key.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { parseUserId } from '@latchkey/core/ids';
import {
  addGroupMember as wrapForNewMember,
  createGroupKeyset,
  currentGroupMembers,
  type GroupKeysetVersion,
  type ListedGroupMember,
} from '@latchkey/core/group-keyset';
import { keysetRecipient, keysetSigner, type PublicKeyset } from '@latchkey/core/keyset';
import type { CertifiedMember } from '@latchkey/core/keyset-certificate';
import { wipe } from '@latchkey/core/bytes';
import { unwrapVaultKey, vaultKeyFingerprint, wrapVaultKey } from '@latchkey/core/vault-key';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { GroupSummary } from '@latchkey/core/wire/groups';
import type { ClientContext } from './context.ts';
import { certifiedGroupKeyset, fetchGroup, openGroup } from './group-keys.ts';
import { checkAndPinKeys } from './key-trust.ts';
import { certifiedMembers, fetchMembers, memberSigners, pinnedOrganization } from './organization-trust.ts';
import { openOrganization } from './organizations.ts';
import { fetchSharedVaults, wipeKeyset } from './shared-vault-keys.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

export type { GroupSummary };

const notConfirmed = (userId: string) => new LatchkeyError('invalid_request', `${userId} is not a confirmed member of this organization.`);

/**
 * The organization's ordinary groups the caller is in (all of them for those who manage groups).
 * The Recovery Group is left out: its members follow roles, nobody adds or removes them here
 * (recovery-group.ts).
 */
export async function listGroups(ctx: ClientContext, organizationId: string): Promise<GroupSummary[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listGroups, { params: { organizationId } })).groups.filter((g) => g.kind !== 'recovery');
}

/** Finds a group of the organization by id or exact name (case-insensitive). */
export async function findGroup(ctx: ClientContext, organizationId: string, nameOrId: string): Promise<GroupSummary> {
  const all = await listGroups(ctx, organizationId);
  const byId = all.find((g) => g.id === nameOrId);
  if (byId !== undefined) return byId;
  const matches = all.filter((g) => g.name.toLowerCase() === nameOrId.toLowerCase());
  if (matches.length === 0) throw new LatchkeyError('not_found', `No group named "${nameOrId}".`);
  if (matches.length > 1) throw new LatchkeyError('invalid_request', `Several groups are named "${nameOrId}"; use the group id.`);
  return matches[0]!;
}

/**
 * Creates a group of confirmed members (the caller included unless `includeMe` is false).
 * @throws LatchkeyError `invalid_request` for someone whose certificate does not verify;
 *   `forbidden` (members hold no organization key).
 */
export async function createGroup(
  ctx: ClientContext,
  organizationId: string,
  name: string,
  memberUserIds: readonly string[],
  options: { includeMe?: boolean } = {},
): Promise<GroupSummary> {
  const keys = requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A group needs a name.');
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const certified = new Map(certifiedMembers(pinned, members).map((m) => [m.userId, m]));
  const ids = [...new Set([...memberUserIds, ...(options.includeMe === false ? [] : [keys.account.id])])];
  const chosen = ids.map((id) => certified.get(id) ?? failWith(notConfirmed(id)));
  const org = await openOrganization(ctx, organizationId, pinned);
  const id = crypto.randomUUID();
  const version = await createGroupKeyset({ organizationId, keyset: org.keyset }, id, 1, chosen);
  try {
    await ctx.api.call(endpoints.createGroup, {
      params: { organizationId },
      body: { id, name: name.trim(), keyset: version.sealed, certificate: version.certificate, members: memberWraps(version.wraps) },
    });
  } finally {
    wipeKeyset(version.keyset);
    wipeKeyset(org.keyset);
  }
  return { id, name: name.trim(), kind: 'standard', keyVersion: 1, members: chosen.map((m) => m.userId) };
}

/** The wraps as the wire carries them (user ids typed as such). */
const memberWraps = (wraps: GroupKeysetVersion['wraps']) => wraps.map((w) => ({ userId: parseUserId(w.userId), wrap: w.wrap }));

function failWith(error: Error): never {
  throw error;
}

/**
 * Adds a confirmed member: the current group key wrapped to their certified keyset, signed by the
 * organization key.
 * @throws LatchkeyError `forbidden` when the caller is not in the group or holds no organization
 *   key; `invalid_request` (not a confirmed member); `conflict` (re-keyed meanwhile).
 */
export async function addGroupMember(ctx: ClientContext, organizationId: string, groupId: string, userId: string): Promise<void> {
  requireUnlocked(ctx);
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const member = certifiedMembers(pinned, members).find((m) => m.userId === userId) ?? failWith(notConfirmed(userId));
  const group = await fetchGroup(ctx, organizationId, groupId);
  if (group.members.includes(userId)) throw new LatchkeyError('already_exists', 'This person is already in the group.');
  const opened = await openGroup(ctx, pinned, group);
  const org = await openOrganization(ctx, organizationId, pinned);
  try {
    const wrap = await wrapForNewMember({ organizationId, keyset: org.keyset }, opened, member);
    await ctx.api.call(endpoints.addGroupMember, {
      params: { organizationId, groupId },
      body: { userId: parseUserId(userId), keyVersion: opened.keyVersion, wrap },
    });
  } finally {
    wipeKeyset(opened.keyset);
    wipeKeyset(org.keyset);
  }
}

/**
 * Re-keys a group without `leavingUserIds`: version n + 1 for the members the organization vouches
 * for at version n, minus those; every vault shared with the group re-wrapped to the new key.
 * `removeUserIds` are the ones the server should take out now (empty when they already left the
 * organization and so the group).
 * @throws LatchkeyError `forbidden` (caller not in the group, or holds no organization key);
 *   `untrusted_key` (the server lists a member the organization does not vouch for at this version);
 *   `conflict` (re-keyed or shared meanwhile).
 */
async function rekey(
  ctx: ClientContext,
  organizationId: string,
  groupId: string,
  leavingUserIds: readonly string[],
  removeUserIds: readonly string[],
): Promise<number> {
  const me = requireUnlocked(ctx).keyset;
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const group = await fetchGroup(ctx, organizationId, groupId);
  if (group.memberWraps === undefined) throw new LatchkeyError('forbidden', 'Only organizers, owners and admins can change who is in a group.');
  const leaving = new Set(leavingUserIds);
  const certificates = new Map(members.map((m) => [m.userId, m.certificate]));
  const listed: ListedGroupMember[] = group.memberWraps
    .filter((w) => !leaving.has(w.userId))
    .map((w) => {
      const certificate = certificates.get(w.userId);
      if (certificate === undefined || certificate === null)
        throw new LatchkeyError('untrusted_key', 'The server lists a group member the organization does not vouch for; the group was not re-keyed.');
      return { certificate, wrap: w.wrap };
    });
  const certifiedVersion = certifiedGroupKeyset(pinned, group);
  const oldGroup = await openGroup(ctx, pinned, group);
  const org = await openOrganization(ctx, organizationId, pinned);
  const organization: PublicKeyset = { id: org.keyset.id, publicKey: org.keyset.encryption.publicKey, signingPublicKey: org.keyset.signing.publicKey };
  let remaining: CertifiedMember[];
  try {
    remaining = currentGroupMembers(organizationId, organization, { groupId, keyVersion: group.keyVersion, keysetId: certifiedVersion.keyset.id }, listed);
  } catch (error) {
    wipeKeyset(oldGroup.keyset);
    wipeKeyset(org.keyset);
    throw error;
  }
  const next = await createGroupKeyset({ organizationId, keyset: org.keyset }, groupId, group.keyVersion + 1, remaining);
  try {
    const trust = memberSigners(me, certifiedMembers(pinned, members));
    const readable = (await fetchSharedVaults(ctx)).filter((s) => s.groupId === groupId);
    const vaultShares = [];
    for (const vaultId of group.sharedVaultIds) {
      const share = readable.find((s) => s.vaultId === vaultId);
      if (share === undefined) throw new LatchkeyError('conflict', 'A vault shared with this group is not readable through it; try again.');
      const raw = await unwrapVaultKey(share.wrap, vaultId, keysetRecipient(oldGroup.keyset), oldGroup.keyset.encryption.privateKey, trust);
      try {
        await checkAndPinKeys(ctx, me.id, [{ purpose: 'vault-key', subjectId: vaultId, fingerprint: vaultKeyFingerprint(vaultId, raw) }]);
        vaultShares.push({ vaultId, wrap: await wrapVaultKey(raw, vaultId, keysetRecipient(next.keyset), keysetSigner(me)) });
      } finally {
        wipe(raw);
      }
    }
    const result = await ctx.api.call(endpoints.rekeyGroup, {
      params: { organizationId, groupId },
      body: {
        fromKeyVersion: group.keyVersion,
        keyset: next.sealed,
        certificate: next.certificate,
        removeUserIds: removeUserIds.map(parseUserId),
        members: memberWraps(next.wraps),
        vaultShares,
      },
    });
    return result.keyVersion;
  } finally {
    wipeKeyset(next.keyset);
    wipeKeyset(oldGroup.keyset);
    wipeKeyset(org.keyset);
  }
}

/**
 * Removes a member from a group by re-keying it (see `rekey`). Returns the new key version.
 * @throws LatchkeyError `not_found` when they are not in the group; as `rekey`.
 */
export async function removeGroupMember(
  ctx: ClientContext,
  organizationId: string,
  groupId: string,
  userId: string,
): Promise<{ keyVersion: number; rotateSecrets: true }> {
  const group = await fetchGroup(ctx, organizationId, groupId);
  if (!group.members.includes(userId)) throw new LatchkeyError('not_found', 'This person is not in the group.');
  if (userId === requireUnlocked(ctx).account.id) throw new LatchkeyError('invalid_request', 'Another member of the group must remove you.');
  return { keyVersion: await rekey(ctx, organizationId, groupId, [userId], [userId]), rotateSecrets: true };
}

/** Re-keys a group after people left the organization (the server already took them out of it). */
export async function rekeyGroupAfterLeaving(ctx: ClientContext, organizationId: string, groupId: string, leftUserIds: readonly string[]): Promise<number> {
  return rekey(ctx, organizationId, groupId, leftUserIds, []);
}

export async function deleteGroup(ctx: ClientContext, organizationId: string, groupId: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.deleteGroup, { params: { organizationId, groupId } });
}
