import type { FastifyInstance } from 'fastify';
import * as wire from '@latchkey/core/wire/recovery';
import type { ServerContext } from '../context.ts';
import { publicRoute, sessionRoute } from '../http/route.ts';
import * as recoveryCode from '../services/recovery-code.ts';
import * as recovery from '../services/recovery.ts';

export function recoveryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  let tag = 'recovery code';
  sessionRoute(app, ctx, { method: 'GET', url: '/api/recovery-code', tag, summary: 'Recovery code status and reminders', response: wire.RecoveryCodeStatus }, ({ session }) =>
    recoveryCode.recoveryCodeStatus(ctx, session),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/recovery-code', tag, summary: 'Set up a new (pending) recovery code; needs recent re-authentication and, with 2FA on, a factor proof', body: wire.CreateRecoveryCodeRequest, response: wire.RecoveryCodeStatus, status: 201 }, ({ session, meta, body }) =>
    recoveryCode.createPendingRecoveryCode(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/recovery-code/challenge', tag, summary: 'A single-use challenge to confirm or check a code', body: wire.RecoveryChallengeRequest, response: wire.RecoveryChallenge }, ({ session, body }) =>
    recoveryCode.issueRecoveryChallenge(ctx, session, body.purpose),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/recovery-code/confirm', tag, summary: 'Activate the pending code by proving possession', body: wire.RecoveryProofRequest, response: wire.RecoveryCodeStatus }, ({ session, meta, body }) =>
    recoveryCode.confirmRecoveryCode(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/recovery-code/check', tag, summary: 'Test a code against the active one', body: wire.RecoveryProofRequest, response: wire.RecoveryCheckResponse }, ({ session, meta, body }) =>
    recoveryCode.checkRecoveryCode(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'DELETE', url: '/api/recovery-code', tag, summary: 'Delete the recovery code; needs recent re-authentication and, with 2FA on, a factor proof', body: wire.DeleteRecoveryCodeRequest, response: wire.RecoveryCodeStatus }, ({ session, meta, body }) =>
    recoveryCode.deleteRecoveryCode(ctx, session, meta, body),
  );

  tag = 'recovery';
  publicRoute(app, { method: 'POST', url: '/api/recovery/start', tag, summary: 'Email a code to start recovery', body: wire.RecoveryStartRequest, response: wire.RecoveryStartResponse, status: 202 }, async ({ body, meta }) => ({
    status: 'verification_sent' as const,
    ...(await recovery.startRecovery(ctx, meta, body.email)),
  }));
  publicRoute(app, { method: 'POST', url: '/api/recovery/verify', tag, summary: 'Check the emailed code; returns a ticket', body: wire.RecoveryVerifyRequest, response: wire.RecoveryVerifyResponse }, ({ body }) =>
    recovery.verifyRecoveryEmail(ctx, body.verificationId, body.code),
  );
  publicRoute(app, { method: 'POST', url: '/api/recovery/prove', tag, summary: 'Prove possession of the recovery code', body: wire.RecoveryProveRequest, response: wire.RecoveryProveResponse }, ({ body, meta }) =>
    recovery.proveRecovery(ctx, meta, body),
  );
  publicRoute(app, { method: 'POST', url: '/api/recovery/register', tag, summary: 'OPAQUE registration for the new credentials', body: wire.RecoveryRegisterRequest, response: wire.RecoveryRegisterResponse }, async ({ body }) => ({
    registrationResponse: await recovery.createRecoveryRegistrationResponse(ctx, body.grant, body.registrationRequest),
  }));
  publicRoute(app, { method: 'POST', url: '/api/recovery/finish', tag, summary: 'Set the new credentials; ends every session', body: wire.RecoveryFinishRequest, response: wire.RecoveryFinishResponse }, ({ body, meta }) =>
    recovery.finishRecovery(ctx, meta, body),
  );
}
