/**
 * Issuing single-use challenges (WebAuthn options, recovery-code confirm/check), bounded.
 *
 * Protects against: a session holder (or a script gone wrong) growing the `challenges` table
 * without bound or spending the server's time on options. Issuing is limited per account
 * (`challengesPerUser`) and per source (`challengesPerSource`, applied to the issuing routes by
 * http/source-rate-limits.ts), and at most MAX_LIVE_CHALLENGES_PER_USER stay live per account:
 * a new one pushes out the oldest, so an abandoned ceremony never blocks a new one.
 */
import type { ServerContext } from '../context.ts';
import { insertChallenge, trimChallenges } from '../repositories/challenges.ts';
import { newRandomId } from '../security/tokens.ts';
import { enforceRateLimits } from './rate-limits.ts';

export const MAX_LIVE_CHALLENGES_PER_USER = 10;

/** Stores a challenge for `userId`; returns its id. @throws LatchkeyError `rate_limited`. */
/** `proofSessionId`: the session that gave a two-step proof for it (security-key registration). */
export async function issueChallenge(
  ctx: ServerContext,
  params: { userId: string; purpose: string; challenge: string; ttlMs: number; proofSessionId?: string | null },
): Promise<string> {
  const now = ctx.clock();
  await enforceRateLimits(ctx, [['challengesPerUser', params.userId]], now);
  const id = newRandomId();
  await ctx.db.transaction().execute(async (tx) => {
    await insertChallenge(tx, {
      id,
      userId: params.userId,
      purpose: params.purpose,
      challenge: params.challenge,
      expiresAt: new Date(now.getTime() + params.ttlMs),
      now,
      proofSessionId: params.proofSessionId ?? null,
    });
    await trimChallenges(tx, { userId: params.userId, keep: MAX_LIVE_CHALLENGES_PER_USER, now });
  });
  return id;
}
