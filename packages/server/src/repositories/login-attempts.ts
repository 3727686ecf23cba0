/**
 * OPAQUE login state between the two round trips. Stored in the database (not in process
 * memory) so the second request may reach another server instance, and consumed by one
 * DELETE … RETURNING so a login can be finished once. Written with relaxed durability (a power
 * cut may take back a login in flight, which is then started again: storage/durability.ts).
 */
import type { Tx } from '../context.ts';
import { withRelaxedDurability } from '../storage/durability.ts';

export type LoginPurpose = 'sign-in' | 'reauth';

export interface LoginAttempt {
  purpose: LoginPurpose;
  userId: string | null;
  sessionId: string | null;
  serverState: string;
  /** Source address of the start request. */
  ip: string | null;
  expiresAt: Date;
}

export async function insertLoginAttempt(db: Tx, attempt: LoginAttempt & { id: string; now: Date }): Promise<void> {
  await withRelaxedDurability(db, (d) =>
    d
      .insertInto('login_attempts')
      .values({
        id: attempt.id,
        purpose: attempt.purpose,
        user_id: attempt.userId,
        session_id: attempt.sessionId,
        server_state: attempt.serverState,
        ip: attempt.ip,
        expires_at: attempt.expiresAt,
        created_at: attempt.now,
      })
      .execute(),
  );
}

/**
 * Takes the attempt only if it is for this purpose and this session (null: a sign-in), so a
 * caller holding someone else's login id cannot use it up.
 */
export async function takeLoginAttempt(db: Tx, scope: { id: string; purpose: LoginPurpose; sessionId: string | null }): Promise<LoginAttempt | undefined> {
  const row = await withRelaxedDurability(db, (d) =>
    d
      .deleteFrom('login_attempts')
      .where('id', '=', scope.id)
      .where('purpose', '=', scope.purpose)
      .where('session_id', scope.sessionId === null ? 'is' : '=', scope.sessionId)
      .returning(['purpose', 'user_id', 'session_id', 'server_state', 'ip', 'expires_at'])
      .executeTakeFirst(),
  );
  if (row === undefined) return undefined;
  return {
    purpose: row.purpose as LoginPurpose,
    userId: row.user_id,
    sessionId: row.session_id,
    serverState: row.server_state,
    ip: row.ip,
    expiresAt: row.expires_at,
  };
}

/**
 * Deletes every pending sign-in and re-authentication of the user. Called inside a credential
 * swap: their OPAQUE state comes from the old record, so none may be finished afterwards.
 * Returns how many were deleted.
 */
export async function deleteLoginAttemptsForUser(db: Tx, userId: string): Promise<number> {
  const result = await db.deleteFrom('login_attempts').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An attempt taken because it expired unfinished. */
export interface ExpiredLoginAttempt {
  readonly purpose: LoginPurpose;
  readonly userId: string;
  readonly ip: string | null;
  readonly startedAt: Date;
}

/**
 * Takes (DELETE … RETURNING) every expired attempt, or only the user's: each is returned to
 * exactly one caller, also when several instances sweep at once.
 */
export async function takeExpiredLoginAttempts(db: Tx, params: { now: Date; userId?: string }): Promise<ExpiredLoginAttempt[]> {
  let query = db.deleteFrom('login_attempts').where('expires_at', '<=', params.now);
  if (params.userId !== undefined) query = query.where('user_id', '=', params.userId);
  const rows = await query.returning(['purpose', 'user_id', 'ip', 'created_at']).execute();
  return rows.flatMap((r) => (r.user_id === null ? [] : [{ purpose: r.purpose as LoginPurpose, userId: r.user_id, ip: r.ip, startedAt: r.created_at }]));
}

/** Whether `takeExpiredLoginAttempts` with the same parameters would take anything now (a read, no lock). */
export async function hasExpiredLoginAttempts(db: Tx, params: { now: Date; userId?: string }): Promise<boolean> {
  let query = db.selectFrom('login_attempts').select('id').where('expires_at', '<=', params.now);
  if (params.userId !== undefined) query = query.where('user_id', '=', params.userId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}
