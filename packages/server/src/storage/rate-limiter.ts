/**
 * Fixed-window rate limiting stored in the database.
 *
 * Protects against: online guessing (sign-in, email codes, recovery) and email flooding. The
 * counter lives in the `rate_limits` table and is bumped by one atomic upsert, so the limit
 * holds across concurrent requests and across several server instances sharing PostgreSQL —
 * an in-memory counter would multiply the allowance by the number of instances.
 */
import { type Kysely, sql } from 'kysely';
import { withRelaxedDurability } from './durability.ts';
import type { Database } from './schema.ts';

export interface RateLimitRule {
  /** What is being limited, e.g. `signin:ip:203.0.113.5` or `email-code:<email hash>`. */
  readonly bucket: string;
  /** Requests allowed per window (≥ 1). */
  readonly limit: number;
  /** Window length in seconds (≥ 1). Windows are aligned to the Unix epoch. */
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests counted in this window, this one included. */
  readonly count: number;
  /** Seconds until the current window ends (≥ 1 when refused, 0 when allowed). */
  readonly retryAfterSeconds: number;
}

/**
 * Counts one request against `rule.bucket` and says whether it is within the limit.
 * Refused requests still count, so hammering a full bucket does not help an attacker.
 * @param now the current time; injectable for tests, defaults to the clock.
 * @throws RangeError when `limit` or `windowSeconds` is not a positive integer.
 */
export async function consumeRateLimit(db: Kysely<Database>, rule: RateLimitRule, now: Date = new Date()): Promise<RateLimitDecision> {
  if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${rule.limit}`);
  }
  if (!Number.isSafeInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
    throw new RangeError(`windowSeconds must be a positive integer, got ${rule.windowSeconds}`);
  }
  const windowMs = rule.windowSeconds * 1000;
  const windowStartMs = Math.floor(now.getTime() / windowMs) * windowMs;

  // One statement: the row lock taken by ON CONFLICT serializes concurrent increments.
  // Relaxed durability: a power cut may take back the last few counts, never more (durability.ts).
  const row = await withRelaxedDurability(db, (d) =>
    d
      .insertInto('rate_limits')
      .values({ bucket: rule.bucket, window_start: new Date(windowStartMs), count: 1 })
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
      .returning('count')
      .executeTakeFirstOrThrow(),
  );

  if (row.count <= rule.limit) return { allowed: true, count: row.count, retryAfterSeconds: 0 };
  const remainingMs = windowStartMs + windowMs - now.getTime();
  return { allowed: false, count: row.count, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
}

/**
 * `consumeRateLimit` for several rules in one statement (one multi-row upsert): each bucket is
 * counted exactly as there, and the decisions come back in the order of `rules`. The buckets
 * must differ.
 */
export async function consumeRateLimits(db: Kysely<Database>, rules: readonly RateLimitRule[], now: Date): Promise<RateLimitDecision[]> {
  for (const rule of rules) {
    if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) throw new RangeError(`limit must be a positive integer, got ${rule.limit}`);
    if (!Number.isSafeInteger(rule.windowSeconds) || rule.windowSeconds < 1)
      throw new RangeError(`windowSeconds must be a positive integer, got ${rule.windowSeconds}`);
  }
  if (new Set(rules.map((r) => r.bucket)).size !== rules.length) throw new RangeError('consumeRateLimits needs distinct buckets');
  const rows = await withRelaxedDurability(db, (d) =>
    d
      .insertInto('rate_limits')
      .values(rules.map((rule) => ({ bucket: rule.bucket, window_start: windowStart(rule.windowSeconds, now), count: 1 })))
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
      .returning(['bucket', 'count'])
      .execute(),
  );
  const counts = new Map(rows.map((r) => [r.bucket, r.count]));
  return rules.map((rule) => {
    const count = counts.get(rule.bucket);
    if (count === undefined) throw new Error(`rate limit bucket ${rule.bucket} was not counted`);
    if (count <= rule.limit) return { allowed: true, count, retryAfterSeconds: 0 };
    const windowMs = rule.windowSeconds * 1000;
    const remainingMs = windowStart(rule.windowSeconds, now).getTime() + windowMs - now.getTime();
    return { allowed: false, count, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
  });
}

const windowStart = (windowSeconds: number, now: Date) => new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000);

/**
 * Gives back one request counted by `consumeRateLimit` at the same `now`, for limits that count
 * only failures: count first (so concurrent requests cannot all slip under the limit), refund
 * when the request turns out not to be a failure. Never goes below zero.
 */
export async function refundRateLimit(db: Kysely<Database>, rule: Pick<RateLimitRule, 'bucket' | 'windowSeconds'>, now: Date): Promise<void> {
  await withRelaxedDurability(db, (d) =>
    d
      .updateTable('rate_limits')
      .set({ count: sql<number>`rate_limits.count - 1` })
      .where('bucket', '=', rule.bucket)
      .where('window_start', '=', windowStart(rule.windowSeconds, now))
      .where('count', '>', 0)
      .execute(),
  );
}

/** The count of the current window without counting anything (0 when nothing was counted yet). */
export async function peekRateLimit(db: Kysely<Database>, rule: Pick<RateLimitRule, 'bucket' | 'windowSeconds'>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('rate_limits')
    .select('count')
    .where('bucket', '=', rule.bucket)
    .where('window_start', '=', windowStart(rule.windowSeconds, now))
    .executeTakeFirst();
  return row?.count ?? 0;
}

/**
 * Deletes windows that started before `olderThan`; run periodically so the table stays small.
 * Pass a time at least one window length in the past, or live counters are reset.
 * @returns the number of rows deleted.
 */
export async function pruneRateLimits(db: Kysely<Database>, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('window_start', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
