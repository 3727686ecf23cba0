/**
 * Items on the client: encrypt before sending, decrypt after receiving, with the item id, vault
 * id and version bound into the ciphertext. Decryption binds the ids the client asked for (the
 * vault it listed, the item it fetched), not the ids the server states, so an item moved to
 * another vault or handed out under another id fails to open. The highest version seen of each
 * item is remembered, per keyset, so a server presenting an older version is noticed
 * (`rollback_detected`). Deleting moves an item to the Trash as a new version sealed as trashed,
 * restoring makes another sealed as live (docs/protocol.md §8.4), so the version pins cover both
 * and the server cannot show a trashed item as live, nor an old live version after a deletion.
 * An item this device purged is remembered as purged, so the server cannot bring it back either.
 * Moving an item to another vault re-seals it under that vault's key as a new version.
 * Edits name the version they were made from; a stale edit fails with `conflict`.
 */
import type { BoxKey } from '@latchkey/core/sealed-box';
import { decryptItem, decryptItems, decryptTrashedItems, encryptItem, encryptTrashedItem, validateItemFields, type ItemFields } from '@latchkey/core/item';
import { applyItemChanges } from '@latchkey/core/item-edit';
import { LatchkeyError } from '@latchkey/core/errors';
import { newItemId, type ItemId, type VaultId } from '@latchkey/core/ids';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { EncryptedItem } from '@latchkey/core/wire/vaults';
import type { ClientContext } from './context.ts';
import { ITEM_DELETED, updateStore, type ItemVersionMarks, type LocalStore } from './local-store.ts';
import { requireSession } from './sign-in.ts';
import { fetchVaults, requireUnlocked, vaultKeysFor } from './vaults.ts';

export interface Item extends ItemFields {
  readonly id: ItemId;
  readonly vaultId: VaultId;
  readonly version: number;
  readonly updatedAt: string;
}

/** An item in the Trash, at the version its deletion made. */
export interface TrashedItem extends Item {
  readonly deletedAt: string;
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

/**
 * Checks versions against what this device has seen, then records the new high-water marks.
 * Costs O(items given) on a store that keeps the marks apart (`LocalStore.itemVersions`): only
 * their marks are read and only those that go up are written.
 */
export async function checkAndRecordVersions(ctx: ClientContext, items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
  // The keyset id, authenticated when the keyset opened: the profile's account id is only the server's word.
  const keysetId = requireUnlocked(ctx).keyset.id;
  const marks = ctx.store.itemVersions ?? marksInState(ctx.store);
  const seen = await marks.get(
    keysetId,
    items.map((i) => i.id),
  );
  const stale = items.find((i) => (seen.get(i.id) ?? 0) > i.version);
  if (stale !== undefined) {
    throw new LatchkeyError(
      'rollback_detected',
      seen.get(stale.id) === ITEM_DELETED
        ? `The server returned an item this device deleted for good (at version ${stale.version}).`
        : `The server returned version ${stale.version} of an item this device has seen at version ${seen.get(stale.id)}.`,
    );
  }
  const higher = new Map<string, number>();
  for (const i of items) if ((seen.get(i.id) ?? 0) < i.version && (higher.get(i.id) ?? 0) < i.version) higher.set(i.id, i.version);
  if (higher.size > 0) await marks.raise(keysetId, higher);
}

/** The marks of a store that keeps them in its state (`LocalState.itemVersions`): each raise rewrites the state. */
function marksInState(store: LocalStore): ItemVersionMarks {
  return {
    async get(keysetId, itemIds) {
      const mine = (await store.read()).itemVersions?.[keysetId] ?? {};
      return new Map(itemIds.flatMap((id) => (mine[id] === undefined ? [] : [[id, mine[id]] as const])));
    },
    async raise(keysetId, raised) {
      await updateStore(store, (s) => {
        const mine = { ...(s.itemVersions?.[keysetId] ?? {}) };
        for (const [id, version] of raised) mine[id] = Math.max(mine[id] ?? 0, version);
        s.itemVersions = { ...s.itemVersions, [keysetId]: mine };
      });
    },
  };
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
  const keys = requireUnlocked(ctx).vaultKeys;
  // One batch per vault (docs/protocol.md §6.1), each item bound to the vault listed and its own id and version.
  const opened = await Promise.all(
    perVault.map(async ({ vaultId: id, items: list }) => {
      const fields = await decryptItems(
        keys.get(id)!,
        list.map((e) => ({ ref: { vaultId: id, itemId: e.id, version: e.version }, ciphertext: e.ciphertext })),
      );
      return list.map((e, i): Item => ({ ...fields[i]!, id: e.id, vaultId: id, version: e.version, updatedAt: e.updatedAt }));
    }),
  );
  const items = opened.flat();
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
 * current one). Fields set to `undefined` in `changes` are removed. A replaced password goes
 * into the item's password history, inside the ciphertext (core's applyItemChanges).
 */
export async function updateItem(ctx: ClientContext, itemId: ItemId, changes: Partial<ItemFields>, basedOn?: Item): Promise<Item> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  const fields = applyItemChanges(stripMeta(current), changes);
  const version = current.version + 1;
  const ciphertext = await encryptItem(await vaultKeyById(ctx, current.vaultId), { vaultId: current.vaultId, itemId, version }, fields);
  await ctx.api.call(endpoints.updateItem, { params: { vaultId: current.vaultId, itemId }, body: { expectedVersion: current.version, ciphertext } });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId: current.vaultId, version, updatedAt: new Date().toISOString() };
}

/** Moves the item to the Trash: a new version, sealed as trashed, that this device pins. */
export async function deleteItem(ctx: ClientContext, itemId: ItemId, basedOn?: Item): Promise<TrashedItem> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  const version = current.version + 1;
  const fields = stripMeta(current);
  const ciphertext = await encryptTrashedItem(await vaultKeyById(ctx, current.vaultId), { vaultId: current.vaultId, itemId, version }, fields);
  const trashed = await ctx.api.call(endpoints.deleteItem, {
    params: { vaultId: current.vaultId, itemId },
    body: { expectedVersion: current.version, ciphertext },
  });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId: current.vaultId, version, updatedAt: trashed.deletedAt, deletedAt: trashed.deletedAt };
}

/**
 * Moves the item to another vault (docs/protocol.md §8.7): its content re-sealed under the target
 * vault's key (verified and pinned first), bound to the target vault, the item and the next
 * version, which this device then pins. So the copy left behind in the old vault, if a server
 * showed it again, is an older version (`rollback_detected`), and the new copy shown in the old
 * vault does not open there (`decryption_failed`). Live items only: restore a trashed one first.
 * @throws LatchkeyError `invalid_request` (already there), `not_found`, `forbidden` (no write
 *   access to either vault), `conflict` (changed since `basedOn`).
 */
export async function moveItem(ctx: ClientContext, itemId: ItemId, toVaultId: VaultId, basedOn?: Item): Promise<Item> {
  const current = basedOn ?? (await getItem(ctx, itemId));
  if (current.vaultId === toVaultId) throw new LatchkeyError('invalid_request', 'The item is already in that vault.');
  const version = current.version + 1;
  const fields = stripMeta(current);
  const ciphertext = await encryptItem(await vaultKeyById(ctx, toVaultId), { vaultId: toVaultId, itemId, version }, fields);
  await ctx.api.call(endpoints.moveItem, {
    params: { itemId },
    body: { fromVaultId: current.vaultId, toVaultId, expectedVersion: current.version, ciphertext },
  });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId: toVaultId, version, updatedAt: new Date().toISOString() };
}

/** The vault's Trash, newest deletion first; checked against the version pins like any listing. */
export async function listTrash(ctx: ClientContext, vaultId: VaultId): Promise<TrashedItem[]> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const { items: encrypted } = await ctx.api.call(endpoints.listTrash, { params: { vaultId } });
  const key = await vaultKeyById(ctx, vaultId);
  const fields = await decryptTrashedItems(
    key,
    encrypted.map((e) => ({ ref: { vaultId, itemId: e.id, version: e.version }, ciphertext: e.ciphertext })),
  );
  const trashed = encrypted.map(
    (e, i): TrashedItem => ({ ...fields[i]!, id: e.id, vaultId, version: e.version, updatedAt: e.updatedAt, deletedAt: e.deletedAt }),
  );
  await checkAndRecordVersions(ctx, trashed);
  return trashed;
}

async function trashedItem(ctx: ClientContext, vaultId: VaultId, itemId: ItemId): Promise<TrashedItem> {
  const found = (await listTrash(ctx, vaultId)).find((i) => i.id === itemId);
  if (found === undefined) throw new LatchkeyError('not_found', 'No such item in the Trash.');
  return found;
}

/** Brings an item back from the Trash as a new version sealed as live; its content and id are as they were. */
export async function restoreItem(ctx: ClientContext, vaultId: VaultId, itemId: ItemId, basedOn?: TrashedItem): Promise<Item> {
  const current = basedOn ?? (await trashedItem(ctx, vaultId, itemId));
  const version = current.version + 1;
  const { deletedAt: _deletedAt, ...item } = current;
  const fields = stripMeta(item);
  const ciphertext = await encryptItem(await vaultKeyById(ctx, vaultId), { vaultId, itemId, version }, fields);
  await ctx.api.call(endpoints.restoreItem, { params: { vaultId, itemId }, body: { expectedVersion: current.version, ciphertext } });
  await checkAndRecordVersions(ctx, [{ id: itemId, version }]);
  return { ...fields, id: itemId, vaultId, version, updatedAt: new Date().toISOString() };
}

/** Marks these items purged on this device: above every version, so any copy shown again is a rollback. */
async function rememberPurged(ctx: ClientContext, itemIds: Iterable<string>): Promise<void> {
  await checkAndRecordVersions(
    ctx,
    [...new Set(itemIds)].map((id) => ({ id, version: ITEM_DELETED })),
  );
}

/** Deletes one item in the Trash for good. */
export async function purgeItem(ctx: ClientContext, vaultId: VaultId, itemId: ItemId, basedOn?: TrashedItem): Promise<void> {
  const current = basedOn ?? (await trashedItem(ctx, vaultId, itemId));
  await ctx.api.call(endpoints.purgeItem, { params: { vaultId, itemId }, body: { expectedVersion: current.version } });
  await rememberPurged(ctx, [itemId]);
}

/**
 * Deletes everything in the vault's Trash for good; returns how many items went. What this device
 * listed there is remembered as purged too, whatever the server says it removed.
 */
export async function emptyTrash(ctx: ClientContext, vaultId: VaultId): Promise<number> {
  const listed = await listTrash(ctx, vaultId);
  const { items: purged } = await ctx.api.call(endpoints.emptyTrash, { params: { vaultId } });
  await rememberPurged(ctx, [...listed.map((i) => i.id), ...purged.map((i) => i.id)]);
  return new Set([...listed.map((i) => i.id), ...purged.map((i) => i.id)]).size;
}

/**
 * Removes items this device has just created and never shown (an import undoing its earlier
 * batches): into the Trash, sealed as it should be, then out of it for good.
 */
export async function discardNewItem(ctx: ClientContext, vaultKey: BoxKey, ref: { vaultId: VaultId; itemId: ItemId }, fields: ItemFields): Promise<void> {
  const ciphertext = await encryptTrashedItem(vaultKey, { ...ref, version: 2 }, fields);
  await ctx.api.call(endpoints.deleteItem, { params: ref, body: { expectedVersion: 1, ciphertext } });
  await ctx.api.call(endpoints.purgeItem, { params: ref, body: { expectedVersion: 2 } });
}

function stripMeta(item: Item): ItemFields {
  const { id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields } = item;
  return fields;
}
