/** What a successful recovery proof earns: a short-lived grant to set new credentials, consumed once. */
import type { Tx } from '../context.ts';

export async function insertRecoveryGrant(db: Tx, grant: { id: string; userId: string; tokenHash: string; expiresAt: Date; now: Date }): Promise<void> {
  await db
    .insertInto('recovery_grants')
    .values({ id: grant.id, user_id: grant.userId, token_hash: grant.tokenHash, method: 'recovery-code', expires_at: grant.expiresAt, created_at: grant.now })
    .execute();
}

export async function findLiveGrant(db: Tx, tokenHash: string, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('recovery_grants')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.user_id;
}

export async function consumeGrant(db: Tx, tokenHash: string, now: Date): Promise<string | undefined> {
  const row = await db
    .updateTable('recovery_grants')
    .set({ consumed_at: now })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id;
}
