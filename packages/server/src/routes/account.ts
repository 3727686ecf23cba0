import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as credentials from '../services/credentials.ts';
import * as sessions from '../services/sessions.ts';
import { securityLog } from '../services/security-log.ts';

export function accountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.account, ({ session }) => sessions.getAccountProfile(ctx, session));
  route(app, ctx, endpoints.credentialsChangeStart, async ({ body, session }) => ({
    registrationResponse: credentials.startCredentialsChange(ctx, session, body.registrationRequest),
  }));
  route(app, ctx, endpoints.credentialsChangeFinish, ({ body, session, meta }) => credentials.finishCredentialsChange(ctx, session, meta, body));
  route(app, ctx, endpoints.securityLog, async ({ session }) => ({
    events: await securityLog(ctx, session),
  }));
  route(app, ctx, endpoints.listSessions, async ({ session }) => ({
    sessions: await sessions.listSessions(ctx, session),
  }));
  route(app, ctx, endpoints.revokeSession, async ({ params, session, meta }) => ({
    revoked: await sessions.revokeSession(ctx, session, meta, params.id),
  }));
  route(app, ctx, endpoints.revokeOtherSessions, async ({ session, meta }) => ({
    revoked: await sessions.revokeOtherSessions(ctx, session, meta),
  }));
}
