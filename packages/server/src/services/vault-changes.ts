/**
 * Renaming and deleting vaults (docs/protocol.md §8.6). A name is sealed by the client under the
 * vault key, so renaming only stores new sealed attributes. Deleting is for the vault's owner
 * alone and deletes, in one transaction, its items (live and in the Trash), its shares, its
 * Recovery Group escrows and every wrap of its key, but only if what the person was told before
 * confirming (how many items, how many shares) is still true.
 *
 * Protects against: someone with a share deleting a vault that is not theirs (a `manage` share may
 * rename, never delete); deleting more than the person agreed to (an item added or a share made
 * on another device meanwhile gives `conflict`, nothing deleted); a stolen session destroying
 * vaults (the route needs a re-authentication within 5 minutes); the Personal vault going (every
 * account keeps one); an organization not learning that a vault shared with it, or escrowed to its
 * Recovery Group, is gone (an organization log event in each).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { VaultId } from '@latchkey/core/ids';
import type { DeleteVaultRequest, ItemVersion, RenameVaultRequest } from '@latchkey/core/wire/vaults';
import type { RequestMeta, ServerContext } from '../context.ts';
import { countItemsOfVault } from '../repositories/items.ts';
import { recordOrganizationEvent } from '../repositories/organizations.ts';
import { listEscrowOrganizationsOfVault } from '../repositories/recovery-escrow.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { listSharesOfVault } from '../repositories/vault-shares.ts';
import * as vaults from '../repositories/vaults.ts';
import type { AuthenticatedSession } from './sessions.ts';
import { accessAllows, vaultAccessOf } from './shared-vaults.ts';

const noSuchVault = () => new LatchkeyError('not_found', 'No such vault.');

/** @throws LatchkeyError `not_found` (a vault the caller cannot read), `forbidden` (a share weaker than `manage`). */
export async function renameVault(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  vaultId: VaultId,
  body: RenameVaultRequest,
): Promise<{ id: VaultId }> {
  const access = await vaultAccessOf(ctx.db, session.userId, vaultId);
  if (access === undefined) throw noSuchVault();
  if (!accessAllows(access, 'manage')) throw new LatchkeyError('forbidden', 'Only the vault owner or someone who may manage it can rename it.');
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await vaults.updateVaultAttrs(tx, vaultId, body.encryptedAttrs, now))) throw noSuchVault();
    await recordSecurityEvent(tx, { userId: session.userId, type: 'vault.renamed', detail: { vault: vaultId }, ip: meta.ip, now });
  });
  return { id: vaultId };
}

/**
 * @throws LatchkeyError `not_found`, `forbidden` (not the owner), `invalid_request` (the Personal
 *   vault), `conflict` with `details.itemCount` and `details.shareCount` (the counts changed).
 */
export async function deleteVault(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  vaultId: VaultId,
  body: DeleteVaultRequest,
): Promise<{ items: ItemVersion[] }> {
  const access = await vaultAccessOf(ctx.db, session.userId, vaultId);
  if (access === undefined) throw noSuchVault();
  if (access !== 'owner') throw new LatchkeyError('forbidden', 'Only the vault owner can delete it.');
  const now = ctx.clock();
  return ctx.db.transaction().execute(async (tx) => {
    // Locked first: no item can be added or moved in, and no share made, while it is checked and deleted.
    if (!(await vaults.lockVault(tx, vaultId))) throw noSuchVault();
    if ((await vaults.findVaultKind(tx, vaultId)) === 'personal') throw new LatchkeyError('invalid_request', 'The Personal vault cannot be deleted.');
    const itemCount = await countItemsOfVault(tx, vaultId);
    const shares = await listSharesOfVault(tx, vaultId);
    if (itemCount !== body.expectedItemCount || shares.length !== body.expectedShareCount) {
      throw new LatchkeyError('conflict', 'This vault changed since you were told what deleting it removes. Look again, then confirm.', {
        details: { itemCount, shareCount: shares.length },
      });
    }
    const escrowedTo = await listEscrowOrganizationsOfVault(tx, vaultId);
    const gone = await vaults.deleteVaultAndContents(tx, vaultId);
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: 'vault.deleted',
      detail: { vault: vaultId, items: gone.length, shares: shares.length },
      ip: meta.ip,
      now,
    });
    const organizations = new Set([...shares.map((s) => s.organizationId), ...escrowedTo]);
    for (const organizationId of organizations) {
      await recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: session.userId,
        type: 'vault.deleted',
        detail: {
          vault: vaultId,
          shares: shares.filter((s) => s.organizationId === organizationId).length,
          escrowed: escrowedTo.includes(organizationId),
        },
        now,
      });
    }
    return { items: gone };
  });
}
