import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import * as wire from '@latchkey/core/wire/two-factor';
import { Empty } from '@latchkey/core/wire/common';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ServerContext } from '../context.ts';
import { sessionRoute } from '../http/route.ts';
import * as twoFactor from '../services/two-factor.ts';
import { completeSecondFactor } from '../services/second-factor.ts';
import { securityKeyAuthenticationOptions } from '../services/security-keys.ts';

const Ok = Type.Object({ ok: Type.Boolean() });

export function twoFactorRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tag = 'two-step verification';
  sessionRoute(app, ctx, { method: 'GET', url: '/api/2fa', tag, summary: 'Two-step verification status', response: wire.TwoFactorStatus }, ({ session }) => twoFactor.twoFactorStatus(ctx, session));
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/totp', tag, summary: 'Start authenticator app setup (re-authentication; a factor proof when 2FA is on)', body: wire.FactorProof, response: wire.TotpSetupResponse }, ({ session, meta, body }) =>
    twoFactor.startTotpSetup(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/totp/confirm', tag, summary: 'Confirm the authenticator app with a first code; backup codes when 2FA was off', body: wire.OtpRequest, response: wire.BackupCodesResponse }, ({ session, meta, body }) =>
    twoFactor.confirmTotp(ctx, session, meta, body.otp),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/totp/disable', tag, summary: 'Turn the authenticator app off (re-authentication and a factor proof)', body: wire.FactorProof, response: Ok }, async ({ session, meta, body }) => {
    await twoFactor.disableTotp(ctx, session, meta, body);
    return { ok: true };
  });
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/backup-codes/regenerate', tag, summary: 'Replace every backup code (re-authentication and a factor proof)', body: wire.FactorProof, response: wire.BackupCodesResponse }, ({ session, meta, body }) =>
    twoFactor.regenerateBackupCodes(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/security-keys/options', tag, summary: 'WebAuthn registration options (re-authentication; a factor proof when 2FA is on)', body: wire.FactorProof, response: wire.ChallengeOptions }, ({ session, meta, body }) =>
    twoFactor.startSecurityKeyRegistration(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/security-keys', tag, summary: 'Register a security key', body: wire.RegisterSecurityKeyRequest, response: Type.Object({ id: Type.String(), backupCodes: Type.Array(Type.String()) }), status: 201 }, ({ session, meta, body }) =>
    twoFactor.finishSecurityKeyRegistration(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'DELETE', url: '/api/2fa/security-keys/:id', tag, summary: 'Remove a security key (re-authentication and a factor proof)', params: wire.SecurityKeyIdParams, body: wire.FactorProof, response: Ok }, async ({ session, meta, params, body }) => {
    await twoFactor.removeSecurityKey(ctx, session, meta, params.id, body);
    return { ok: true };
  });

  sessionRoute(app, ctx, { method: 'POST', url: '/api/2fa/security-keys/proof-options', tag, summary: 'WebAuthn options to prove a factor with a security key (to change or turn off factors)', body: Empty, response: wire.ChallengeOptions }, ({ session }) =>
    securityKeyAuthenticationOptions(ctx, session.userId),
  );

  sessionRoute(app, ctx, { method: 'POST', url: '/api/auth/second-factor/options', tag: 'sign-in', summary: 'WebAuthn options for the second factor of a pending sign-in', body: Empty, response: wire.ChallengeOptions, allowPendingSecondFactor: true }, ({ session }) => {
    if (!session.secondFactorPending) throw new LatchkeyError('invalid_request', 'This session needs no second factor.');
    return securityKeyAuthenticationOptions(ctx, session.userId);
  });
  sessionRoute(app, ctx, { method: 'POST', url: '/api/auth/second-factor', tag: 'sign-in', summary: 'Give the second factor; completes the sign-in', body: wire.SecondFactorRequest, response: wire.SecondFactorResponse, allowPendingSecondFactor: true }, ({ session, meta, body }) =>
    completeSecondFactor(ctx, session, meta, body),
  );
}
