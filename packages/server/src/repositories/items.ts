/**
 * Encrypted items. Reads are scoped through `vault_access` to the caller; writes are
 * compare-and-set on `version`, so a stale edit is detected rather than overwriting a newer one.
 * An item in the Trash (`deleted_at` set) is invisible to every finder but the Trash's own.
 */
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type { Tx } from '../context.ts';

export interface ItemRow {
  id: ItemId;
  vaultId: VaultId;
  version: number;
  ciphertext: string;
  updatedAt: Date;
}

const itemColumns = [
  'items.id as id',
  'items.vault_id as vaultId',
  'items.version as version',
  'items.ciphertext as ciphertext',
  'items.updated_at as updatedAt',
] as const;

/** The one place item and vault ids are read from columns: the database holds only ids a client chose and the server validated. */
const toItemRow = (row: Omit<ItemRow, 'id' | 'vaultId'> & { id: string; vaultId: string }): ItemRow => ({
  ...row,
  id: row.id as ItemId,
  vaultId: row.vaultId as VaultId,
});

export async function listItems(db: Tx, vaultId: string): Promise<ItemRow[]> {
  return (
    await db
      .selectFrom('items')
      .select(itemColumns)
      .where('vault_id', '=', vaultId)
      .where('deleted_at', 'is', null)
      .orderBy('items.created_at', 'asc')
      .execute()
  ).map(toItemRow);
}

export async function findItemForUser(db: Tx, userId: string, itemId: string): Promise<ItemRow | undefined> {
  const row = await db
    .selectFrom('items')
    .innerJoin('vault_access', 'vault_access.vault_id', 'items.vault_id')
    .select(itemColumns)
    .where('items.id', '=', itemId)
    .where('items.deleted_at', 'is', null)
    .where('vault_access.user_id', '=', userId)
    .executeTakeFirst();
  return row === undefined ? undefined : toItemRow(row);
}

/** Any item by id: only for a caller whose access to its vault is checked next (a share). */
export async function findItemById(db: Tx, itemId: string): Promise<ItemRow | undefined> {
  const row = await db.selectFrom('items').select(itemColumns).where('id', '=', itemId).where('deleted_at', 'is', null).executeTakeFirst();
  return row === undefined ? undefined : toItemRow(row);
}

/** The item in this vault, live or in the Trash as `state` says. */
export async function findItemInVault(db: Tx, vaultId: string, itemId: string, state: 'live' | 'trashed' = 'live'): Promise<ItemRow | undefined> {
  const row = await db
    .selectFrom('items')
    .select(itemColumns)
    .where('vault_id', '=', vaultId)
    .where('id', '=', itemId)
    .where('deleted_at', state === 'live' ? 'is' : 'is not', null)
    .executeTakeFirst();
  return row === undefined ? undefined : toItemRow(row);
}

export async function itemIdExists(db: Tx, itemId: string): Promise<boolean> {
  return (await db.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst()) !== undefined;
}

export async function insertItem(db: Tx, item: { id: string; vaultId: string; ciphertext: string; now: Date }): Promise<void> {
  await db
    .insertInto('items')
    .values({ id: item.id, vault_id: item.vaultId, version: 1, ciphertext: item.ciphertext, created_at: item.now, updated_at: item.now })
    .execute();
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters (6 a row). */
const INSERT_CHUNK = 500;

/** Many new items (version 1) in as few statements as the parameter limits allow; run inside the caller's transaction. */
export async function insertItems(db: Tx, items: ReadonlyArray<{ id: string; vaultId: string; ciphertext: string }>, now: Date): Promise<void> {
  for (let at = 0; at < items.length; at += INSERT_CHUNK) {
    await db
      .insertInto('items')
      .values(
        items
          .slice(at, at + INSERT_CHUNK)
          .map((item) => ({ id: item.id, vault_id: item.vaultId, version: 1, ciphertext: item.ciphertext, created_at: now, updated_at: now })),
      )
      .execute();
  }
}

/** Returns the new version, or undefined when `expectedVersion` is no longer current. */
export async function updateItemIfVersion(
  db: Tx,
  item: { id: string; vaultId: string; expectedVersion: number; ciphertext: string; now: Date },
): Promise<number | undefined> {
  const row = await db
    .updateTable('items')
    .set({ ciphertext: item.ciphertext, version: item.expectedVersion + 1, updated_at: item.now })
    .where('id', '=', item.id)
    .where('vault_id', '=', item.vaultId)
    .where('version', '=', item.expectedVersion)
    .where('deleted_at', 'is', null)
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}

export interface TrashedItemRow extends ItemRow {
  deletedAt: Date;
}

/**
 * Moves a live item to the Trash (`deletedAt` a date) or brings a trashed one back (`null`), as
 * a new version with the ciphertext the client sealed for that state. Returns the new version,
 * or undefined when the item is not in the other state at `expectedVersion`.
 */
export async function setItemTrashedIfVersion(
  db: Tx,
  item: { id: string; vaultId: string; expectedVersion: number; ciphertext: string; deletedAt: Date | null; now: Date },
): Promise<number | undefined> {
  const row = await db
    .updateTable('items')
    .set({ ciphertext: item.ciphertext, version: item.expectedVersion + 1, updated_at: item.now, deleted_at: item.deletedAt })
    .where('id', '=', item.id)
    .where('vault_id', '=', item.vaultId)
    .where('version', '=', item.expectedVersion)
    .where('deleted_at', item.deletedAt === null ? 'is not' : 'is', null)
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}

export async function listTrash(db: Tx, vaultId: string): Promise<TrashedItemRow[]> {
  const rows = await db
    .selectFrom('items')
    .select([...itemColumns, 'items.deleted_at as deletedAt'])
    .where('vault_id', '=', vaultId)
    .where('deleted_at', 'is not', null)
    .orderBy('items.deleted_at', 'desc')
    .execute();
  return rows.map((row) => ({ ...toItemRow(row), deletedAt: row.deletedAt! }));
}

/** Deletes one trashed item for good if still at `expectedVersion`. */
export async function purgeItemIfVersion(db: Tx, item: { id: string; vaultId: string; expectedVersion: number }): Promise<boolean> {
  const result = await db
    .deleteFrom('items')
    .where('id', '=', item.id)
    .where('vault_id', '=', item.vaultId)
    .where('version', '=', item.expectedVersion)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Deletes every trashed item of a vault (or only those trashed before `before`); returns what went, at its version. */
export async function purgeTrash(db: Tx, scope: { vaultId?: string; before?: Date }): Promise<Array<{ id: ItemId; version: number }>> {
  let query = db.deleteFrom('items').where('deleted_at', 'is not', null);
  if (scope.vaultId !== undefined) query = query.where('vault_id', '=', scope.vaultId);
  if (scope.before !== undefined) query = query.where('deleted_at', '<', scope.before);
  return (await query.returning(['id', 'version']).execute()).map((r) => ({ id: r.id as ItemId, version: r.version }));
}

/** How many items the vault holds, live and in the Trash. */
export async function countItemsOfVault(db: Tx, vaultId: string): Promise<number> {
  const row = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('vault_id', '=', vaultId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Moves a live item from one vault to another as a new version, with the ciphertext the client
 * sealed under the target vault's key: one UPDATE of the one row, so the item is in exactly one
 * vault at every moment. Returns the new version, or undefined when the item is not live in
 * `fromVaultId` at `expectedVersion`.
 */
export async function moveItemIfVersion(
  db: Tx,
  item: { id: string; fromVaultId: string; toVaultId: string; expectedVersion: number; ciphertext: string; now: Date },
): Promise<number | undefined> {
  const row = await db
    .updateTable('items')
    .set({ vault_id: item.toVaultId, ciphertext: item.ciphertext, version: item.expectedVersion + 1, updated_at: item.now })
    .where('id', '=', item.id)
    .where('vault_id', '=', item.fromVaultId)
    .where('version', '=', item.expectedVersion)
    .where('deleted_at', 'is', null)
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}
