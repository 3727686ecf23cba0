/**
 * Moving an item to another vault (docs/protocol.md §8.7). The client re-sealed the item under the
 * target vault's key, bound to the target vault, the item and the next version; the server swaps
 * the row over in one transaction: a compare-and-set UPDATE of the one row (vault, version and
 * ciphertext together) and the mover's security event. A crash anywhere leaves the item in the
 * old vault at the old version or in the new vault at the new one, never in both or neither.
 *
 * Protects against: moving out of, or into, a vault the caller may not write (a view share gets
 * `forbidden`; a vault they cannot read, `not_found`); a stale move overwriting a newer edit
 * (`conflict`); moving an item out of the Trash without restoring it (`not_found`, as an edit).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemId } from '@latchkey/core/ids';
import type { MovedItem, MoveItemRequest } from '@latchkey/core/wire/vaults';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as items from '../repositories/items.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { pausePoint } from '../testing/pause-points.ts';
import type { AuthenticatedSession } from './sessions.ts';
import { conflictOrMissing, requireVault } from './vaults.ts';

export async function moveItem(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  itemId: ItemId,
  body: MoveItemRequest,
): Promise<MovedItem> {
  if (body.fromVaultId === body.toVaultId) throw new LatchkeyError('invalid_request', 'The item is already in that vault.');
  // Leaving the source removes the item from everyone who reads it there: the right to delete it.
  await requireVault(ctx, session, body.fromVaultId, 'edit');
  await requireVault(ctx, session, body.toVaultId, 'edit');
  const now = ctx.clock();
  const version = await ctx.db.transaction().execute(async (tx) => {
    const moved = await items.moveItemIfVersion(tx, {
      id: itemId,
      fromVaultId: body.fromVaultId,
      toVaultId: body.toVaultId,
      expectedVersion: body.expectedVersion,
      ciphertext: body.ciphertext,
      now,
    });
    if (moved === undefined) return undefined;
    await pausePoint('item-move:moved');
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: 'item.moved',
      detail: { item: itemId, from: body.fromVaultId, to: body.toVaultId },
      ip: meta.ip,
      now,
    });
    await pausePoint('item-move:before-commit');
    return moved;
  });
  if (version === undefined) return conflictOrMissing(ctx, body.fromVaultId, itemId);
  return { id: itemId, vaultId: body.toVaultId, version };
}
