/**
 * Sharing vaults inside an organization (docs/protocol.md §22.6): with a confirmed member or a
 * group, with a role (view, edit, manage), as a signed wrap of the vault key made by the sharer
 * to the recipient's certified keyset (or the group's current keyset). Unsharing deletes the wrap;
 * the answer says that what the person saw should be rotated (they may have kept copies).
 *
 * Protects against: anyone but a vault's owner or a `manage` sharer changing who may read it; a
 * share to someone outside the organization or not yet confirmed (they have no certified keyset);
 * and a person seeing a vault they may not read (they get `not_found`, as for a vault that does
 * not exist).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { ServerContext, Tx } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import * as shares from '../repositories/vault-shares.ts';
import { findVaultForUser, findVaultKind } from '../repositories/vaults.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { VaultShareRole } from '../storage/organization-schema.ts';
import type { Actor } from './organizations.ts';
import { invalid, requireWrap, userPublicKeyset } from './org-checks.ts';
import { authorize, forbidden } from './org-permissions.ts';

const noSuchVault = () => new LatchkeyError('not_found', 'No such vault.');
const ROLE_RANK: Readonly<Record<VaultShareRole | 'owner', number>> = { view: 1, edit: 2, manage: 3, owner: 4 };

/** True when `access` (a vault's owner, or a share's role) allows at least `needed`. */
export const accessAllows = (access: VaultShareRole | 'owner', needed: VaultShareRole | 'owner'): boolean => ROLE_RANK[access] >= ROLE_RANK[needed];

/**
 * The strongest way the caller may reach `vaultId`: `owner` (their own vault), or the best role
 * among shares to them and their groups; `undefined` when they may not read it.
 */
export async function vaultAccessOf(db: Tx, userId: string, vaultId: string): Promise<VaultShareRole | 'owner' | undefined> {
  const own = await findVaultForUser(db, userId, vaultId);
  if (own !== undefined && own.role === 'owner') return 'owner';
  const reachable = await shares.findReadableShares(db, userId, vaultId);
  let best: VaultShareRole | undefined;
  for (const s of reachable) if (best === undefined || ROLE_RANK[s.role] > ROLE_RANK[best]) best = s.role;
  return best;
}

/** @throws `not_found` when the caller cannot read the vault, `forbidden` when they can but may not manage it. */
async function requireManager(db: Tx, userId: string, vaultId: string): Promise<void> {
  const access = await vaultAccessOf(db, userId, vaultId);
  if (access === undefined) throw noSuchVault();
  if (ROLE_RANK[access] < ROLE_RANK.manage) throw forbidden('Only the vault owner or someone who may manage it can change who has access.');
}

export interface ShareVaultInput {
  readonly shareId: string;
  readonly vaultId: string;
  readonly recipient: { readonly userId: string } | { readonly groupId: string };
  readonly role: VaultShareRole;
  /** The vault key wrapped to the recipient's keyset (format 1), signed by the caller's keyset. */
  readonly wrap: KeyWrap;
}

/**
 * @throws LatchkeyError `not_found` (organization or vault the caller cannot see; unknown group),
 *   `forbidden`, `invalid_request` (a Personal vault; a recipient who is not a confirmed member;
 *   a wrap to another keyset or signed by another), `already_exists` (already shared with them).
 */
export async function shareVault(ctx: ServerContext, actor: Actor, organizationId: string, input: ShareVaultInput): Promise<{ shareId: string }> {
  await authorize(ctx.db, actor.userId, organizationId, 'vault.share');
  await requireManager(ctx.db, actor.userId, input.vaultId);
  if ((await findVaultKind(ctx.db, input.vaultId)) === 'personal') throw invalid('A Personal vault cannot be shared; create a vault for sharing.');
  const own = (await userPublicKeyset(ctx.db, actor.userId))!;
  const now = ctx.clock();
  let target: { userId: string } | { groupId: string; groupKeyVersion: number };
  if ('userId' in input.recipient) {
    if (input.recipient.userId === actor.userId) throw invalid('You already have this vault.');
    const m = await memberships.findMembership(ctx.db, organizationId, input.recipient.userId);
    if (m === undefined || m.status !== 'confirmed' || m.certificate === null) throw invalid('Vaults can only be shared with confirmed members.');
    requireWrap(input.wrap, { version: 1, recipientKeysetId: m.certificate.keysetId, signerKeysetId: own.id }, 'vault key wrap');
    target = { userId: input.recipient.userId };
  } else {
    const group = await groups.findGroup(ctx.db, organizationId, input.recipient.groupId);
    if (group === undefined) throw new LatchkeyError('not_found', 'No such group.');
    // Its members read escrows only through an approved recovery, never items through a share (§22.8).
    if (group.kind === 'recovery') throw invalid('Vaults are not shared with the Recovery Group.');
    const keyset = (await groups.findGroupKeyset(ctx.db, group.id, group.keyVersion))!;
    requireWrap(input.wrap, { version: 1, recipientKeysetId: keyset.keyset.id, signerKeysetId: own.id }, 'vault key wrap');
    target = { groupId: group.id, groupKeyVersion: group.keyVersion };
  }
  try {
    await ctx.db.transaction().execute(async (tx) => {
      // Under the transaction: the recipient must still be confirmed, the group still at this version.
      if ('userId' in target) {
        const m = await memberships.findMembership(tx, organizationId, target.userId);
        if (m?.status !== 'confirmed') throw invalid('Vaults can only be shared with confirmed members.');
      } else {
        const g = await groups.findGroup(tx, organizationId, target.groupId);
        if (g?.keyVersion !== target.groupKeyVersion) throw new LatchkeyError('conflict', 'The group was re-keyed meanwhile.');
      }
      await shares.insertVaultShare(tx, {
        id: input.shareId,
        vaultId: input.vaultId,
        organizationId,
        ...target,
        role: input.role,
        sharedBy: actor.userId,
        wrap: input.wrap,
        now,
      });
      await organizations.recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: actor.userId,
        subjectUserId: 'userId' in target ? target.userId : null,
        type: 'vault.shared',
        detail: { vault: input.vaultId, role: input.role, ...('groupId' in target ? { group: target.groupId } : {}) },
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'This vault is already shared with them.');
    throw error;
  }
  return { shareId: input.shareId };
}

/** A share of `vaultId` (one of another vault is not found, as an unknown one). */
async function requireShareOf(db: Tx, vaultId: string, shareId: string): Promise<shares.VaultShareRow> {
  const share = await shares.findVaultShare(db, shareId);
  if (share === undefined || share.vaultId !== vaultId) throw new LatchkeyError('not_found', 'No such share.');
  return share;
}

/** @throws LatchkeyError `not_found`, `forbidden`. */
export async function changeShareRole(ctx: ServerContext, actor: Actor, vaultId: string, shareId: string, role: VaultShareRole): Promise<void> {
  // The vault first: for someone who cannot read it, its shares do not exist either.
  await requireManager(ctx.db, actor.userId, vaultId);
  const share = await requireShareOf(ctx.db, vaultId, shareId);
  await authorize(ctx.db, actor.userId, share.organizationId, 'vault.share');
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await shares.updateVaultShareRole(tx, shareId, role, now))) throw new LatchkeyError('not_found', 'No such share.');
    await organizations.recordOrganizationEvent(tx, {
      organizationId: share.organizationId,
      actorUserId: actor.userId,
      subjectUserId: share.userId,
      type: 'vault.share-changed',
      detail: { vault: share.vaultId, role },
      now,
    });
  });
}

/**
 * Removes a share: its wrap is deleted at once. `rotateSecrets` is always true: the person (or
 * the group's members) saw the vault's items and may have kept them.
 * @throws LatchkeyError `not_found`, `forbidden`.
 */
export async function unshareVault(ctx: ServerContext, actor: Actor, vaultId: string, shareId: string): Promise<{ rotateSecrets: true }> {
  // The vault first: for someone who cannot read it, its shares do not exist either.
  await requireManager(ctx.db, actor.userId, vaultId);
  const share = await requireShareOf(ctx.db, vaultId, shareId);
  await authorize(ctx.db, actor.userId, share.organizationId, 'vault.share');
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await shares.deleteVaultShare(tx, shareId))) throw new LatchkeyError('not_found', 'No such share.');
    await organizations.recordOrganizationEvent(tx, {
      organizationId: share.organizationId,
      actorUserId: actor.userId,
      subjectUserId: share.userId,
      type: 'vault.unshared',
      detail: { vault: share.vaultId, ...(share.groupId === null ? {} : { group: share.groupId }) },
      now,
    });
  });
  return { rotateSecrets: true };
}

/** The shares of a vault, for someone who may manage it. @throws `not_found`, `forbidden`. */
export async function listVaultShares(ctx: ServerContext, actor: Actor, vaultId: string) {
  await requireManager(ctx.db, actor.userId, vaultId);
  return (await shares.listSharesOfVault(ctx.db, vaultId)).map((s) => ({
    id: s.id,
    organizationId: s.organizationId,
    userId: s.userId,
    groupId: s.groupId,
    role: s.role,
  }));
}

/** Every vault shared with the caller (directly or through a group), with the wrap they open it by. */
export async function listSharedVaults(ctx: ServerContext, actor: Actor): Promise<shares.ReadableSharedVault[]> {
  return shares.listReadableSharedVaults(ctx.db, actor.userId);
}

/** One shared vault the caller may read. @throws LatchkeyError `not_found` otherwise. */
export async function getSharedVault(ctx: ServerContext, actor: Actor, vaultId: string): Promise<shares.ReadableSharedVault[]> {
  const reachable = await shares.findReadableShares(ctx.db, actor.userId, vaultId);
  if (reachable.length === 0) throw noSuchVault();
  return reachable;
}
