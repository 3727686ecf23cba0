import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as signIn from '../services/sign-in.ts';
import * as sessions from '../services/sessions.ts';

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.loginStart, ({ body, meta }) => signIn.startSignIn(ctx, meta, body));
  route(app, ctx, endpoints.loginFinish, ({ body, meta }) => signIn.finishSignIn(ctx, meta, body));
  route(app, ctx, endpoints.reauthStart, ({ body, session, meta }) => signIn.startReauth(ctx, session, meta, body));
  route(app, ctx, endpoints.reauthFinish, ({ body, session, meta }) => signIn.finishReauth(ctx, session, meta, body));
  route(app, ctx, endpoints.signOut, async ({ session, meta }) => ({
    revoked: await sessions.revokeSession(ctx, session, meta, session.id),
  }));
}
