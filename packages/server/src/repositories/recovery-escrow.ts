/**
 * Escrowed vault keys (migration 0014, docs/protocol.md §22.8): one sealed escrow wrap per
 * (vault, organization). Only the organizer-recovery release (services/organizer-recovery.ts)
 * reads `sealed_wrap` to hand it out, after the approval that reaches the policy's count.
 */
import type { Tx } from '../context.ts';

/** Stores the escrow, replacing an older one of the same vault and organization. */
export async function upsertEscrow(
  db: Tx,
  e: { vaultId: string; organizationId: string; recoveryKeyVersion: number; sealedWrap: string; now: Date },
): Promise<void> {
  await db
    .insertInto('recovery_escrow')
    .values({
      vault_id: e.vaultId,
      organization_id: e.organizationId,
      recovery_key_version: e.recoveryKeyVersion,
      sealed_wrap: e.sealedWrap,
      created_at: e.now,
    })
    .onConflict((oc) =>
      oc.columns(['vault_id', 'organization_id']).doUpdateSet({ recovery_key_version: e.recoveryKeyVersion, sealed_wrap: e.sealedWrap, created_at: e.now }),
    )
    .execute();
}

/** The vaults owned by `userId` that hold an escrow to `organizationId` at `recoveryKeyVersion`. */
export async function listEscrowedVaultIdsOfOwner(db: Tx, organizationId: string, userId: string, recoveryKeyVersion: number): Promise<string[]> {
  const rows = await db
    .selectFrom('recovery_escrow')
    .innerJoin('vault_access', 'vault_access.vault_id', 'recovery_escrow.vault_id')
    .select('recovery_escrow.vault_id')
    .where('recovery_escrow.organization_id', '=', organizationId)
    .where('recovery_escrow.recovery_key_version', '=', recoveryKeyVersion)
    .where('vault_access.user_id', '=', userId)
    .where('vault_access.role', '=', 'owner')
    .execute();
  return rows.map((r) => r.vault_id);
}

/** Deletes the escrows of `userId`'s own vaults to `organizationId` (they left it: it recovers them no more). */
export async function deleteEscrowsOfOwner(db: Tx, organizationId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('recovery_escrow')
    .where('organization_id', '=', organizationId)
    .where('vault_id', 'in', db.selectFrom('vault_access').select('vault_id').where('user_id', '=', userId).where('role', '=', 'owner'))
    .execute();
}

/** Every escrow's key and sealed wrap (for re-sealing after a keyring rotation; never sent anywhere). */
export async function listAllSealedEscrows(db: Tx): Promise<Array<{ vaultId: string; organizationId: string; sealedWrap: string }>> {
  return db.selectFrom('recovery_escrow').select(['vault_id as vaultId', 'organization_id as organizationId', 'sealed_wrap as sealedWrap']).execute();
}

/** Replaces one sealed wrap with its re-sealed form, only if no re-escrow replaced it meanwhile. */
export async function resealEscrow(db: Tx, e: { vaultId: string; organizationId: string; from: string; to: string }): Promise<void> {
  await db
    .updateTable('recovery_escrow')
    .set({ sealed_wrap: e.to })
    .where('vault_id', '=', e.vaultId)
    .where('organization_id', '=', e.organizationId)
    .where('sealed_wrap', '=', e.from)
    .execute();
}

/** The organizations whose Recovery Group holds an escrow of this vault's key (any version). */
export async function listEscrowOrganizationsOfVault(db: Tx, vaultId: string): Promise<string[]> {
  return (await db.selectFrom('recovery_escrow').select('organization_id').distinct().where('vault_id', '=', vaultId).execute()).map((r) => r.organization_id);
}

/** The sealed escrows of `userId`'s own vaults to `organizationId` (for an approved organizer recovery's release only). */
export async function listSealedEscrowsOfOwner(
  db: Tx,
  organizationId: string,
  userId: string,
): Promise<Array<{ vaultId: string; keyVersion: number; sealedWrap: string }>> {
  return db
    .selectFrom('recovery_escrow')
    .innerJoin('vault_access', 'vault_access.vault_id', 'recovery_escrow.vault_id')
    .select(['recovery_escrow.vault_id as vaultId', 'recovery_escrow.recovery_key_version as keyVersion', 'recovery_escrow.sealed_wrap as sealedWrap'])
    .where('recovery_escrow.organization_id', '=', organizationId)
    .where('vault_access.user_id', '=', userId)
    .where('vault_access.role', '=', 'owner')
    .orderBy('recovery_escrow.vault_id')
    .execute();
}

/** Deletes every escrow of `userId`'s own vaults, to every organization (their old keyset signed them; the client escrows again). */
export async function deleteAllEscrowsOfOwner(db: Tx, userId: string): Promise<void> {
  await db
    .deleteFrom('recovery_escrow')
    .where('vault_id', 'in', db.selectFrom('vault_access').select('vault_id').where('user_id', '=', userId).where('role', '=', 'owner'))
    .execute();
}
