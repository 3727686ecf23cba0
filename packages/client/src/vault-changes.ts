/**
 * Renaming and deleting vaults on the client (docs/protocol.md §8.6). A new name is sealed under
 * the vault's key, checked and pinned as for any listing, bound to the vault. Deleting happens in
 * two steps so that a person is told first what goes: `describeDeletion` lists the vault's items,
 * its Trash, its shares and the Recovery Groups holding its key; `deleteVault` sends exactly those
 * counts (the server refuses with `conflict` if anything changed meanwhile) and then remembers,
 * on this device, every item it deleted and the vault itself as deleted, so a server showing any
 * of them again is refused (`rollback_detected`).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemId, VaultId } from '@latchkey/core/ids';
import { encryptVaultAttributes } from '@latchkey/core/vault-key';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ClientContext } from './context.ts';
import { checkAndRecordVersions, listItems, listTrash } from './items.ts';
import { pinVaultDeleted } from './key-trust.ts';
import { ITEM_DELETED } from './local-store.ts';
import type { RecoverableBy } from './recovery-group.ts';
import { requireSession } from './sign-in.ts';
import { listVaultShares, type VaultShareInfo } from './vault-sharing.ts';
import { fetchVaults, listVaults, requireUnlocked, vaultKeysFor, type Vault } from './vaults.ts';

/** Gives the vault a new name; its owner or someone it is shared with to `manage` may. */
export async function renameVault(ctx: ClientContext, vaultId: VaultId, name: string): Promise<{ id: VaultId; name: string }> {
  requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A vault needs a name.');
  const entry = (await fetchVaults(ctx)).find((v) => v.id === vaultId);
  if (entry === undefined) throw new LatchkeyError('not_found', 'No such vault.');
  if (entry.access !== 'owner' && entry.access !== 'manage')
    throw new LatchkeyError('forbidden', 'Only the vault owner or someone who may manage it can rename it.');
  // Sealed only under a key whose wrap verified and matches this device's pin.
  const key = (await vaultKeysFor(ctx, [entry])).get(vaultId)!;
  await ctx.api.call(endpoints.renameVault, { params: { vaultId }, body: { encryptedAttrs: await encryptVaultAttributes(key, vaultId, { name }) } });
  return { id: vaultId, name };
}

/** What deleting a vault removes, to be shown before the person confirms; pass it to `deleteVault` unchanged. */
export interface VaultDeletionPlan {
  readonly vault: Vault;
  /** Its live items, deleted for good (they do not go to any Trash). */
  readonly items: readonly { readonly id: ItemId; readonly title: string }[];
  /** What is in its Trash, deleted for good too. */
  readonly trashed: readonly { readonly id: ItemId; readonly title: string }[];
  /** Everyone it is shared with: they lose it at once. */
  readonly shares: readonly VaultShareInfo[];
  /** Organizations whose Recovery Group holds its key: those escrows are deleted with it. */
  readonly recoverableBy: readonly RecoverableBy[];
}

/**
 * Everything deleting the vault would remove. Only the owner may delete a vault, and never the
 * Personal one (`forbidden`, `invalid_request`).
 */
export async function describeDeletion(ctx: ClientContext, vaultId: VaultId): Promise<VaultDeletionPlan> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const vault = (await listVaults(ctx)).find((v) => v.id === vaultId);
  if (vault === undefined) throw new LatchkeyError('not_found', 'No such vault.');
  if (vault.access !== 'owner') throw new LatchkeyError('forbidden', 'Only the vault owner can delete it.');
  if (vault.kind === 'personal') throw new LatchkeyError('invalid_request', 'The Personal vault cannot be deleted.');
  const [items, trashed, shares] = await Promise.all([listItems(ctx, vaultId), listTrash(ctx, vaultId), listVaultShares(ctx, vaultId)]);
  return {
    vault,
    items: items.map((i) => ({ id: i.id, title: i.title })),
    trashed: trashed.map((i) => ({ id: i.id, title: i.title })),
    shares,
    recoverableBy: vault.recoverableBy,
  };
}

/**
 * Deletes the vault, with what `plan` says (needs a re-authentication within 5 minutes: `unlock`
 * first). Returns how many items went. If the vault changed since the plan was made, nothing is
 * deleted and this throws `conflict`: describe it again and ask again.
 */
export async function deleteVault(ctx: ClientContext, plan: VaultDeletionPlan): Promise<number> {
  const keys = requireUnlocked(ctx);
  await requireSession(ctx);
  const vaultId = plan.vault.id;
  const { items: gone } = await ctx.api.call(endpoints.deleteVault, {
    params: { vaultId },
    body: { expectedItemCount: plan.items.length + plan.trashed.length, expectedShareCount: plan.shares.length },
  });
  const ids = new Set<string>([...plan.items.map((i) => i.id), ...plan.trashed.map((i) => i.id), ...gone.map((i) => i.id)]);
  await checkAndRecordVersions(
    ctx,
    [...ids].map((id) => ({ id, version: ITEM_DELETED })),
  );
  await pinVaultDeleted(ctx, keys.keyset.id, vaultId);
  keys.vaultKeys.delete(vaultId);
  return ids.size;
}
