import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as twoStep from '../services/two-step.ts';
import { completeTwoStep } from '../services/two-step-proof.ts';
import { securityKeyAuthenticationOptions } from '../services/security-keys.ts';

export function twoStepRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.twoStepStatus, ({ session }) => twoStep.twoStepStatus(ctx, session));
  route(app, ctx, endpoints.startTotpSetup, ({ session, meta, body }) => twoStep.startTotpSetup(ctx, session, meta, body));
  route(app, ctx, endpoints.confirmTotp, ({ session, meta, body }) => twoStep.confirmTotp(ctx, session, meta, body.otp));
  route(app, ctx, endpoints.disableTotp, async ({ session, meta, body }) => {
    await twoStep.disableTotp(ctx, session, meta, body);
    return { ok: true };
  });
  route(app, ctx, endpoints.regenerateBackupCodes, ({ session, meta, body }) => twoStep.regenerateBackupCodes(ctx, session, meta, body));
  route(app, ctx, endpoints.securityKeyRegistrationOptions, ({ session, meta, body }) => twoStep.startSecurityKeyRegistration(ctx, session, meta, body));
  route(app, ctx, endpoints.registerSecurityKey, ({ session, meta, body }) => twoStep.finishSecurityKeyRegistration(ctx, session, meta, body));
  route(app, ctx, endpoints.removeSecurityKey, async ({ session, meta, params, body }) => {
    await twoStep.removeSecurityKey(ctx, session, meta, params.id, body);
    return { ok: true };
  });
  route(app, ctx, endpoints.securityKeyProofOptions, ({ session }) => securityKeyAuthenticationOptions(ctx, session.userId));

  route(app, ctx, endpoints.twoStepOptions, ({ session }) => {
    if (!session.twoStepPending) throw new LatchkeyError('invalid_request', 'This session needs no second step.');
    return securityKeyAuthenticationOptions(ctx, session.userId);
  });
  route(app, ctx, endpoints.twoStep, ({ session, meta, body }) => completeTwoStep(ctx, session, meta, body));
}
