import type { FastifyInstance } from 'fastify';
import * as wire from '@latchkey/core/wire/signup';
import type { ServerContext } from '../context.ts';
import { publicRoute } from '../http/route.ts';
import * as signup from '../services/signup.ts';

export function signupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tag = 'sign-up';
  publicRoute(app, { method: 'POST', url: '/api/signup/start', tag, summary: 'Send an email verification code', body: wire.SignupStartRequest, response: wire.SignupStartResponse, status: 202 }, async ({ body, meta }) => ({
    status: 'verification_sent' as const,
    ...(await signup.startSignup(ctx, meta, body.email)),
  }));
  publicRoute(app, { method: 'POST', url: '/api/signup/verify', tag, summary: 'Check the emailed code; returns a sign-up ticket', body: wire.SignupVerifyRequest, response: wire.SignupVerifyResponse }, ({ body }) =>
    signup.verifySignupCode(ctx, body.verificationId, body.code),
  );
  publicRoute(app, { method: 'POST', url: '/api/signup/register', tag, summary: 'OPAQUE registration response for the new account', body: wire.SignupRegisterRequest, response: wire.SignupRegisterResponse }, async ({ body }) => ({
    registrationResponse: await signup.createSignupRegistrationResponse(ctx, body.ticket, body.registrationRequest),
  }));
  publicRoute(app, { method: 'POST', url: '/api/signup/finish', tag, summary: 'Create the account, keyset and Personal vault, and sign in', body: wire.SignupFinishRequest, response: wire.SignupFinishResponse, status: 201 }, ({ body, meta }) =>
    signup.finishSignup(ctx, meta, body),
  );
}
