/**
 * The rate-limit policy, in one table. Buckets are keyed by a hash of the email (so the
 * rate_limits table does not become a list of addresses) and by source address.
 */
import { sha256Hex } from '@latchkey/core/crypto/sha256';
import { LatchkeyError } from '@latchkey/core/errors';
import type { RequestMeta, ServerContext } from '../context.ts';
import { consumeRateLimit } from '../storage/rate-limiter.ts';
import { normalizeEmail } from '../repositories/users.ts';

export const RATE_LIMITS = {
  signupPerEmail: { limit: 5, windowSeconds: 3600 },
  signupPerSource: { limit: 30, windowSeconds: 3600 },
  signInPerEmail: { limit: 20, windowSeconds: 300 },
  signInPerSource: { limit: 100, windowSeconds: 300 },
  // Every CLI vault or item command unlocks, and each unlock is one re-authentication, so
  // scripts need room. A session holder guessing the password is still bounded (120 guesses per
  // 5 minutes, each an Argon2id run on their side), and an OPAQUE re-authentication also needs
  // the account's Secret Key verifier before any guess is evaluated.
  reauthPerUser: { limit: 120, windowSeconds: 300 },
  recoveryStartPerEmail: { limit: 5, windowSeconds: 3600 },
  recoveryStartPerSource: { limit: 30, windowSeconds: 3600 },
  recoveryProofPerAccount: { limit: 20, windowSeconds: 3600 },
  recoveryProofPerSource: { limit: 60, windowSeconds: 3600 },
  recoveryCheckPerUser: { limit: 20, windowSeconds: 3600 },
  // Guesses at emailed codes: one source may start 30 codes an hour and each code allows 5
  // guesses, so 150 covers every guess it can legitimately make, and no more.
  signupVerifyPerSource: { limit: 150, windowSeconds: 3600 },
  recoveryVerifyPerSource: { limit: 150, windowSeconds: 3600 },
  // With at most 3 valid TOTP codes in a million, this and the lock after 100 failures bound guessing.
  secondFactorPerUser: { limit: 10, windowSeconds: 300 },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

export const emailBucket = (email: string): string => sha256Hex(`latchkey/v1/rate-limit\u0000${normalizeEmail(email)}`).slice(0, 32);

/** Counts one attempt against each named bucket; throws `rate_limited` when any is exhausted. */
export async function enforceRateLimits(ctx: ServerContext, checks: ReadonlyArray<[RateLimitName, string]>): Promise<void> {
  for (const [name, key] of checks) {
    const rule = RATE_LIMITS[name];
    const decision = await consumeRateLimit(ctx.db, { bucket: `${name}:${key}`, ...rule }, ctx.clock());
    if (!decision.allowed) {
      throw new LatchkeyError('rate_limited', 'Too many attempts. Wait a moment and try again.', {
        details: { retryAfterSeconds: decision.retryAfterSeconds },
      });
    }
  }
}

export const sourceKey = (meta: RequestMeta): string => meta.ip ?? 'unknown';
