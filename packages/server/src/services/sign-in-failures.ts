/**
 * Failed and abandoned sign-ins: the Secret Key check's limits, the security log, and a notice
 * to the owner when they form a pattern (invariants 9 and 12).
 *
 * Protects against:
 * - Silent Secret Key guessing: every wrong Secret Key for an existing account is logged
 *   (`sign-in.wrong-secret-key`), and limited per (email, source) and per email (below).
 * - Silent password guessing by someone holding the Secret Key: a wrong password fails on the
 *   guesser's device and no finish is ever sent, so the server sees only a sign-in that was
 *   started and never finished. Such attempts are taken from `login_attempts` when they expire,
 *   by the next start for the same account or by the housekeeping sweep (one DELETE … RETURNING,
 *   so each is logged once even with several instances), and logged as `sign-in.abandoned`.
 * - Owner lockout by a stranger: the limits here count only what the caller did wrong, per
 *   source, and the account-wide one never refuses a source that has not failed.
 *
 * A pattern is counted in `rate_limits` (a counter per account and window): the request whose
 * increment reaches the threshold queues the one notice of that window, in the transaction that
 * logs it (notice-outbox.ts). Wrong Secret Keys are counted before the response and logged after
 * it, so there every failure from the threshold on queues the notice under a key naming the
 * window: the first one to commit wins, and a crash between the count and the log cannot lose it
 * while more failures follow.
 */
import type { RequestMeta, ServerContext } from '../context.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { hasExpiredLoginAttempts, takeExpiredLoginAttempts, type LoginPurpose } from '../repositories/login-attempts.ts';
import { findUserById, type UserRow } from '../repositories/users.ts';
import { consumeRateLimit, consumeRateLimits, peekRateLimit, refundRateLimit, type RateLimitDecision, type RateLimitRule } from '../storage/rate-limiter.ts';
import { queueNotice, transactionWithNotices, type NoticeTx } from './notice-outbox.ts';
import { emailBucket, emailSourceBucket, rateLimited, ruleFor } from './rate-limits.ts';

/** How many failures within an hour make the owner hear about them (once per hour). */
export const FAILURE_NOTICE = {
  /** Wrong Secret Keys, counted in `secretKeyFailuresPerEmail`. Strangers can cause these, so the bar is higher. */
  wrongSecretKeyAt: 10,
  /** Sign-ins and unlocks with the right Secret Key that failed or were never finished. */
  passwordFailuresAt: 3,
  windowSeconds: 3600,
} as const;

/** A counter that never refuses: only its count matters. */
const counter = (bucket: string) => ({ bucket, limit: Number.MAX_SAFE_INTEGER, windowSeconds: FAILURE_NOTICE.windowSeconds });

/** Work the response must not wait for (its timing would tell known and unknown emails apart). */
function inBackground(ctx: ServerContext, what: string, work: () => Promise<unknown>): void {
  work().catch((error: unknown) => ctx.log.error({ error: error instanceof Error ? error.message : String(error) }, `${what} failed`));
}

/**
 * Counts one Secret Key check by `meta` for `email` before it is made, and `perRequest` (a limit
 * every such request counts against, e.g. the source's sign-in starts) in the same statement;
 * `perRequest` is decided first, as if counted first: when it refuses, this check is given back.
 * @throws LatchkeyError `rate_limited` when `perRequest` is used up, when this source used up its
 *   failures for this email, or when the email's failures from every source are used up and this
 *   source is one of them.
 * @returns what to call once the check's outcome is known.
 */
export async function beginSecretKeyCheck(ctx: ServerContext, email: string, meta: RequestMeta, now: Date, perRequest: RateLimitRule) {
  const pair = ruleFor('signInFailuresPerEmailSource', emailSourceBucket(email, meta));
  const perEmail = ruleFor('secretKeyFailuresPerEmail', emailBucket(email));
  const [request, own] = (await consumeRateLimits(ctx.db, [perRequest, pair], now)) as [RateLimitDecision, RateLimitDecision];
  if (!request.allowed) {
    // Not a failure: this request never reached the check.
    await refundRateLimit(ctx.db, pair, now);
    throw rateLimited(request.retryAfterSeconds);
  }
  if (!own.allowed) throw rateLimited(own.retryAfterSeconds);
  // The email's budget only holds back sources that already failed for it: a stranger spending it
  // from a thousand addresses cannot keep the owner, from an address with no failure, out.
  if (own.count > 1 && (await peekRateLimit(ctx.db, perEmail, now)) >= perEmail.limit) {
    throw rateLimited(perEmail.windowSeconds - (Math.floor(now.getTime() / 1000) % perEmail.windowSeconds));
  }
  return {
    /** The Secret Key was right: this was not a failure. */
    passed: () => refundRateLimit(ctx.db, pair, now),
    /** Wrong Secret Key or unknown email (the same work for both); logs and notifies in the background for an account. */
    failed: async (user: UserRow | undefined, purpose: LoginPurpose = 'sign-in') => {
      const { count } = await consumeRateLimit(ctx.db, perEmail, now);
      if (user === undefined) return;
      inBackground(ctx, 'recording a wrong Secret Key', () => transactionWithNotices(ctx, (tx) => logWrongSecretKey(ctx, tx, user, purpose, count, meta, now)));
    },
  };
}

/** Logs one wrong Secret Key that made the per-email count `count`; from the threshold on, queues the window's notice. */
async function logWrongSecretKey(
  ctx: ServerContext,
  tx: NoticeTx,
  user: UserRow,
  purpose: LoginPurpose,
  count: number,
  meta: RequestMeta,
  now: Date,
): Promise<void> {
  await recordSecurityEvent(tx, { userId: user.id, type: 'sign-in.wrong-secret-key', detail: { purpose }, ip: meta.ip, now });
  if (count < FAILURE_NOTICE.wrongSecretKeyAt) return;
  const { windowSeconds } = ruleFor('secretKeyFailuresPerEmail', emailBucket(user.email));
  const window = Math.floor(now.getTime() / 1000 / windowSeconds);
  await queueNotice(
    ctx,
    tx,
    user.email,
    { kind: 'wrong-secret-key-attempts', count, at: now.toISOString(), ip: meta.ip },
    { dedupeKey: `wrong-secret-key:${user.id}:${windowSeconds}:${window}` },
  );
}

/** A wrong Secret Key inside a session (re-authentication): counted, logged and, at the threshold, notified in one transaction. */
export async function recordReauthWrongSecretKey(ctx: ServerContext, user: UserRow, meta: RequestMeta, now: Date): Promise<void> {
  await transactionWithNotices(ctx, async (tx) => {
    const { count } = await consumeRateLimit(tx, ruleFor('secretKeyFailuresPerEmail', emailBucket(user.email)), now);
    await logWrongSecretKey(ctx, tx, user, 'reauth', count, meta, now);
  });
}

/** Counts password failures of one account in `tx`; the one that reaches the threshold queues the notice to the owner. */
async function countPasswordFailures(
  ctx: ServerContext,
  tx: NoticeTx,
  userId: string,
  failures: number,
  latest: { at: Date; ip: string | null },
): Promise<void> {
  let reached = false;
  for (let i = 0; i < failures; i++) {
    const { count } = await consumeRateLimit(tx, counter(`passwordFailureNotice:${userId}`), latest.at);
    if (count === FAILURE_NOTICE.passwordFailuresAt) reached = true;
  }
  if (!reached) return;
  const user = await findUserById(tx, userId);
  if (user !== undefined)
    await queueNotice(ctx, tx, user.email, { kind: 'password-guesses', count: FAILURE_NOTICE.passwordFailuresAt, at: latest.at.toISOString(), ip: latest.ip });
}

/** A finish whose OPAQUE proof did not verify, or that came after the attempt expired. */
export async function recordFailedSignIn(
  ctx: ServerContext,
  attempt: { userId: string; purpose: LoginPurpose; ip: string | null },
  reason: 'invalid-proof' | 'expired',
  now: Date,
): Promise<void> {
  await transactionWithNotices(ctx, async (tx) => {
    await recordSecurityEvent(tx, {
      userId: attempt.userId,
      type: reason === 'expired' ? 'sign-in.abandoned' : 'sign-in.failed',
      detail: { purpose: attempt.purpose, ...(reason === 'expired' ? { finishedLate: true } : {}) },
      ip: attempt.ip,
      now,
    });
    await countPasswordFailures(ctx, tx, attempt.userId, 1, { at: now, ip: attempt.ip });
  });
}

/**
 * Takes every expired, unfinished sign-in and re-authentication (or only the user's), logs each
 * as `sign-in.abandoned`, and counts them towards the owner's notice, all in one transaction (so
 * none is lost, logged twice, or left uncounted by a crash). Returns how many were taken.
 */
export async function sweepAbandonedSignIns(ctx: ServerContext, params: { now: Date; userId?: string }): Promise<number> {
  // Nearly every sign-in start finds nothing to take: one read then, instead of a transaction's
  // three statements. Whatever expires after the read is taken by the next sweep.
  if (!(await hasExpiredLoginAttempts(ctx.db, params))) return 0;
  return transactionWithNotices(ctx, async (tx) => {
    const taken = await takeExpiredLoginAttempts(tx, params);
    for (const attempt of taken) {
      await recordSecurityEvent(tx, {
        userId: attempt.userId,
        type: 'sign-in.abandoned',
        detail: { purpose: attempt.purpose, startedAt: attempt.startedAt.toISOString() },
        ip: attempt.ip,
        now: params.now,
      });
    }
    const byUser = new Map<string, typeof taken>();
    for (const attempt of taken) byUser.set(attempt.userId, [...(byUser.get(attempt.userId) ?? []), attempt]);
    for (const [userId, attempts] of byUser) {
      const latest = attempts.reduce((a, b) => (a.startedAt > b.startedAt ? a : b));
      await countPasswordFailures(ctx, tx, userId, attempts.length, { at: params.now, ip: latest.ip });
    }
    return taken.length;
  });
}
