/**
 * Items on the client: encrypt before sending, decrypt after receiving, with the item id, vault
 * id and version bound into the ciphertext. The highest version seen of each item is
 * remembered, so a server presenting an older version is noticed (`rollback_detected`); an item
 * this device deleted is remembered as deleted, so the server cannot bring it back either.
 * Edits name the version they were made from; a stale edit fails with `conflict`.
 */
import { decryptItem, encryptItem, validateItemFields, type ItemFields } from '@latchkey/core/item';
import { LatchkeyError } from '@latchkey/core/errors';
import type { EncryptedItem, ItemList, ItemVersion } from '@latchkey/core/wire/vaults';
import type { ClientContext } from './context.ts';
import { ITEM_DELETED, updateStore } from './local-store.ts';
import { requireSession } from './sign-in.ts';
import { fetchVaults, requireUnlocked, vaultKeyFor } from './vaults.ts';

export interface Item extends ItemFields {
  readonly id: string;
  readonly vaultId: string;
  readonly version: number;
  readonly updatedAt: string;
}

async function vaultKeyById(ctx: ClientContext, vaultId: string) {
  const cached = requireUnlocked(ctx).vaultKeys.get(vaultId);
  if (cached !== undefined) return cached;
  const vault = (await fetchVaults(ctx)).find((v) => v.id === vaultId);
  if (vault === undefined) throw new LatchkeyError('not_found', 'No such vault.');
  return vaultKeyFor(ctx, vault);
}

/** Checks versions against what this device has seen, then records the new high-water marks. */
async function checkAndRecordVersions(ctx: ClientContext, items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
  const userId = requireUnlocked(ctx).account.id;
  const seen = (await ctx.store.read()).itemVersions?.[userId] ?? {};
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
    const mine = { ...(s.itemVersions?.[userId] ?? {}) };
    for (const i of items) mine[i.id] = Math.max(mine[i.id] ?? 0, i.version);
    s.itemVersions = { ...s.itemVersions, [userId]: mine };
  });
}

async function decryptOne(ctx: ClientContext, encrypted: EncryptedItem): Promise<Item> {
  const fields = await decryptItem(await vaultKeyById(ctx, encrypted.vaultId), { vaultId: encrypted.vaultId, itemId: encrypted.id, version: encrypted.version }, encrypted.ciphertext);
  return { ...fields, id: encrypted.id, vaultId: encrypted.vaultId, version: encrypted.version, updatedAt: encrypted.updatedAt };
}

export async function listItems(ctx: ClientContext, vaultId?: string): Promise<Item[]> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const vaultIds = vaultId !== undefined ? [vaultId] : (await fetchVaults(ctx)).map((v) => v.id);
  const encrypted = (await Promise.all(vaultIds.map((id) => ctx.api.request<ItemList>('GET', `/api/vaults/${id}/items`)))).flatMap((l) => l.items);
  await Promise.all(vaultIds.map((id) => vaultKeyById(ctx, id)));
  const items = await Promise.all(encrypted.map((e) => decryptOne(ctx, e)));
  await checkAndRecordVersions(ctx, items);
  return items;
}

export async function getItem(ctx: ClientContext, itemId: string): Promise<Item> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const item = await decryptOne(ctx, await ctx.api.request<EncryptedItem>('GET', `/api/items/${encodeURIComponent(itemId)}`));
  await checkAndRecordVersions(ctx, [item]);
  return item;
}

export async function createItem(ctx: ClientContext, vaultId: string, fields: ItemFields): Promise<Item> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const id = crypto.randomUUID();
  const valid = validateItemFields(fields);
  const ciphertext = await encryptItem(await vaultKeyById(ctx, vaultId), { vaultId, itemId: id, version: 1 }, valid);
  await ctx.api.request<ItemVersion>('POST', `/api/vaults/${vaultId}/items`, { id, ciphertext });
  await checkAndRecordVersions(ctx, [{ id, version: 1 }]);
  return { ...valid, id, vaultId, version: 1, updatedAt: new Date().toISOString() };
}

/**
 * Applies `changes` to the item as of `basedOn` (the version the user edited; by default the
 * current one). Fields set to `undefined` in `changes` are removed.
 */
export async function updateItem(ctx: ClientContext, itemId: string, changes: Partial<ItemFields>, basedOn?: Item): Promise<Item> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  const merged: Record<string, unknown> = { ...stripMeta(current), ...changes };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const fields = validateItemFields(merged);
  const version = current.version + 1;
  const ciphertext = await encryptItem(await vaultKeyById(ctx, current.vaultId), { vaultId: current.vaultId, itemId, version }, fields);
  await ctx.api.request<ItemVersion>('PUT', `/api/vaults/${current.vaultId}/items/${itemId}`, { expectedVersion: current.version, ciphertext });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId: current.vaultId, version, updatedAt: new Date().toISOString() };
}

export async function deleteItem(ctx: ClientContext, itemId: string, basedOn?: Item): Promise<void> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  await ctx.api.request('DELETE', `/api/vaults/${current.vaultId}/items/${itemId}`, { expectedVersion: current.version });
  // The tombstone is above every version, so any copy of this item shown again is a rollback.
  await checkAndRecordVersions(ctx, [{ id: itemId, version: ITEM_DELETED }]);
}

function stripMeta(item: Item): ItemFields {
  const { id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields } = item;
  return fields;
}
