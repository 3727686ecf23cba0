import type { FastifyInstance } from 'fastify';
import * as wire from '@latchkey/core/wire/auth';
import { Empty } from '@latchkey/core/wire/common';
import type { ServerContext } from '../context.ts';
import { sessionRoute } from '../http/route.ts';
import * as credentials from '../services/credentials.ts';
import * as sessions from '../services/sessions.ts';
import { listSecurityEvents } from '../repositories/security-events.ts';

export function accountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  sessionRoute(app, ctx, { method: 'GET', url: '/api/account', tag: 'account', summary: 'The signed-in account and its encrypted keyset', response: wire.AccountProfile }, ({ session }) =>
    sessions.getAccountProfile(ctx, session),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/account/credentials/start', tag: 'account', summary: 'Change password or Secret Key: OPAQUE registration response (needs recent re-authentication)', body: wire.CredentialsChangeStartRequest, response: wire.CredentialsChangeStartResponse }, async ({ body, session }) => ({
    registrationResponse: credentials.startCredentialsChange(ctx, session, body.registrationRequest),
  }));
  sessionRoute(app, ctx, { method: 'POST', url: '/api/account/credentials/finish', tag: 'account', summary: 'Change password or Secret Key: swap credentials atomically, sign out other sessions', body: wire.CredentialsChangeFinishRequest, response: wire.CredentialsChangeFinishResponse }, ({ body, session, meta }) =>
    credentials.finishCredentialsChange(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'GET', url: '/api/account/security-log', tag: 'account', summary: "The account's security log, newest first", response: wire.SecurityLog }, async ({ session }) => ({
    events: (await listSecurityEvents(ctx.db, session.userId, 200)).map((e) => ({ id: String(e.id), type: e.type, createdAt: e.createdAt.toISOString(), ip: e.ip, detail: e.detail })),
  }));
  sessionRoute(app, ctx, { method: 'GET', url: '/api/sessions', tag: 'sessions', summary: "The account's sessions", response: wire.SessionList }, async ({ session }) => ({
    sessions: await sessions.listSessions(ctx, session),
  }));
  sessionRoute(app, ctx, { method: 'DELETE', url: '/api/sessions/:id', tag: 'sessions', summary: 'Revoke one session', params: wire.IdParams, response: wire.RevokeResponse }, async ({ params, session, meta }) => ({
    revoked: await sessions.revokeSession(ctx, session, meta, params.id),
  }));
  sessionRoute(app, ctx, { method: 'POST', url: '/api/sessions/revoke-others', tag: 'sessions', summary: 'Sign out everywhere else', body: Empty, response: wire.RevokeResponse }, async ({ session, meta }) => ({
    revoked: await sessions.revokeOtherSessions(ctx, session, meta),
  }));
}
