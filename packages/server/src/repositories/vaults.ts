/**
 * Vaults and who may read them. Every finder takes the caller's user id and joins through
 * `vault_access`, so authorization happens inside the lookup: a vault the caller may not
 * read is indistinguishable from one that does not exist.
 */
import type { Tx } from '../context.ts';
import type { VaultKind, VaultRole } from '../storage/schema.ts';

export interface VaultAccessRow {
  id: string;
  kind: VaultKind;
  role: VaultRole;
  encryptedAttrs: string;
  wrappedKey: string;
  keysetId: string;
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
      'vault_access.wrapped_key as wrappedKey',
      'users.keyset_id as keysetId',
    ])
    .where('vault_access.user_id', '=', userId);

export async function listVaultsForUser(db: Tx, userId: string): Promise<VaultAccessRow[]> {
  return accessQuery(db, userId).orderBy('vaults.created_at', 'asc').execute();
}

export async function findVaultForUser(db: Tx, userId: string, vaultId: string): Promise<VaultAccessRow | undefined> {
  return accessQuery(db, userId).where('vaults.id', '=', vaultId).executeTakeFirst();
}

export async function vaultIdExists(db: Tx, vaultId: string): Promise<boolean> {
  return (await db.selectFrom('vaults').select('id').where('id', '=', vaultId).executeTakeFirst()) !== undefined;
}

export async function insertVault(
  db: Tx,
  vault: { id: string; kind: VaultKind; createdBy: string; encryptedAttrs: string; wrappedKey: string; now: Date },
): Promise<void> {
  await db
    .insertInto('vaults')
    .values({ id: vault.id, kind: vault.kind, created_by: vault.createdBy, encrypted_attrs: vault.encryptedAttrs, created_at: vault.now, updated_at: vault.now })
    .execute();
  await db
    .insertInto('vault_access')
    .values({ vault_id: vault.id, user_id: vault.createdBy, wrapped_key: vault.wrappedKey, role: 'owner', created_at: vault.now })
    .execute();
}
