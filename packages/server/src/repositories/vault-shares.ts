/**
 * Vaults shared inside an organization, with a person or a group, each with a role and the signed
 * wrap of the vault key to that recipient. The finders take the caller's user id and join through
 * their confirmed membership (and, for group shares, their group membership), so a vault the
 * caller may not read is not found.
 */
import type { VaultId } from '@latchkey/core/ids';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { Tx } from '../context.ts';
import type { VaultShareRole } from '../storage/organization-schema.ts';
import { wrapColumns, wrapFromColumns } from './organizations.ts';

export interface VaultShareRow {
  id: string;
  vaultId: VaultId;
  organizationId: string;
  userId: string | null;
  groupId: string | null;
  groupKeyVersion: number | null;
  role: VaultShareRole;
  sharedBy: string;
  wrap: KeyWrap;
}

type Raw = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;
const baseQuery = (db: Tx) => db.selectFrom('vault_shares').selectAll('vault_shares');
const toRow = (r: Raw): VaultShareRow => ({
  id: r.id,
  vaultId: r.vault_id as VaultId,
  organizationId: r.organization_id,
  userId: r.user_id,
  groupId: r.group_id,
  groupKeyVersion: r.group_key_version,
  role: r.role,
  sharedBy: r.shared_by,
  wrap: wrapFromColumns(r),
});

export async function insertVaultShare(
  db: Tx,
  s: {
    id: string;
    vaultId: string;
    organizationId: string;
    userId?: string;
    groupId?: string;
    groupKeyVersion?: number;
    role: VaultShareRole;
    sharedBy: string;
    wrap: KeyWrap;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('vault_shares')
    .values({
      id: s.id,
      vault_id: s.vaultId,
      organization_id: s.organizationId,
      user_id: s.userId ?? null,
      group_id: s.groupId ?? null,
      group_key_version: s.groupKeyVersion ?? null,
      role: s.role,
      shared_by: s.sharedBy,
      ...wrapColumns(s.wrap),
      created_at: s.now,
      updated_at: s.now,
    })
    .execute();
}

export async function findVaultShare(db: Tx, shareId: string): Promise<VaultShareRow | undefined> {
  const row = await baseQuery(db).where('id', '=', shareId).executeTakeFirst();
  return row === undefined ? undefined : toRow(row);
}

export async function listSharesOfVault(db: Tx, vaultId: string): Promise<VaultShareRow[]> {
  return (await baseQuery(db).where('vault_id', '=', vaultId).orderBy('created_at', 'asc').execute()).map(toRow);
}

export async function listGroupShares(db: Tx, groupId: string): Promise<VaultShareRow[]> {
  return (await baseQuery(db).where('group_id', '=', groupId).execute()).map(toRow);
}

export async function updateVaultShareRole(db: Tx, shareId: string, role: VaultShareRole, now: Date): Promise<boolean> {
  const result = await db.updateTable('vault_shares').set({ role, updated_at: now }).where('id', '=', shareId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Replaces a group share's wrap with one of the group's new key version (after a re-key). */
export async function rewrapGroupShare(
  db: Tx,
  r: { vaultId: string; groupId: string; fromVersion: number; toVersion: number; wrap: KeyWrap; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('vault_shares')
    .set({ group_key_version: r.toVersion, ...wrapColumns(r.wrap), updated_at: r.now })
    .where('vault_id', '=', r.vaultId)
    .where('group_id', '=', r.groupId)
    .where('group_key_version', '=', r.fromVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteVaultShare(db: Tx, shareId: string): Promise<boolean> {
  const result = await db.deleteFrom('vault_shares').where('id', '=', shareId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Every direct share with `userId` inside the organization. */
export async function deleteUserSharesInOrganization(db: Tx, organizationId: string, userId: string): Promise<number> {
  const result = await db.deleteFrom('vault_shares').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A vault shared with the caller, directly or through a group, as the caller may read it. */
export interface ReadableSharedVault {
  vaultId: VaultId;
  shareId: string;
  organizationId: string;
  role: VaultShareRole;
  encryptedAttrs: string;
  /** Set for a share through a group: the vault key is wrapped to that group's keyset. */
  groupId: string | null;
  groupKeyVersion: number | null;
  /** Who shared it: their keyset signed the wrap (the client checks their member certificate). */
  sharedBy: string;
  wrap: KeyWrap;
}

const readableQuery = (db: Tx, userId: string) =>
  db
    .selectFrom('vault_shares')
    .innerJoin('vaults', 'vaults.id', 'vault_shares.vault_id')
    .innerJoin('memberships', (j) =>
      j
        .onRef('memberships.organization_id', '=', 'vault_shares.organization_id')
        .on('memberships.user_id', '=', userId)
        .on('memberships.status', '=', 'confirmed'),
    )
    .leftJoin('group_memberships', (j) => j.onRef('group_memberships.group_id', '=', 'vault_shares.group_id').on('group_memberships.user_id', '=', userId))
    .selectAll('vault_shares')
    .select('vaults.encrypted_attrs')
    .where((eb) => eb.or([eb('vault_shares.user_id', '=', userId), eb('group_memberships.user_id', '=', userId)]));

type ReadableRaw = Awaited<ReturnType<ReturnType<typeof readableQuery>['executeTakeFirstOrThrow']>>;
const toReadable = (r: ReadableRaw): ReadableSharedVault => ({
  vaultId: r.vault_id as VaultId,
  shareId: r.id,
  organizationId: r.organization_id,
  role: r.role,
  encryptedAttrs: r.encrypted_attrs,
  groupId: r.group_id,
  groupKeyVersion: r.group_key_version,
  sharedBy: r.shared_by,
  wrap: wrapFromColumns(r),
});

export async function listReadableSharedVaults(db: Tx, userId: string): Promise<ReadableSharedVault[]> {
  return (await readableQuery(db, userId).orderBy('vault_shares.created_at', 'asc').execute()).map(toReadable);
}

/** Every way the caller may read `vaultId` through a share (directly and through groups). */
export async function findReadableShares(db: Tx, userId: string, vaultId: string): Promise<ReadableSharedVault[]> {
  return (await readableQuery(db, userId).where('vault_shares.vault_id', '=', vaultId).execute()).map(toReadable);
}
