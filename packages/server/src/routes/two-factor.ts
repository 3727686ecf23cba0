import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as twoFactor from '../services/two-factor.ts';
import { completeSecondFactor } from '../services/second-factor.ts';
import { securityKeyAuthenticationOptions } from '../services/security-keys.ts';

export function twoFactorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.twoFactorStatus, ({ session }) => twoFactor.twoFactorStatus(ctx, session));
  route(app, ctx, endpoints.startTotpSetup, ({ session, meta, body }) => twoFactor.startTotpSetup(ctx, session, meta, body));
  route(app, ctx, endpoints.confirmTotp, ({ session, meta, body }) => twoFactor.confirmTotp(ctx, session, meta, body.otp));
  route(app, ctx, endpoints.disableTotp, async ({ session, meta, body }) => {
    await twoFactor.disableTotp(ctx, session, meta, body);
    return { ok: true };
  });
  route(app, ctx, endpoints.regenerateBackupCodes, ({ session, meta, body }) => twoFactor.regenerateBackupCodes(ctx, session, meta, body));
  route(app, ctx, endpoints.securityKeyRegistrationOptions, ({ session, meta, body }) => twoFactor.startSecurityKeyRegistration(ctx, session, meta, body));
  route(app, ctx, endpoints.registerSecurityKey, ({ session, meta, body }) => twoFactor.finishSecurityKeyRegistration(ctx, session, meta, body));
  route(app, ctx, endpoints.removeSecurityKey, async ({ session, meta, params, body }) => {
    await twoFactor.removeSecurityKey(ctx, session, meta, params.id, body);
    return { ok: true };
  });
  route(app, ctx, endpoints.securityKeyProofOptions, ({ session }) => securityKeyAuthenticationOptions(ctx, session.userId));

  route(app, ctx, endpoints.secondFactorOptions, ({ session }) => {
    if (!session.secondFactorPending) throw new LatchkeyError('invalid_request', 'This session needs no second factor.');
    return securityKeyAuthenticationOptions(ctx, session.userId);
  });
  route(app, ctx, endpoints.secondFactor, ({ session, meta, body }) => completeSecondFactor(ctx, session, meta, body));
}
