/**
 * Server-wide secrets that every instance must share (the OPAQUE server setup). Created once by
 * whichever instance starts first; `ON CONFLICT DO NOTHING` makes concurrent first starts agree.
 */
import type { Tx } from '../context.ts';

export async function getOrCreateServerSecret(db: Tx, name: string, create: () => string): Promise<string> {
  await db.insertInto('server_secrets').values({ name, value: create() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
