import type { FastifyInstance } from 'fastify';
import * as wire from '@latchkey/core/wire/auth';
import { Empty } from '@latchkey/core/wire/common';
import type { ServerContext } from '../context.ts';
import { publicRoute, sessionRoute } from '../http/route.ts';
import * as signIn from '../services/sign-in.ts';
import * as sessions from '../services/sessions.ts';

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tag = 'sign-in';
  publicRoute(app, { method: 'POST', url: '/api/auth/login/start', tag, summary: 'OPAQUE sign-in, first message', body: wire.LoginStartRequest, response: wire.LoginStartResponse }, ({ body, meta }) =>
    signIn.startSignIn(ctx, meta, body),
  );
  publicRoute(app, { method: 'POST', url: '/api/auth/login/finish', tag, summary: 'OPAQUE sign-in, client proof; creates the session', body: wire.LoginFinishRequest, response: wire.LoginFinishResponse }, ({ body, meta }) =>
    signIn.finishSignIn(ctx, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/auth/reauth/start', tag, summary: 'Re-authenticate inside a session (unlock), first message', body: wire.ReauthStartRequest, response: wire.LoginStartResponse }, ({ body, session, meta }) =>
    signIn.startReauth(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/auth/reauth/finish', tag, summary: 'Re-authenticate inside a session, client proof', body: wire.ReauthFinishRequest, response: wire.ReauthFinishResponse }, ({ body, session }) =>
    signIn.finishReauth(ctx, session, body),
  );
  sessionRoute(app, ctx, { method: 'POST', url: '/api/auth/signout', tag, summary: 'End this session (also one still waiting for its second factor)', body: Empty, response: wire.RevokeResponse, allowPendingSecondFactor: true }, async ({ session, meta }) => ({
    revoked: await sessions.revokeSession(ctx, session, meta, session.id),
  }));
}
