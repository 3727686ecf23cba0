/**
 * The Trash (docs/protocol.md §8.4). Deleting an item moves it here as a new version whose
 * ciphertext the client sealed as trashed; restoring is another new version sealed as live; a
 * purge (one item, the whole Trash, or anything trashed more than 30 days ago) deletes the row.
 * Whoever may edit a vault's items may do all of this; a view share may only look.
 */
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type { ItemVersion, PurgeItemRequest, RestoreItemRequest, TrashedItem, TrashedItemVersion, TrashItemRequest } from '@latchkey/core/wire/vaults';
import type { ServerContext, Tx } from '../context.ts';
import * as items from '../repositories/items.ts';
import type { AuthenticatedSession } from './sessions.ts';
import { conflictOrMissing, requireVault } from './vaults.ts';

/** How long an item stays in the Trash before the server deletes it on its own. */
export const TRASH_RETENTION_MS = 30 * 24 * 3600_000;

export async function trashItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  vaultId: VaultId,
  itemId: ItemId,
  body: TrashItemRequest,
): Promise<TrashedItemVersion> {
  await requireVault(ctx, session, vaultId, 'edit');
  const deletedAt = ctx.clock();
  const version = await items.setItemTrashedIfVersion(ctx.db, {
    id: itemId,
    vaultId,
    expectedVersion: body.expectedVersion,
    ciphertext: body.ciphertext,
    deletedAt,
    now: deletedAt,
  });
  if (version === undefined) return conflictOrMissing(ctx, vaultId, itemId);
  return { id: itemId, version, deletedAt: deletedAt.toISOString() };
}

/** Deletes for good what was trashed more than 30 days before `now`; in one vault, or everywhere (housekeeping). */
export async function purgeExpiredTrash(db: Tx, now: Date, vaultId?: VaultId): Promise<number> {
  const before = new Date(now.getTime() - TRASH_RETENTION_MS);
  return (await items.purgeTrash(db, vaultId === undefined ? { before } : { vaultId, before })).length;
}

export async function listTrash(ctx: ServerContext, session: AuthenticatedSession, vaultId: VaultId): Promise<TrashedItem[]> {
  await requireVault(ctx, session, vaultId, 'view');
  // Reading the Trash is when its expiry matters, so it happens here too, not only hourly.
  await purgeExpiredTrash(ctx.db, ctx.clock(), vaultId);
  return (await items.listTrash(ctx.db, vaultId)).map((row) => ({
    id: row.id,
    vaultId: row.vaultId,
    version: row.version,
    ciphertext: row.ciphertext,
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt.toISOString(),
  }));
}

export async function restoreItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  vaultId: VaultId,
  itemId: ItemId,
  body: RestoreItemRequest,
): Promise<ItemVersion> {
  await requireVault(ctx, session, vaultId, 'edit');
  const version = await items.setItemTrashedIfVersion(ctx.db, {
    id: itemId,
    vaultId,
    expectedVersion: body.expectedVersion,
    ciphertext: body.ciphertext,
    deletedAt: null,
    now: ctx.clock(),
  });
  if (version === undefined) return conflictOrMissing(ctx, vaultId, itemId, 'trashed');
  return { id: itemId, version };
}

export async function purgeItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  vaultId: VaultId,
  itemId: ItemId,
  body: PurgeItemRequest,
): Promise<{ items: ItemVersion[] }> {
  await requireVault(ctx, session, vaultId, 'edit');
  if (!(await items.purgeItemIfVersion(ctx.db, { id: itemId, vaultId, expectedVersion: body.expectedVersion }))) {
    await conflictOrMissing(ctx, vaultId, itemId, 'trashed');
  }
  return { items: [{ id: itemId, version: body.expectedVersion }] };
}

export async function emptyTrash(ctx: ServerContext, session: AuthenticatedSession, vaultId: VaultId): Promise<{ items: ItemVersion[] }> {
  await requireVault(ctx, session, vaultId, 'edit');
  return { items: await items.purgeTrash(ctx.db, { vaultId }) };
}
