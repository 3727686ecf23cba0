/**
 * The rate-limit policy, in one table. Buckets are keyed by a hash of the email (so the
 * rate_limits table does not become a list of addresses), by source address (IPv6 per /64,
 * see source-key.ts) and by user id.
 *
 * Invariant 9: nothing a stranger who knows only an email can do may use up a budget the owner
 * needs. So what such a stranger can send (sign-in with a wrong Secret Key, recovery start) is
 * counted per (email, source); the per-email sign-in budget counts only requests that passed the
 * Secret Key check.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { RequestMeta, ServerContext } from '../context.ts';
import { consumeRateLimit } from '../storage/rate-limiter.ts';
import { normalizeEmail } from '../repositories/users.ts';
import { sha256Hex } from '../security/tokens.ts';
import { sourceKey } from './source-key.ts';

export const RATE_LIMITS = {
  signupPerEmail: { limit: 5, windowSeconds: 3600 },
  signupPerSource: { limit: 30, windowSeconds: 3600 },
  signInPerSource: { limit: 100, windowSeconds: 300 },
  // Wrong Secret Keys (an unknown email is one) from one source for one email; counted before the
  // check and given back when the Secret Key was right, so it counts failures only.
  signInFailuresPerEmailSource: { limit: 20, windowSeconds: 300 },
  // Wrong Secret Keys for one email from every source. When it is used up, a source that has
  // already failed for this email in its window is refused; a source with no failure is still
  // checked, so the owner (who has the Secret Key) always gets through.
  secretKeyFailuresPerEmail: { limit: 50, windowSeconds: 3600 },
  // Sign-ins that passed the Secret Key check: password guesses by someone holding the Secret Key.
  signInPerEmail: { limit: 20, windowSeconds: 300 },
  // Every CLI vault or item command unlocks, and each unlock is one re-authentication, so
  // scripts need room. A session holder guessing the password is still bounded (120 guesses per
  // 5 minutes, each an Argon2id run on their side), and an OPAQUE re-authentication also needs
  // the account's Secret Key verifier before any guess is evaluated.
  reauthPerUser: { limit: 120, windowSeconds: 300 },
  recoveryStartPerEmailSource: { limit: 5, windowSeconds: 3600 },
  recoveryStartPerSource: { limit: 30, windowSeconds: 3600 },
  recoveryProofPerAccount: { limit: 20, windowSeconds: 3600 },
  recoveryProofPerSource: { limit: 60, windowSeconds: 3600 },
  recoveryCheckPerUser: { limit: 20, windowSeconds: 3600 },
  // Guesses at emailed codes: one source may start 30 codes an hour and each code allows 5
  // guesses, so 150 covers every guess it can legitimately make, and no more.
  signupVerifyPerSource: { limit: 150, windowSeconds: 3600 },
  recoveryVerifyPerSource: { limit: 150, windowSeconds: 3600 },
  // With at most 3 valid TOTP codes in a million, this and the lock after 100 failures bound guessing.
  twoStepPerUser: { limit: 10, windowSeconds: 300 },
  // WebAuthn options and recovery-code challenges (each a row in `challenges`, see challenges.ts).
  challengesPerUser: { limit: 30, windowSeconds: 300 },
  challengesPerSource: { limit: 120, windowSeconds: 300 },
  // Invitations an organization's admins may send (new and re-sent), and re-sends of one
  // invitation: enough for a team's onboarding day, not for using the server to spam an address.
  invitationsPerOrganization: { limit: 100, windowSeconds: 3600 },
  invitationResendsPerInvitation: { limit: 3, windowSeconds: 3600 },
  // A team administrator's reset of a member's two-step verification (§22.10): once a day per
  // member, so it cannot keep a member's second step off, and a bounded number per team.
  twoStepResetsPerMember: { limit: 1, windowSeconds: 86400 },
  twoStepResetsPerOrganization: { limit: 10, windowSeconds: 3600 },
  // Device enrollments an account may request: each carries one CPace run, so one guess at a
  // 40-bit verification code; enough for a household setting up its devices, not for guessing.
  deviceEnrollmentsPerUser: { limit: 20, windowSeconds: 3600 },
  // Organizer recoveries started in one organization (§22.8): each emails a member and every
  // organizer, so a bounded number; and uses of an emailed recovery link per source.
  organizerRecoveriesPerOrganization: { limit: 20, windowSeconds: 3600 },
  organizerRecoveryLinkPerSource: { limit: 60, windowSeconds: 3600 },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

export const emailBucket = (email: string): string => sha256Hex(`latchkey/v1/rate-limit\u0000${normalizeEmail(email)}`).slice(0, 32);

export const rateLimited = (retryAfterSeconds: number): LatchkeyError =>
  new LatchkeyError('rate_limited', 'Too many attempts. Wait a moment and try again.', { details: { retryAfterSeconds } });

/** The stored bucket and window of a named rule for `key`. */
export const ruleFor = (name: RateLimitName, key: string) => ({ bucket: `${name}:${key}`, ...RATE_LIMITS[name] });

/** Counts one attempt against each named bucket; throws `rate_limited` when any is exhausted. */
export async function enforceRateLimits(ctx: ServerContext, checks: ReadonlyArray<[RateLimitName, string]>, now: Date = ctx.clock()): Promise<void> {
  for (const [name, key] of checks) {
    const decision = await consumeRateLimit(ctx.db, ruleFor(name, key), now);
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
  }
}

export { sourceKey };

/** The bucket key of one email as seen from one source. */
export const emailSourceBucket = (email: string, meta: RequestMeta): string => `${emailBucket(email)}:${sourceKey(meta)}`;
