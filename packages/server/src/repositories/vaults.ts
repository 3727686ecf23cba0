/**
 * Vaults and who may read them. Every finder takes the caller's user id and joins through
 * `vault_access`, so authorization happens inside the lookup: a vault the caller may not
 * read is indistinguishable from one that does not exist.
 */
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type { KeyWrap } from '@latchkey/core/wire/key-wrap';
import type { Tx } from '../context.ts';
import type { VaultKind, VaultRole } from '../storage/schema.ts';

export interface VaultAccessRow {
  id: VaultId;
  kind: VaultKind;
  role: VaultRole;
  encryptedAttrs: string;
  /** The caller's signed wrap of the vault key; the recipient is the caller's keyset. */
  keyWrap: KeyWrap;
}

const accessQuery = (db: Tx, userId: string) =>
  db
    .selectFrom('vault_access')
    .innerJoin('vaults', 'vaults.id', 'vault_access.vault_id')
    .innerJoin('users', 'users.id', 'vault_access.user_id')
    .select([
      'vaults.id as id',
      'vaults.kind as kind',
      'vault_access.role as role',
      'vaults.encrypted_attrs as encryptedAttrs',
      'vault_access.wrapped_key as ciphertext',
      'vault_access.wrap_version as wrapVersion',
      'vault_access.wrap_signer_keyset_id as signerKeysetId',
      'vault_access.wrap_signature as signature',
      'users.keyset_id as recipientKeysetId',
    ])
    .where('vault_access.user_id', '=', userId);

type AccessQueryRow = Awaited<ReturnType<ReturnType<typeof accessQuery>['executeTakeFirstOrThrow']>>;

/** The one place a vault id is read from a column: the database holds only ids a client chose and the server validated. */
const toAccessRow = (row: AccessQueryRow): VaultAccessRow => ({
  id: row.id as VaultId,
  kind: row.kind,
  role: row.role,
  encryptedAttrs: row.encryptedAttrs,
  keyWrap: {
    version: row.wrapVersion,
    recipientKeysetId: row.recipientKeysetId,
    ciphertext: row.ciphertext,
    signerKeysetId: row.signerKeysetId,
    signature: row.signature,
  },
});

export async function listVaultsForUser(db: Tx, userId: string): Promise<VaultAccessRow[]> {
  return (await accessQuery(db, userId).orderBy('vaults.created_at', 'asc').execute()).map(toAccessRow);
}

export async function findVaultForUser(db: Tx, userId: string, vaultId: string): Promise<VaultAccessRow | undefined> {
  const row = await accessQuery(db, userId).where('vaults.id', '=', vaultId).executeTakeFirst();
  return row === undefined ? undefined : toAccessRow(row);
}

export async function findVaultKind(db: Tx, vaultId: string): Promise<VaultKind | undefined> {
  return (await db.selectFrom('vaults').select('kind').where('id', '=', vaultId).executeTakeFirst())?.kind;
}

export async function vaultIdExists(db: Tx, vaultId: string): Promise<boolean> {
  return (await db.selectFrom('vaults').select('id').where('id', '=', vaultId).executeTakeFirst()) !== undefined;
}

/** Inserts the vault and its creator's access, with the creator's signed wrap of the vault key. */
export async function insertVault(
  db: Tx,
  vault: { id: string; kind: VaultKind; createdBy: string; encryptedAttrs: string; keyWrap: KeyWrap; now: Date },
): Promise<void> {
  await db
    .insertInto('vaults')
    .values({
      id: vault.id,
      kind: vault.kind,
      created_by: vault.createdBy,
      encrypted_attrs: vault.encryptedAttrs,
      created_at: vault.now,
      updated_at: vault.now,
    })
    .execute();
  await db
    .insertInto('vault_access')
    .values({
      vault_id: vault.id,
      user_id: vault.createdBy,
      wrapped_key: vault.keyWrap.ciphertext,
      wrap_version: vault.keyWrap.version,
      wrap_signer_keyset_id: vault.keyWrap.signerKeysetId,
      wrap_signature: vault.keyWrap.signature,
      role: 'owner',
      created_at: vault.now,
    })
    .execute();
}

/** Replaces the vault's sealed attributes (its name); false when the vault is gone. */
export async function updateVaultAttrs(db: Tx, vaultId: string, encryptedAttrs: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('vaults').set({ encrypted_attrs: encryptedAttrs, updated_at: now }).where('id', '=', vaultId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Locks the vault row for the rest of the transaction (PostgreSQL; SQLite's write transaction
 * already excludes every other writer), so no item can be added to it, or moved into it, until
 * the transaction ends: an item's insert checks its foreign key against this row.
 */
export async function lockVault(db: Tx, vaultId: string): Promise<boolean> {
  return (await db.selectFrom('vaults').select('id').where('id', '=', vaultId).forUpdate().executeTakeFirst()) !== undefined;
}

/**
 * Deletes the vault and everything that hangs on it, explicitly and in this order (not relying
 * on cascades): its items live and trashed, its shares, its Recovery Group escrows, every
 * reader's wrap, the vault row. Returns the items that went, at their versions. Run inside the
 * caller's transaction.
 */
export async function deleteVaultAndContents(db: Tx, vaultId: string): Promise<Array<{ id: ItemId; version: number }>> {
  const gone = await db.deleteFrom('items').where('vault_id', '=', vaultId).returning(['id', 'version']).execute();
  await db.deleteFrom('vault_shares').where('vault_id', '=', vaultId).execute();
  await db.deleteFrom('recovery_escrow').where('vault_id', '=', vaultId).execute();
  await db.deleteFrom('vault_access').where('vault_id', '=', vaultId).execute();
  await db.deleteFrom('vaults').where('id', '=', vaultId).execute();
  return gone.map((r) => ({ id: r.id as ItemId, version: r.version }));
}

/** The ids of the vaults `userId` owns. */
export async function listOwnedVaultIds(db: Tx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('vault_access').select('vault_id').where('user_id', '=', userId).where('role', '=', 'owner').orderBy('vault_id').execute();
  return rows.map((r) => r.vault_id);
}

/** Replaces the owner's wrap of a vault key (an organizer recovery re-wraps it to the member's new keyset). */
export async function replaceOwnerWrap(db: Tx, vaultId: string, userId: string, wrap: KeyWrap): Promise<void> {
  await db
    .updateTable('vault_access')
    .set({ wrapped_key: wrap.ciphertext, wrap_version: wrap.version, wrap_signer_keyset_id: wrap.signerKeysetId, wrap_signature: wrap.signature })
    .where('vault_id', '=', vaultId)
    .where('user_id', '=', userId)
    .where('role', '=', 'owner')
    .execute();
}
