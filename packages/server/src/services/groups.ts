/**
 * Groups (docs/protocol.md §22.5). An organizer's or admin's client makes each version of a group
 * keyset, certifies it with the organization key and wraps it (signed by the organization key) to
 * each confirmed member; the server stores the versions and hands each member only their own wrap.
 * Re-keying (after someone left) moves the group's key version with a compare-and-set: the new
 * version must be wrapped to exactly the remaining members, and every vault shared with the group
 * must come re-wrapped to the new group key in the same request.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { GroupCertificate } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import type { ServerContext, Tx } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { listGroupShares, rewrapGroupShare } from '../repositories/vault-shares.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { Actor } from './organizations.ts';
import { invalid, lockOrganization, requireGroupCertificate, requireWrap, userPublicKeyset } from './org-checks.ts';
import { authorize, forbidden, may } from './org-permissions.ts';

export interface GroupMemberWrap {
  readonly userId: string;
  readonly wrap: KeyWrap;
}

const noSuchGroup = () => new LatchkeyError('not_found', 'No such group.');
/** The Recovery Group's members follow roles (recovery-group.ts): nobody adds, removes or deletes by hand. */
const byRoleOnly = () => forbidden('Who is in the Recovery Group follows roles: confirm, promote, demote or remove the person in the organization instead.');

/** Checks that each wrap goes to a distinct confirmed member's certified keyset, signed by the organization keyset. */
async function requireMemberWraps(db: Tx, organizationId: string, organizationKeysetId: string, wraps: readonly GroupMemberWrap[]): Promise<void> {
  const seen = new Set<string>();
  for (const { userId, wrap } of wraps) {
    if (seen.has(userId)) throw invalid('Each member gets one wrap.');
    seen.add(userId);
    const m = await memberships.findMembership(db, organizationId, userId);
    if (m === undefined || m.status !== 'confirmed' || m.certificate === null) throw invalid('Groups can only hold confirmed members of the organization.');
    requireWrap(wrap, { version: 2, recipientKeysetId: m.certificate.keysetId, signerKeysetId: organizationKeysetId }, 'group key wrap');
  }
}

export interface CreateGroupInput {
  readonly id: string;
  readonly name: string;
  readonly keyset: SealedKeyset;
  readonly certificate: GroupCertificate;
  readonly members: readonly GroupMemberWrap[];
}

/** @throws LatchkeyError `not_found`, `forbidden`, `invalid_request`, `already_exists`. */
export async function createGroup(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  input: CreateGroupInput,
): Promise<{ id: string; keyVersion: number }> {
  await authorize(ctx.db, actor.userId, organizationId, 'group.manage');
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw invalid('A group needs a name of at most 200 characters.');
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  requireGroupCertificate(input.certificate, input.keyset, organizationId, input.id, 1, orgKeyset);
  await requireMemberWraps(ctx.db, organizationId, orgKeyset.keyset.id, input.members);
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await lockOrganization(tx, organizationId, now);
      // Re-checked under the lock: a member removed meanwhile must not end up in the group.
      await requireMemberWraps(tx, organizationId, orgKeyset.keyset.id, input.members);
      await groups.insertNewGroup(tx, {
        id: input.id,
        organizationId,
        kind: 'standard',
        name,
        createdBy: actor.userId,
        keyset: input.keyset,
        certificate: input.certificate,
        members: input.members,
        now,
      });
      await organizations.recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: actor.userId,
        type: 'group.created',
        detail: { group: input.id, members: input.members.length },
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'A group or keyset with this id already exists.');
    throw error;
  }
  return { id: input.id, keyVersion: 1 };
}

/** Adds a confirmed member with their wrap of the group's current key version. */
export async function addGroupMember(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  groupId: string,
  input: GroupMemberWrap & { keyVersion: number },
): Promise<void> {
  await authorize(ctx.db, actor.userId, organizationId, 'group.manage');
  const group = await groups.findGroup(ctx.db, organizationId, groupId);
  if (group === undefined) throw noSuchGroup();
  if (group.kind === 'recovery') throw byRoleOnly();
  if (input.keyVersion !== group.keyVersion)
    throw new LatchkeyError('conflict', 'The group was re-keyed meanwhile.', { details: { keyVersion: group.keyVersion } });
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await lockOrganization(tx, organizationId, now);
      await requireMemberWraps(tx, organizationId, orgKeyset.keyset.id, [input]);
      const current = await groups.findGroup(tx, organizationId, groupId);
      if (current?.keyVersion !== input.keyVersion) throw new LatchkeyError('conflict', 'The group was re-keyed meanwhile.');
      await groups.insertGroupMember(tx, { groupId, userId: input.userId, now });
      await groups.insertGroupKeyWrap(tx, { groupId, keyVersion: input.keyVersion, userId: input.userId, wrap: input.wrap, now });
      await organizations.recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: actor.userId,
        subjectUserId: input.userId,
        type: 'group.member-added',
        detail: { group: groupId },
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'This person is already in the group.');
    throw error;
  }
}

export interface RekeyGroupInput {
  readonly fromKeyVersion: number;
  readonly keyset: SealedKeyset;
  readonly certificate: GroupCertificate;
  /** Members to take out with this re-key (may be empty after someone left the organization). */
  readonly removeUserIds: readonly string[];
  /** The new version wrapped to exactly the members who remain. */
  readonly members: readonly GroupMemberWrap[];
  /** Every vault shared with the group, its vault key wrapped to the new group keyset by the caller. */
  readonly vaultShares: readonly { readonly vaultId: string; readonly wrap: KeyWrap }[];
}

/**
 * Re-keys a group to `fromKeyVersion + 1`. Only a member of the group can (only they can open the
 * vault keys shared with it to re-wrap them).
 * @throws LatchkeyError `not_found`, `forbidden`, `conflict` (re-keyed or changed meanwhile),
 *   `invalid_request` (wraps for anyone but exactly the remaining members; shares missing).
 */
export async function rekeyGroup(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  groupId: string,
  input: RekeyGroupInput,
): Promise<{ keyVersion: number }> {
  await authorize(ctx.db, actor.userId, organizationId, 'group.manage');
  const group = await groups.findGroup(ctx.db, organizationId, groupId);
  if (group === undefined) throw noSuchGroup();
  // A Recovery Group is re-keyed only after a holder left it (removed, suspended): never to take someone out.
  if (group.kind === 'recovery' && input.removeUserIds.length > 0) throw byRoleOnly();
  const to = input.fromKeyVersion + 1;
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  requireGroupCertificate(input.certificate, input.keyset, organizationId, groupId, to, orgKeyset);
  const own = (await userPublicKeyset(ctx.db, actor.userId))!;
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    await lockOrganization(tx, organizationId, now);
    const current = await groups.listGroupMemberIds(tx, groupId);
    if (!current.includes(actor.userId)) throw forbidden('Only a member of the group can re-key it.');
    if (!(await groups.advanceGroupKeyVersion(tx, groupId, input.fromKeyVersion, to, now)))
      throw new LatchkeyError('conflict', 'The group was re-keyed meanwhile.');
    const removed = new Set(input.removeUserIds);
    if (removed.has(actor.userId)) throw invalid('Leave the group by removing yourself from the organization, or let another member re-key it.');
    const remaining = current.filter((id) => !removed.has(id));
    const wrapped = new Set(input.members.map((m) => m.userId));
    if (remaining.length !== wrapped.size || remaining.some((id) => !wrapped.has(id)))
      throw invalid('The new group key must be wrapped to exactly the members who remain.');
    await requireMemberWraps(tx, organizationId, orgKeyset.keyset.id, input.members);
    const shares = await listGroupShares(tx, groupId);
    const rewrapped = new Map(input.vaultShares.map((s) => [s.vaultId, s.wrap]));
    if (shares.length !== rewrapped.size || shares.some((s) => !rewrapped.has(s.vaultId)))
      throw invalid('Every vault shared with the group must be re-wrapped to the new group key.');
    await groups.insertGroupKeyset(tx, { groupId, keyVersion: to, keyset: input.keyset, certificate: input.certificate, now });
    await groups.deleteGroupMembers(tx, groupId, [...removed]);
    for (const m of input.members) await groups.insertGroupKeyWrap(tx, { groupId, keyVersion: to, userId: m.userId, wrap: m.wrap, now });
    for (const s of shares) {
      const wrap = rewrapped.get(s.vaultId)!;
      requireWrap(wrap, { version: 1, recipientKeysetId: input.keyset.id, signerKeysetId: own.id }, 'vault key wrap');
      if (!(await rewrapGroupShare(tx, { vaultId: s.vaultId, groupId, fromVersion: input.fromKeyVersion, toVersion: to, wrap, now })))
        throw new LatchkeyError('conflict', 'A share of this group changed meanwhile.');
    }
    // The old versions go: a removed member's old wrap is no longer served to anyone. A Recovery
    // Group keeps them, wrapped to the remaining holders: escrows made under them must stay
    // openable for members who can never re-escrow (docs/protocol.md §22.8).
    if (group.kind !== 'recovery') await groups.deleteGroupKeysetsBelow(tx, groupId, to);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      type: 'group.rekeyed',
      detail: { group: groupId, keyVersion: to, removed: removed.size },
      now,
    });
  });
  return { keyVersion: to };
}

/**
 * A group as one of its members (or an admin) reads it: the current keyset, its certificate, and
 * the caller's own wrap when they are a member. Admins also get every member's wrap of the current
 * version (public: each is an HPKE ciphertext), which their client checks before a re-key.
 * @throws LatchkeyError `not_found` (also for a group of the organization the caller is not in,
 *   unless they may manage groups).
 */
export async function getGroup(ctx: ServerContext, actor: Actor, organizationId: string, groupId: string) {
  const { membership } = await authorize(ctx.db, actor.userId, organizationId, 'organization.view');
  if (membership.status !== 'confirmed') throw noSuchGroup();
  const group = await groups.findGroup(ctx.db, organizationId, groupId);
  if (group === undefined) throw noSuchGroup();
  const members = await groups.listGroupMemberIds(ctx.db, groupId);
  const manages = may(membership.role, 'group.manage');
  if (!members.includes(actor.userId) && !manages) throw noSuchGroup();
  const keyset = (await groups.findGroupKeyset(ctx.db, groupId, group.keyVersion))!;
  const wrap = await groups.findGroupKeyWrapFor(ctx.db, groupId, group.keyVersion, actor.userId);
  return {
    id: group.id,
    name: group.name,
    kind: group.kind,
    keyVersion: group.keyVersion,
    keyset: keyset.keyset,
    certificate: keyset.certificate,
    members,
    ...(wrap === undefined ? {} : { keyWrap: wrap }),
    ...(manages ? { memberWraps: await groups.listGroupKeyWraps(ctx.db, groupId, group.keyVersion) } : {}),
    // Each must be re-wrapped to the new group key at a re-key.
    sharedVaultIds: (await listGroupShares(ctx.db, groupId)).map((s) => s.vaultId),
  };
}

/**
 * The organization's groups the caller is in; every group for those who may manage groups.
 * @throws LatchkeyError `not_found` (non-members), `forbidden` (not confirmed).
 */
export async function listGroups(ctx: ServerContext, actor: Actor, organizationId: string) {
  const { membership } = await authorize(ctx.db, actor.userId, organizationId, 'members.list');
  const manages = may(membership.role, 'group.manage');
  const listed = [];
  for (const group of await groups.listGroups(ctx.db, organizationId)) {
    const members = await groups.listGroupMemberIds(ctx.db, group.id);
    if (manages || members.includes(actor.userId)) listed.push({ id: group.id, name: group.name, kind: group.kind, keyVersion: group.keyVersion, members });
  }
  return listed;
}

export async function deleteGroup(ctx: ServerContext, actor: Actor, organizationId: string, groupId: string): Promise<void> {
  await authorize(ctx.db, actor.userId, organizationId, 'group.manage');
  if ((await groups.findGroup(ctx.db, organizationId, groupId))?.kind === 'recovery') throw byRoleOnly();
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await groups.deleteGroup(tx, organizationId, groupId))) throw noSuchGroup();
    await organizations.recordOrganizationEvent(tx, { organizationId, actorUserId: actor.userId, type: 'group.deleted', detail: { group: groupId }, now });
  });
}
