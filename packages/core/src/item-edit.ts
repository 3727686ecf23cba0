/**
 * An edit of an item: the changes applied to what the person edited, with the password it
 * replaces kept in the item's password history (docs/protocol.md §8.2). The history lives
 * inside the encrypted payload, so the server learns none of the old passwords (a change shows
 * only as the ciphertext growing by about one entry: threat model §8).
 */
import { PASSWORD_HISTORY_LIMIT, validateItemFields, type ItemFields, type PasswordHistoryEntry } from './item-fields.ts';

/**
 * `changes` over `current`; a change set to `undefined` removes that field. When the password
 * changes from a non-empty one (to another, or removed), the old one goes first in the history
 * with `now` as the time it was replaced; at most `PASSWORD_HISTORY_LIMIT` are kept. A change
 * that sets `passwordHistory` itself (clearing it) is taken as the history to add to.
 */
export function applyItemChanges(current: ItemFields, changes: Partial<ItemFields>, now: Date = new Date()): ItemFields {
  const merged: Record<string, unknown> = { ...current, ...changes };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const previous = current.password;
  const next = merged.password as string | undefined;
  if (previous !== undefined && previous !== '' && previous !== next) {
    const history = (merged.passwordHistory as readonly PasswordHistoryEntry[] | undefined) ?? [];
    merged.passwordHistory = [{ password: previous, replacedAt: now.toISOString() }, ...history].slice(0, PASSWORD_HISTORY_LIMIT);
  }
  return validateItemFields(merged);
}
