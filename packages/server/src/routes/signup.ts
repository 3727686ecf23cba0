import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as signup from '../services/signup.ts';

export function signupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.signupStart, async ({ body, meta }) => ({
    status: 'verification_sent' as const,
    ...(await signup.startSignup(ctx, meta, body.email)),
  }));
  route(app, ctx, endpoints.signupVerify, ({ body }) => signup.verifySignupCode(ctx, body.verificationId, body.code));
  route(app, ctx, endpoints.signupRegister, async ({ body }) => ({
    registrationResponse: await signup.createSignupRegistrationResponse(ctx, body.ticket, body.registrationRequest),
  }));
  route(app, ctx, endpoints.signupFinish, ({ body, meta }) => signup.finishSignup(ctx, meta, body));
}
