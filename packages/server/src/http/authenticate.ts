/** Resolves the caller's session once per request; routes that need a session declare it. */
import type { FastifyRequest } from 'fastify';
import type { RequestMeta, ServerContext } from '../context.ts';
import { authenticate, type AuthenticatedSession } from '../services/sessions.ts';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip ?? null };
}

export function sessionOf(
  ctx: ServerContext,
  request: FastifyRequest,
  options: { allowPendingTwoStep?: boolean; allowEnrollment?: boolean } = {},
): Promise<AuthenticatedSession> {
  return authenticate(ctx, request.headers.authorization, options);
}
