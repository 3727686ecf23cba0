/**
 * Encrypted items. Reads are scoped through `vault_access` to the caller; writes are
 * compare-and-set on `version`, so a stale edit is detected rather than overwriting a newer one.
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
  return (await db.selectFrom('items').select(itemColumns).where('vault_id', '=', vaultId).orderBy('items.created_at', 'asc').execute()).map(toItemRow);
}

export async function findItemForUser(db: Tx, userId: string, itemId: string): Promise<ItemRow | undefined> {
  const row = await db
    .selectFrom('items')
    .innerJoin('vault_access', 'vault_access.vault_id', 'items.vault_id')
    .select(itemColumns)
    .where('items.id', '=', itemId)
    .where('vault_access.user_id', '=', userId)
    .executeTakeFirst();
  return row === undefined ? undefined : toItemRow(row);
}

/** Any item by id: only for a caller whose access to its vault is checked next (a share). */
export async function findItemById(db: Tx, itemId: string): Promise<ItemRow | undefined> {
  const row = await db.selectFrom('items').select(itemColumns).where('id', '=', itemId).executeTakeFirst();
  return row === undefined ? undefined : toItemRow(row);
}

export async function findItemInVault(db: Tx, vaultId: string, itemId: string): Promise<ItemRow | undefined> {
  const row = await db.selectFrom('items').select(itemColumns).where('vault_id', '=', vaultId).where('id', '=', itemId).executeTakeFirst();
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
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}

export async function deleteItemIfVersion(db: Tx, item: { id: string; vaultId: string; expectedVersion: number }): Promise<boolean> {
  const result = await db
    .deleteFrom('items')
    .where('id', '=', item.id)
    .where('vault_id', '=', item.vaultId)
    .where('version', '=', item.expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
