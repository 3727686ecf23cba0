/** WebAuthn passkeys that unlock a passkey account (§24.10), always looked up by their owner. */
import type { Tx } from '../context.ts';

export interface PasskeyRow {
  id: string;
  publicKey: string;
  counter: number;
  transports: string;
}

export async function findPasskey(db: Tx, userId: string, id: string): Promise<PasskeyRow | undefined> {
  return db
    .selectFrom('passkeys')
    .select(['id', 'public_key as publicKey', 'counter', 'transports'])
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertPasskey(
  db: Tx,
  key: { id: string; userId: string; publicKey: string; counter: number; transports: string; now: Date },
): Promise<void> {
  await db
    .insertInto('passkeys')
    .values({ id: key.id, user_id: key.userId, public_key: key.publicKey, counter: key.counter, transports: key.transports, created_at: key.now })
    .execute();
}

/** Moves the signature counter forward (or keeps 0 for authenticators without one); false for a counter that did not move (a cloned key). */
export async function advancePasskeyCounter(db: Tx, userId: string, id: string, counter: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('passkeys')
    .set({ counter, last_used_at: now })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('counter', '<', counter), eb.and([eb('counter', '=', 0), eb(eb.val(counter), '=', 0)])]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
