/**
 * Per-source rate limits for routes whose handlers do not hand the caller's address to the
 * service. For the public routes that check emailed codes the limit is applied before the body
 * is parsed: every request to them from one address counts, valid or not. For the routes that
 * issue challenges it is applied once the body is valid (a malformed request issues nothing).
 *
 * Protects against: one address spraying guesses at emailed codes (each code also allows only 5
 * guesses, see services/email-verification.ts), and one address issuing challenges for many
 * accounts (each account has its own limit too, see services/challenges.ts). The address is `request.ip`, which honours
 * `--trust-proxy`, so behind a trusted proxy each client has its own bucket.
 */
import type { FastifyInstance } from 'fastify';
import { endpoints, routeKey } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { enforceRateLimits, sourceKey, type RateLimitName } from '../services/rate-limits.ts';
import { requestMeta } from './authenticate.ts';

/** `"<METHOD> <route URL>"` → the rule counted for the caller's address. */
const SOURCE_LIMITED_ROUTES: Readonly<Record<string, RateLimitName>> = {
  [routeKey(endpoints.signupVerify)]: 'signupVerifyPerSource',
  [routeKey(endpoints.recoveryVerify)]: 'recoveryVerifyPerSource',
};

/** The routes that issue a challenge (services/challenges.ts), counted together per source. */
const CHALLENGE_ROUTES: ReadonlySet<string> = new Set(
  [
    endpoints.securityKeyRegistrationOptions,
    endpoints.securityKeyProofOptions,
    endpoints.twoStepOptions,
    endpoints.recoveryCodeChallenge,
    endpoints.passkeySignupOptions,
    endpoints.passkeyUnlockOptions,
  ].map(routeKey),
);

/** @throws LatchkeyError `rate_limited` (429, with Retry-After) from the hook when a bucket is exhausted. */
export function installSourceRateLimits(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (request) => {
    const rule = SOURCE_LIMITED_ROUTES[`${request.method} ${request.routeOptions.url ?? ''}`];
    if (rule !== undefined) await enforceRateLimits(ctx, [[rule, sourceKey(requestMeta(request))]]);
  });
  app.addHook('preHandler', async (request) => {
    if (CHALLENGE_ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`))
      await enforceRateLimits(ctx, [['challengesPerSource', sourceKey(requestMeta(request))]]);
  });
}
