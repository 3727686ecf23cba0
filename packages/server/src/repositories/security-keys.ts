/** WebAuthn security keys registered as two-step methods, always looked up by their owner. */
import type { Tx } from '../context.ts';

export interface SecurityKeyRow {
  id: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const columns = ['id', 'name', 'public_key as publicKey', 'counter', 'transports', 'created_at as createdAt', 'last_used_at as lastUsedAt'] as const;

export async function listSecurityKeys(db: Tx, userId: string): Promise<SecurityKeyRow[]> {
  return db.selectFrom('security_keys').select(columns).where('user_id', '=', userId).orderBy('created_at', 'asc').execute();
}

export async function findSecurityKey(db: Tx, userId: string, id: string): Promise<SecurityKeyRow | undefined> {
  return db.selectFrom('security_keys').select(columns).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
}

export async function insertSecurityKey(
  db: Tx,
  key: { id: string; userId: string; name: string; publicKey: string; counter: number; transports: string; now: Date },
): Promise<void> {
  await db
    .insertInto('security_keys')
    .values({
      id: key.id,
      user_id: key.userId,
      name: key.name,
      public_key: key.publicKey,
      counter: key.counter,
      transports: key.transports,
      created_at: key.now,
    })
    .execute();
}

/** Moves the signature counter forward; false when the stored counter already reached it (a cloned key). */
export async function advanceSecurityKeyCounter(db: Tx, userId: string, id: string, counter: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('security_keys')
    .set({ counter, last_used_at: now })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('counter', '<', counter), eb.and([eb('counter', '=', 0), eb(eb.val(counter), '=', 0)])]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteSecurityKey(db: Tx, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('security_keys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Deletes every security key of the user (a two-step reset by a team administrator); returns how many. */
export async function deleteAllSecurityKeys(db: Tx, userId: string): Promise<number> {
  const result = await db.deleteFrom('security_keys').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
