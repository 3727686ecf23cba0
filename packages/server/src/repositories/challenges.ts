/** Single-use random challenges, owned by one user and one purpose, taken by one DELETE … RETURNING. */
import type { Tx } from '../context.ts';

export async function insertChallenge(
  db: Tx,
  challenge: { id: string; userId: string; purpose: string; challenge: string; expiresAt: Date; now: Date; proofSessionId?: string | null },
): Promise<void> {
  await db
    .insertInto('challenges')
    .values({
      id: challenge.id,
      user_id: challenge.userId,
      purpose: challenge.purpose,
      challenge: challenge.challenge,
      expires_at: challenge.expiresAt,
      created_at: challenge.now,
      proof_session_id: challenge.proofSessionId ?? null,
    })
    .execute();
}

/**
 * Keeps only the user's `keep` newest live challenges (deleting expired ones too), so no caller
 * can grow the table without bound. Returns how many were deleted.
 */
export async function trimChallenges(db: Tx, params: { userId: string; keep: number; now: Date }): Promise<number> {
  const newest = db
    .selectFrom('challenges')
    .select('id')
    .where('user_id', '=', params.userId)
    .where('expires_at', '>', params.now)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(params.keep);
  const result = await db.deleteFrom('challenges').where('user_id', '=', params.userId).where('id', 'not in', newest).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Takes the challenge if it is this user's, for this purpose, and unexpired; undefined otherwise. */
export async function takeChallenge(db: Tx, params: { id: string; userId: string; purpose: string; now: Date }): Promise<string | undefined> {
  const row = await db
    .deleteFrom('challenges')
    .where('id', '=', params.id)
    .where('user_id', '=', params.userId)
    .where('purpose', '=', params.purpose)
    .where('expires_at', '>', params.now)
    .returning('challenge')
    .executeTakeFirst();
  return row?.challenge;
}

/**
 * Takes the challenge by its value (WebAuthn names it only in the signed client data) if it is
 * this user's, for this purpose, and unexpired; returns the session that gave a factor proof for
 * it (or null), or undefined when there is no such challenge.
 */
export async function takeChallengeByValue(
  db: Tx,
  params: { userId: string; purpose: string; challenge: string; now: Date },
): Promise<{ proofSessionId: string | null } | undefined> {
  const row = await db
    .deleteFrom('challenges')
    .where('user_id', '=', params.userId)
    .where('purpose', '=', params.purpose)
    .where('challenge', '=', params.challenge)
    .where('expires_at', '>', params.now)
    .returning(['id', 'proof_session_id'])
    .executeTakeFirst();
  return row === undefined ? undefined : { proofSessionId: row.proof_session_id };
}

export async function deleteExpiredChallenges(db: Tx, now: Date): Promise<void> {
  await db.deleteFrom('challenges').where('expires_at', '<', now).execute();
}

/** Deletes every open challenge of the user (a two-step reset: no registration begun before it may finish after it). */
export async function deleteChallengesOf(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('challenges').where('user_id', '=', userId).execute();
}
