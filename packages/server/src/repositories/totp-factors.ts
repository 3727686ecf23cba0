/**
 * TOTP factors: at most one pending (during setup) and one active per user. The secret is
 * stored sealed with the server keyring; `last_used_step` makes each time step usable once,
 * enforced by one conditional UPDATE so concurrent requests and instances cannot both win.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.ts';

export interface TotpFactorRow {
  encryptedSecret: string;
  lastUsedStep: number;
  failures: number;
  createdAt: Date;
  /** Pending only: the session that gave a two-step proof when the setup began, if any. */
  proofSessionId: string | null;
}

export async function findTotpFactor(db: Tx, userId: string, status: 'pending' | 'active'): Promise<TotpFactorRow | undefined> {
  return db
    .selectFrom('totp_factors')
    .select([
      'encrypted_secret as encryptedSecret',
      'last_used_step as lastUsedStep',
      'failures',
      'created_at as createdAt',
      'proof_session_id as proofSessionId',
    ])
    .where('user_id', '=', userId)
    .where('status', '=', status)
    .executeTakeFirst();
}

export async function putPendingTotp(db: Tx, userId: string, encryptedSecret: string, proofSessionId: string | null, now: Date): Promise<void> {
  await db.deleteFrom('totp_factors').where('user_id', '=', userId).where('status', '=', 'pending').execute();
  await db
    .insertInto('totp_factors')
    .values({ user_id: userId, status: 'pending', encrypted_secret: encryptedSecret, proof_session_id: proofSessionId, created_at: now })
    .execute();
}

/**
 * Replaces the active factor with the pending one whose code was checked (`encryptedSecret`),
 * recording the step that confirmed it; false when that setup is no longer the pending one.
 */
export async function activatePendingTotp(db: Tx, userId: string, encryptedSecret: string, step: number, now: Date): Promise<boolean> {
  const pending = await db
    .selectFrom('totp_factors')
    .select('encrypted_secret')
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
  if (pending === undefined || pending.encrypted_secret !== encryptedSecret) return false;
  await db.deleteFrom('totp_factors').where('user_id', '=', userId).where('status', '=', 'active').execute();
  await db
    .updateTable('totp_factors')
    .set({ status: 'active', confirmed_at: now, last_used_step: step, failures: 0, proof_session_id: null })
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .execute();
  return true;
}

/**
 * Claims a time step for the active factor; false when it (or a later one) was already used.
 * A success leaves the failure count alone: it counts every wrong guess against this secret.
 */
export async function claimTotpStep(db: Tx, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable('totp_factors')
    .set({ last_used_step: step })
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .where('last_used_step', '<', step)
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function countTotpFailure(db: Tx, userId: string): Promise<number> {
  const row = await db
    .updateTable('totp_factors')
    .set({ failures: sql<number>`failures + 1` })
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .returning('failures')
    .executeTakeFirst();
  return row?.failures ?? 0;
}

export async function deleteTotp(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('totp_factors').where('user_id', '=', userId).execute();
}

export async function resealTotpSecret(db: Tx, userId: string, status: 'pending' | 'active', encryptedSecret: string): Promise<void> {
  await db.updateTable('totp_factors').set({ encrypted_secret: encryptedSecret }).where('user_id', '=', userId).where('status', '=', status).execute();
}

export async function listAllTotpSecrets(db: Tx): Promise<Array<{ userId: string; status: 'pending' | 'active'; encryptedSecret: string }>> {
  return db.selectFrom('totp_factors').select(['user_id as userId', 'status', 'encrypted_secret as encryptedSecret']).execute();
}
