/**
 * Items on the client: encrypt before sending, decrypt after receiving, with the item id, vault
 * id and version bound into the ciphertext. Decryption binds the ids the client asked for (the
 * vault it listed, the item it fetched), not the ids the server states, so an item moved to
 * another vault or handed out under another id fails to open. The highest version seen of each
 * item is remembered, per keyset, so a server presenting an older version is noticed
 * (`rollback_detected`); an item this device deleted is remembered as deleted, so the server
 * cannot bring it back either. Edits name the version they were made from; a stale edit fails
 * with `conflict`.
 */
import { decryptItem, encryptItem, validateItemFields, type ItemFields } from '@latchkey/core/item';
import { LatchkeyError } from '@latchkey/core/errors';
import { newItemId, type ItemId, type VaultId } from '@latchkey/core/ids';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { EncryptedItem } from '@latchkey/core/wire/vaults';
import type { ClientContext } from './context.ts';
import { ITEM_DELETED, updateStore } from './local-store.ts';
import { requireSession } from './sign-in.ts';
import { fetchVaults, requireUnlocked, vaultKeysFor } from './vaults.ts';

export interface Item extends ItemFields {
  readonly id: ItemId;
  readonly vaultId: VaultId;
  readonly version: number;
  readonly updatedAt: string;
}

/** Opens (verifies, pins, caches) the keys of these vaults, fetching the vault list only when one is not cached. */
async function openVaultKeys(ctx: ClientContext, vaultIds: readonly VaultId[]): Promise<void> {
  const cached = requireUnlocked(ctx).vaultKeys;
  const missing = new Set(vaultIds.filter((id) => !cached.has(id)));
  if (missing.size === 0) return;
  const summaries = (await fetchVaults(ctx)).filter((v) => missing.has(v.id));
  if (summaries.length < missing.size) throw new LatchkeyError('not_found', 'No such vault.');
  await vaultKeysFor(ctx, summaries);
}

async function vaultKeyById(ctx: ClientContext, vaultId: VaultId) {
  await openVaultKeys(ctx, [vaultId]);
  return requireUnlocked(ctx).vaultKeys.get(vaultId)!;
}

/** Checks versions against what this device has seen, then records the new high-water marks. */
export async function checkAndRecordVersions(ctx: ClientContext, items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
  // The keyset id, authenticated when the keyset opened: the profile's account id is only the server's word.
  const keysetId = requireUnlocked(ctx).keyset.id;
  const seen = (await ctx.store.read()).itemVersions?.[keysetId] ?? {};
  const stale = items.find((i) => (seen[i.id] ?? 0) > i.version);
  if (stale !== undefined) {
    throw new LatchkeyError(
      'rollback_detected',
      seen[stale.id] === ITEM_DELETED
        ? `The server returned an item this device deleted (at version ${stale.version}).`
        : `The server returned version ${stale.version} of an item this device has seen at version ${seen[stale.id]}.`,
    );
  }
  if (items.every((i) => seen[i.id] === i.version)) return;
  await updateStore(ctx.store, (s) => {
    const mine = { ...(s.itemVersions?.[keysetId] ?? {}) };
    for (const i of items) mine[i.id] = Math.max(mine[i.id] ?? 0, i.version);
    s.itemVersions = { ...s.itemVersions, [keysetId]: mine };
  });
}

/** Decrypts as item `ids.itemId` of vault `ids.vaultId`: what the client asked for, whatever the server says. */
async function decryptOne(ctx: ClientContext, encrypted: EncryptedItem, ids: { vaultId: VaultId; itemId: ItemId }): Promise<Item> {
  const fields = await decryptItem(await vaultKeyById(ctx, ids.vaultId), { ...ids, version: encrypted.version }, encrypted.ciphertext);
  return { ...fields, id: ids.itemId, vaultId: ids.vaultId, version: encrypted.version, updatedAt: encrypted.updatedAt };
}

export async function listItems(ctx: ClientContext, vaultId?: VaultId): Promise<Item[]> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const vaultIds = vaultId !== undefined ? [vaultId] : (await fetchVaults(ctx)).map((v) => v.id);
  const perVault = await Promise.all(
    vaultIds.map(async (id) => ({ vaultId: id, items: (await ctx.api.call(endpoints.listItems, { params: { vaultId: id } })).items })),
  );
  await openVaultKeys(ctx, vaultIds);
  const items = await Promise.all(perVault.flatMap(({ vaultId: id, items: list }) => list.map((e) => decryptOne(ctx, e, { vaultId: id, itemId: e.id }))));
  await checkAndRecordVersions(ctx, items);
  return items;
}

export async function getItem(ctx: ClientContext, itemId: ItemId): Promise<Item> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const encrypted = await ctx.api.call(endpoints.getItem, { params: { itemId } });
  const item = await decryptOne(ctx, encrypted, { vaultId: encrypted.vaultId, itemId });
  await checkAndRecordVersions(ctx, [item]);
  return item;
}

export async function createItem(ctx: ClientContext, vaultId: VaultId, fields: ItemFields): Promise<Item> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const id = newItemId();
  const valid = validateItemFields(fields);
  const ciphertext = await encryptItem(await vaultKeyById(ctx, vaultId), { vaultId, itemId: id, version: 1 }, valid);
  await ctx.api.call(endpoints.createItem, { params: { vaultId }, body: { id, ciphertext } });
  await checkAndRecordVersions(ctx, [{ id, version: 1 }]);
  return { ...valid, id, vaultId, version: 1, updatedAt: new Date().toISOString() };
}

/**
 * Applies `changes` to the item as of `basedOn` (the version the user edited; by default the
 * current one). Fields set to `undefined` in `changes` are removed.
 */
export async function updateItem(ctx: ClientContext, itemId: ItemId, changes: Partial<ItemFields>, basedOn?: Item): Promise<Item> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  const merged: Record<string, unknown> = { ...stripMeta(current), ...changes };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const fields = validateItemFields(merged);
  const version = current.version + 1;
  const ciphertext = await encryptItem(await vaultKeyById(ctx, current.vaultId), { vaultId: current.vaultId, itemId, version }, fields);
  await ctx.api.call(endpoints.updateItem, { params: { vaultId: current.vaultId, itemId }, body: { expectedVersion: current.version, ciphertext } });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId: current.vaultId, version, updatedAt: new Date().toISOString() };
}

export async function deleteItem(ctx: ClientContext, itemId: ItemId, basedOn?: Item): Promise<void> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  await ctx.api.call(endpoints.deleteItem, { params: { vaultId: current.vaultId, itemId }, body: { expectedVersion: current.version } });
  // The tombstone is above every version, so any copy of this item shown again is a rollback.
  await checkAndRecordVersions(ctx, [{ id: itemId, version: ITEM_DELETED }]);
}

function stripMeta(item: Item): ItemFields {
  const { id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields } = item;
  return fields;
}
