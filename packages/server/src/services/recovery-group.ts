/**
 * The Recovery Group and escrowed vault keys on the server (docs/protocol.md §22.8).
 *
 * - **The Recovery Group** is a `groups` row of kind `recovery`, one per organization, whose
 *   members are exactly the confirmed holders of a Recovery Group role (`RECOVERY_ROLES`). A
 *   holder's client creates it (with the organization, or for an older organization on its next
 *   vault listing) wrapped to every such holder; confirming a holder adds wraps of every kept
 *   version (memberships.ts); removing one leaves a re-key that keeps older versions (groups.ts).
 *   Nobody adds or removes its members by hand and no vault is shared with it.
 * - **Escrows**: a confirmed member uploads, per own vault, the vault key wrapped to the current
 *   Recovery Group version and signed by their own keyset. The server checks it names that
 *   version, that recipient and that signer and that the signature verifies, then seals it with
 *   the keyring (purpose `recovery-escrow`, bound to vault and organization), so a database copy
 *   opens nothing, even for a Recovery Group member. Nothing here returns an escrow.
 */
import { fromBase64Url, utf8 } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import { parseVaultId } from '@latchkey/core/ids';
import type { GroupCertificate } from '@latchkey/core/keyset-certificate';
import { verifyKeyWrap, type KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import { escrowContext } from '@latchkey/core/recovery-escrow';
import type { ServerContext, Tx } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import * as escrows from '../repositories/recovery-escrow.ts';
import { findVaultForUser } from '../repositories/vaults.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { OrganizationRole } from '../storage/organization-schema.ts';
import type { GroupMemberWrap } from './groups.ts';
import type { Actor } from './organizations.ts';
import { invalid, lockOrganization, requireGroupCertificate, requireWrap, userPublicKeyset } from './org-checks.ts';
import { authorize, forbidden, RECOVERY_ROLES } from './org-permissions.ts';

export const RECOVERY_GROUP_NAME = 'Recovery Group';

/**
 * For a Recovery Group role in an organization that has a Recovery Group: checks (under the
 * organization lock) that every kept version comes wrapped to the member's accepted keyset,
 * signed by the organization keyset, and returns the group's id; otherwise no wraps may come.
 * @throws LatchkeyError `invalid_request`.
 */
export async function requireRecoveryGroupWraps(
  tx: Tx,
  organizationId: string,
  role: OrganizationRole,
  recipientKeysetId: string,
  organizationKeysetId: string,
  wraps: readonly { keyVersion: number; wrap: KeyWrap }[] | undefined,
): Promise<string | undefined> {
  const group = RECOVERY_ROLES.includes(role) ? await groups.findRecoveryGroup(tx, organizationId) : undefined;
  if (group === undefined) {
    if (wraps !== undefined) throw invalid('Only organizers, owners and recovery admins get the Recovery Group, once the organization has one.');
    return undefined;
  }
  const versions = await groups.listGroupKeyVersions(tx, group.id);
  const given = new Set((wraps ?? []).map((w) => w.keyVersion));
  if (wraps === undefined || given.size !== wraps.length || given.size !== versions.length || versions.some((v) => !given.has(v)))
    throw invalid(`A ${role} gets every kept version of the Recovery Group wrapped to them (versions ${versions.join(', ')}).`);
  for (const w of wraps) requireWrap(w.wrap, { version: 2, recipientKeysetId, signerKeysetId: organizationKeysetId }, 'Recovery Group key wrap');
  return group.id;
}

/**
 * A role change reaching the Recovery Group (called from member-roles.ts in the change's
 * transaction): gaining a Recovery Group role adds the member with the wraps of every kept
 * version (checked as at confirmation); losing one takes them out with all their wraps and marks
 * the group for a re-key, which the changer's client (or the next holder's) does. Returns the
 * Recovery Group's id when it needs that re-key.
 * @throws LatchkeyError `invalid_request` (wraps missing, unexpected or wrong).
 */
export async function applyRoleChangeToRecoveryGroup(
  tx: Tx,
  change: {
    organizationId: string;
    userId: string;
    from: OrganizationRole;
    to: OrganizationRole;
    keysetId: string;
    organizationKeysetId: string;
    recoveryGroupWraps?: readonly { keyVersion: number; wrap: KeyWrap }[] | undefined;
  },
  now: Date,
): Promise<string | undefined> {
  const had = RECOVERY_ROLES.includes(change.from);
  const gains = !had && RECOVERY_ROLES.includes(change.to);
  if (!gains) {
    if (change.recoveryGroupWraps !== undefined) throw invalid('Only a member who gains a Recovery Group role gets Recovery Group wraps.');
    if (!had || RECOVERY_ROLES.includes(change.to)) return undefined;
    const group = await groups.findRecoveryGroup(tx, change.organizationId);
    if (group === undefined || (await groups.deleteGroupMembers(tx, group.id, [change.userId])) === 0) return undefined;
    await groups.markRekeyNeeded(tx, group.id);
    return group.id;
  }
  const groupId = await requireRecoveryGroupWraps(
    tx,
    change.organizationId,
    change.to,
    change.keysetId,
    change.organizationKeysetId,
    change.recoveryGroupWraps,
  );
  if (groupId !== undefined) {
    await groups.insertGroupMember(tx, { groupId, userId: change.userId, now });
    for (const w of change.recoveryGroupWraps!)
      await groups.insertGroupKeyWrap(tx, { groupId, keyVersion: w.keyVersion, userId: change.userId, wrap: w.wrap, now });
  }
  return undefined;
}

const noRecoveryGroup = () => new LatchkeyError('not_found', 'This organization has no Recovery Group yet.');

/** The confirmed holders of a Recovery Group role, by user id, with the keyset id the organization certified. */
export async function recoveryHolders(db: Tx, organizationId: string): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  for (const m of await memberships.listMemberships(db, organizationId))
    if (m.status === 'confirmed' && m.certificate !== null && RECOVERY_ROLES.includes(m.role)) holders.set(m.userId, m.certificate.keysetId);
  return holders;
}

/** @throws `invalid_request` unless the wraps go to exactly the confirmed holders, each to their certified keyset, signed by the organization keyset. */
function requireHolderWraps(holders: Map<string, string>, organizationKeysetId: string, wraps: readonly GroupMemberWrap[]): void {
  const wrapped = new Set(wraps.map((w) => w.userId));
  if (wrapped.size !== wraps.length || wrapped.size !== holders.size || [...holders.keys()].some((id) => !wrapped.has(id)))
    throw invalid('The Recovery Group must be wrapped to exactly the confirmed organizers, owners and recovery admins.');
  for (const w of wraps) requireWrap(w.wrap, { version: 2, recipientKeysetId: holders.get(w.userId)!, signerKeysetId: organizationKeysetId }, 'group key wrap');
}

export interface CreateRecoveryGroupInput {
  readonly id: string;
  readonly keyset: SealedKeyset;
  readonly certificate: GroupCertificate;
  readonly members: readonly GroupMemberWrap[];
}

/**
 * Creates the organization's Recovery Group. Only a confirmed holder of a Recovery Group role may
 * (they are in it; an admin without recovery powers must never see its key).
 * @throws LatchkeyError `not_found`, `forbidden`, `invalid_request`, `already_exists` (it exists).
 */
export async function createRecoveryGroup(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  input: CreateRecoveryGroupInput,
): Promise<{ id: string; keyVersion: number }> {
  const { membership } = await authorize(ctx.db, actor.userId, organizationId, 'group.manage');
  if (!RECOVERY_ROLES.includes(membership.role)) throw forbidden('Only organizers, owners and recovery admins hold the Recovery Group.');
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  requireGroupCertificate(input.certificate, input.keyset, organizationId, input.id, 1, orgKeyset);
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (tx) => {
      // Under the organization lock: one Recovery Group per organization, and its holders as they are now.
      await lockOrganization(tx, organizationId, now);
      requireHolderWraps(await recoveryHolders(tx, organizationId), orgKeyset.keyset.id, input.members);
      if ((await groups.findRecoveryGroup(tx, organizationId)) !== undefined)
        throw new LatchkeyError('already_exists', 'This organization already has a Recovery Group.');
      await groups.insertNewGroup(tx, {
        id: input.id,
        organizationId,
        kind: 'recovery',
        name: RECOVERY_GROUP_NAME,
        createdBy: actor.userId,
        keyset: input.keyset,
        certificate: input.certificate,
        members: input.members,
        now,
      });
      await organizations.recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: actor.userId,
        type: 'recovery-group.created',
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

/**
 * The Recovery Group as one of its holders reads it: every kept version with the caller's own wrap.
 * @throws LatchkeyError `not_found` (no Recovery Group; or the caller is not in it).
 */
export async function getRecoveryGroup(ctx: ServerContext, actor: Actor, organizationId: string) {
  await authorize(ctx.db, actor.userId, organizationId, 'members.list');
  const group = await groups.findRecoveryGroup(ctx.db, organizationId);
  if (group === undefined) throw noRecoveryGroup();
  const members = await groups.listGroupMemberIds(ctx.db, group.id);
  if (!members.includes(actor.userId)) throw noRecoveryGroup();
  const versions = await groups.listGroupVersionsWithWrapFor(ctx.db, group.id, actor.userId);
  return {
    id: group.id,
    keyVersion: group.keyVersion,
    members,
    versions: versions.map((v) => ({
      keyVersion: v.keyVersion,
      keyset: v.keyset,
      certificate: v.certificate,
      ...(v.keyWrap === undefined ? {} : { keyWrap: v.keyWrap }),
    })),
  };
}

/** Per organization where the caller is confirmed: the Recovery Group's current version (certificate) and which of their vaults are escrowed to it. */
export async function recoveryStatus(ctx: ServerContext, actor: Actor) {
  const entries = [];
  for (const m of await memberships.listMembershipsOfUser(ctx.db, actor.userId)) {
    if (m.status !== 'confirmed') continue;
    const group = await groups.findRecoveryGroup(ctx.db, m.id);
    const keyset = group === undefined ? undefined : await groups.findGroupKeyset(ctx.db, group.id, group.keyVersion);
    entries.push({
      organizationId: m.id,
      name: m.name,
      role: m.role,
      recoveryGroup:
        group === undefined || keyset === undefined
          ? null
          : { id: group.id, keyVersion: group.keyVersion, certificate: keyset.certificate, rekeyNeeded: group.rekeyNeeded },
      escrowedVaultIds: group === undefined ? [] : (await escrows.listEscrowedVaultIdsOfOwner(ctx.db, m.id, actor.userId, group.keyVersion)).map(parseVaultId),
    });
  }
  return entries;
}

/**
 * Stores the escrow of one of the caller's own vaults to the organization's current Recovery
 * Group version, sealed with the keyring.
 * @throws LatchkeyError `not_found` (not a member; not the caller's own vault; no Recovery Group),
 *   `forbidden` (membership not confirmed), `conflict` (the Recovery Group was re-keyed: escrow
 *   to the new version), `invalid_request` (a wrap of another format, purpose, vault, version,
 *   recipient or signer, or whose signature does not verify).
 */
export async function escrowVaultKey(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  vaultId: string,
  input: { keyVersion: number; wrap: KeyWrap },
): Promise<{ escrowed: true; keyVersion: number }> {
  await authorize(ctx.db, actor.userId, organizationId, 'members.list');
  const vault = await findVaultForUser(ctx.db, actor.userId, vaultId);
  if (vault === undefined || vault.role !== 'owner') throw new LatchkeyError('not_found', 'No such vault.');
  const group = await groups.findRecoveryGroup(ctx.db, organizationId);
  if (group === undefined) throw noRecoveryGroup();
  if (input.keyVersion !== group.keyVersion)
    throw new LatchkeyError('conflict', 'The Recovery Group has another key version now.', { details: { keyVersion: group.keyVersion } });
  const keyset = (await groups.findGroupKeyset(ctx.db, group.id, group.keyVersion))!;
  const own = (await userPublicKeyset(ctx.db, actor.userId))!;
  requireWrap(input.wrap, { version: 2, recipientKeysetId: keyset.keyset.id, signerKeysetId: own.id }, 'escrow wrap');
  try {
    verifyKeyWrap(
      input.wrap,
      escrowContext(vaultId, { keysetId: keyset.keyset.id, publicKey: fromBase64Url(keyset.keyset.publicKey), keyVersion: group.keyVersion }),
      { keysetId: own.id, signingPublicKey: fromBase64Url(own.signingPublicKey) },
    );
  } catch {
    throw invalid('The escrow wrap must be a vault-key-escrow wrap of this vault to the current Recovery Group version, signed by your keyset.');
  }
  const sealedWrap = await ctx.keyring.seal(utf8(JSON.stringify(input.wrap)), 'recovery-escrow', { vault: vaultId, organization: organizationId });
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    // Under the organization lock: a re-key or a removal of this member meanwhile wins, whole.
    await lockOrganization(tx, organizationId, now);
    const current = await groups.findRecoveryGroup(tx, organizationId);
    if (current?.keyVersion !== input.keyVersion) throw new LatchkeyError('conflict', 'The Recovery Group was re-keyed meanwhile.');
    const m = await memberships.findMembership(tx, organizationId, actor.userId);
    if (m?.status !== 'confirmed') throw forbidden('Your membership is not confirmed (any more).');
    await escrows.upsertEscrow(tx, { vaultId, organizationId, recoveryKeyVersion: input.keyVersion, sealedWrap, now });
  });
  return { escrowed: true, keyVersion: input.keyVersion };
}

/** Re-seals every escrow still under an older server key (run at start-up after a rotation, like TOTP secrets). */
export async function resealEscrows(ctx: ServerContext): Promise<number> {
  let count = 0;
  for (const row of await escrows.listAllSealedEscrows(ctx.db)) {
    if (ctx.keyring.isCurrent(row.sealedWrap)) continue;
    const binding = { vault: row.vaultId, organization: row.organizationId };
    const wrap = await ctx.keyring.open(row.sealedWrap, 'recovery-escrow', binding);
    await escrows.resealEscrow(ctx.db, { ...row, from: row.sealedWrap, to: await ctx.keyring.seal(wrap, 'recovery-escrow', binding) });
    count++;
  }
  return count;
}
