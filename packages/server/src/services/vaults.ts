/**
 * Vaults and items, always through owner-scoped finders: what the caller cannot read does not
 * exist for them. Besides their own vaults (`vault_access`), a person reaches a vault shared with
 * them or one of their groups in an organization they are a confirmed member of (`vault_shares`,
 * docs/protocol.md §22.6): `view` reads its items, `edit` also writes them.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type {
  CreateItemRequest,
  CreateItemsRequest,
  CreateVaultRequest,
  EncryptedItem,
  ItemVersion,
  UpdateItemRequest,
  VaultSummary,
} from '@latchkey/core/wire/vaults';
import type { KeyWrapInput } from '@latchkey/core/wire/key-wrap';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as vaults from '../repositories/vaults.ts';
import * as items from '../repositories/items.ts';
import { findUserById } from '../repositories/users.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { AuthenticatedSession } from './sessions.ts';
import { accessAllows, vaultAccessOf } from './shared-vaults.ts';

const noSuchVault = () => new LatchkeyError('not_found', 'No such vault.');
const noSuchItem = () => new LatchkeyError('not_found', 'No such item.');

const toItem = (row: items.ItemRow): EncryptedItem => ({
  id: row.id,
  vaultId: row.vaultId,
  version: row.version,
  ciphertext: row.ciphertext,
  updatedAt: row.updatedAt.toISOString(),
});

export async function listVaults(ctx: ServerContext, session: AuthenticatedSession): Promise<VaultSummary[]> {
  return vaults.listVaultsForUser(ctx.db, session.userId);
}

/**
 * Only a client can check a wrap's signature in a way that protects anyone (every reader
 * verifies it against a keyset it trusts); the server refuses what is plainly wrong: a wrap
 * to, or signed by, a keyset other than the caller's own.
 * @throws LatchkeyError `invalid_request`.
 */
export function requireOwnKeyWrap(keyWrap: KeyWrapInput, keysetId: string): void {
  if (keyWrap.recipientKeysetId !== keysetId) throw new LatchkeyError('invalid_request', 'The vault key must be wrapped to your own keyset.');
  if (keyWrap.signerKeysetId !== keysetId) throw new LatchkeyError('invalid_request', 'The vault key wrap must be signed by your own keyset.');
}

export async function createVault(ctx: ServerContext, session: AuthenticatedSession, meta: RequestMeta, body: CreateVaultRequest): Promise<{ id: VaultId }> {
  const now = ctx.clock();
  const user = await findUserById(ctx.db, session.userId);
  if (user === undefined) throw new LatchkeyError('unauthenticated', 'Sign in again.');
  requireOwnKeyWrap(body.keyWrap, user.keysetId);
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await vaults.insertVault(tx, { id: body.id, kind: 'shared', createdBy: session.userId, encryptedAttrs: body.encryptedAttrs, keyWrap: body.keyWrap, now });
      await recordSecurityEvent(tx, { userId: session.userId, type: 'vault.created', detail: { vault: body.id }, ip: meta.ip, now });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'A vault with this id already exists.');
    throw error;
  }
  return { id: body.id };
}

/**
 * @throws LatchkeyError `not_found` when the caller may not read the vault; `forbidden` when a
 *   share lets them read it but not `needed`.
 */
export async function requireVault(ctx: ServerContext, session: AuthenticatedSession, vaultId: VaultId, needed: 'view' | 'edit'): Promise<void> {
  if ((await vaults.findVaultForUser(ctx.db, session.userId, vaultId)) !== undefined) return;
  const access = await vaultAccessOf(ctx.db, session.userId, vaultId);
  if (access === undefined) throw noSuchVault();
  if (!accessAllows(access, needed)) throw new LatchkeyError('forbidden', 'This vault is shared with you to view; you cannot change its items.');
}

export async function listItems(ctx: ServerContext, session: AuthenticatedSession, vaultId: VaultId): Promise<EncryptedItem[]> {
  await requireVault(ctx, session, vaultId, 'view');
  return (await items.listItems(ctx.db, vaultId)).map(toItem);
}

export async function getItem(ctx: ServerContext, session: AuthenticatedSession, itemId: ItemId): Promise<EncryptedItem> {
  const own = await items.findItemForUser(ctx.db, session.userId, itemId);
  if (own !== undefined) return toItem(own);
  const row = await items.findItemById(ctx.db, itemId);
  // A share of the item's vault, else it does not exist for the caller.
  if (row === undefined || (await vaultAccessOf(ctx.db, session.userId, row.vaultId)) === undefined) throw noSuchItem();
  return toItem(row);
}

export async function createItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  vaultId: VaultId,
  body: CreateItemRequest,
): Promise<{ id: ItemId; version: number }> {
  await requireVault(ctx, session, vaultId, 'edit');
  try {
    await items.insertItem(ctx.db, { id: body.id, vaultId, ciphertext: body.ciphertext, now: ctx.clock() });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'An item with this id already exists.');
    throw error;
  }
  return { id: body.id, version: 1 };
}

/**
 * An import's vaults and items in one transaction: every new vault is checked as `createVault`
 * checks it, every item's vault must be one of them or a vault the caller may edit (else
 * `not_found`, or `forbidden` for a view-only share), and then all rows are written or, on any
 * failure (an id already taken, a storage error), none. The body's size and item count are
 * bounded by its schema and the endpoint's body limit (`invalid_request`, `body_too_large`).
 */
export async function createItems(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  body: CreateItemsRequest,
): Promise<{ items: ItemVersion[] }> {
  const newVaults = body.vaults ?? [];
  const ids = new Set<string>();
  for (const item of body.items) {
    if (ids.has(item.id)) throw new LatchkeyError('invalid_request', 'The batch names an item id twice.');
    ids.add(item.id);
  }
  if (new Set(newVaults.map((v) => v.id)).size !== newVaults.length) throw new LatchkeyError('invalid_request', 'The batch names a vault id twice.');
  if (newVaults.length > 0) {
    const user = await findUserById(ctx.db, session.userId);
    if (user === undefined) throw new LatchkeyError('unauthenticated', 'Sign in again.');
    for (const vault of newVaults) requireOwnKeyWrap(vault.keyWrap, user.keysetId);
  }
  const created = new Set<string>(newVaults.map((v) => v.id));
  for (const vaultId of new Set(body.items.map((i) => i.vaultId))) if (!created.has(vaultId)) await requireVault(ctx, session, vaultId, 'edit');
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (tx) => {
      for (const vault of newVaults) {
        await vaults.insertVault(tx, {
          id: vault.id,
          kind: 'shared',
          createdBy: session.userId,
          encryptedAttrs: vault.encryptedAttrs,
          keyWrap: vault.keyWrap,
          now,
        });
        await recordSecurityEvent(tx, { userId: session.userId, type: 'vault.created', detail: { vault: vault.id }, ip: meta.ip, now });
      }
      await items.insertItems(tx, body.items, now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'A vault or item with one of these ids already exists. Nothing was created.');
    throw error;
  }
  return { items: body.items.map((i) => ({ id: i.id, version: 1 })) };
}

/** Why a compare-and-set on an item failed: `not_found` when it is not there in `state`, else `conflict` with its version. */
export async function conflictOrMissing(ctx: ServerContext, vaultId: VaultId, itemId: ItemId, state: 'live' | 'trashed' = 'live'): Promise<never> {
  const current = await items.findItemInVault(ctx.db, vaultId, itemId, state);
  if (current === undefined) throw noSuchItem();
  throw new LatchkeyError('conflict', 'This item was changed elsewhere since you opened it. Reload it and apply your change again.', {
    details: { currentVersion: current.version },
  });
}

export async function updateItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  vaultId: VaultId,
  itemId: ItemId,
  body: UpdateItemRequest,
): Promise<{ id: ItemId; version: number }> {
  await requireVault(ctx, session, vaultId, 'edit');
  const version = await items.updateItemIfVersion(ctx.db, {
    id: itemId,
    vaultId,
    expectedVersion: body.expectedVersion,
    ciphertext: body.ciphertext,
    now: ctx.clock(),
  });
  if (version === undefined) return conflictOrMissing(ctx, vaultId, itemId);
  return { id: itemId, version };
}
