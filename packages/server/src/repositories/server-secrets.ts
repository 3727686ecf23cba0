/**
 * Server-wide secrets that every instance must share (the sealed OPAQUE server setup), one row
 * per name. Created once by whichever instance starts first; `ON CONFLICT DO NOTHING` makes
 * concurrent first starts agree on one value.
 */
import type { Tx } from '../context.ts';

export async function findServerSecret(db: Tx, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Stores `value` unless the name is taken; returns the stored value either way. */
export async function putServerSecretOnce(db: Tx, name: string, value: string): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** Replaces `name`'s value only if it is still `expected` (two instances re-sealing at once both succeed harmlessly). */
export async function replaceServerSecret(db: Tx, name: string, expected: string, value: string): Promise<void> {
  await db.updateTable('server_secrets').set({ value }).where('name', '=', name).where('value', '=', expected).execute();
}

export async function deleteServerSecret(db: Tx, name: string): Promise<void> {
  await db.deleteFrom('server_secrets').where('name', '=', name).execute();
}
