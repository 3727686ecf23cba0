import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as recoveryCode from '../services/recovery-code.ts';
import * as recovery from '../services/recovery.ts';

export function recoveryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.recoveryCodeStatus, ({ session }) => recoveryCode.recoveryCodeStatus(ctx, session));
  route(app, ctx, endpoints.createRecoveryCode, ({ session, meta, body }) => recoveryCode.createPendingRecoveryCode(ctx, session, meta, body));
  route(app, ctx, endpoints.recoveryCodeChallenge, ({ session, body }) => recoveryCode.issueRecoveryChallenge(ctx, session, body.purpose));
  route(app, ctx, endpoints.confirmRecoveryCode, ({ session, meta, body }) => recoveryCode.confirmRecoveryCode(ctx, session, meta, body));
  route(app, ctx, endpoints.checkRecoveryCode, ({ session, meta, body }) => recoveryCode.checkRecoveryCode(ctx, session, meta, body));
  route(app, ctx, endpoints.deleteRecoveryCode, ({ session, meta, body }) => recoveryCode.deleteRecoveryCode(ctx, session, meta, body));

  route(app, ctx, endpoints.recoveryStart, async ({ body, meta }) => ({
    status: 'verification_sent' as const,
    ...(await recovery.startRecovery(ctx, meta, body.email)),
  }));
  route(app, ctx, endpoints.recoveryVerify, ({ body }) => recovery.verifyRecoveryEmail(ctx, body.verificationId, body.code));
  route(app, ctx, endpoints.recoveryProve, ({ body, meta }) => recovery.proveRecovery(ctx, meta, body));
  route(app, ctx, endpoints.recoveryRegister, async ({ body }) => ({
    registrationResponse: await recovery.createRecoveryRegistrationResponse(ctx, body.grant, body.registrationRequest),
  }));
  route(app, ctx, endpoints.recoveryFinish, ({ body, meta }) => recovery.finishRecovery(ctx, meta, body));
}
