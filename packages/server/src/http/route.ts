/**
 * Declares a JSON route with its schemas (which both validate the request and document it in
 * the OpenAPI document) and, unless `public`, resolves the caller's session before the handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import { ErrorBody } from '@latchkey/core/wire/common';
import type { RequestMeta, ServerContext } from '../context.ts';
import type { AuthenticatedSession } from '../services/sessions.ts';
import { requestMeta, sessionOf } from './authenticate.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RouteSpec<B extends TSchema | undefined, P extends TSchema | undefined, R extends TSchema> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: B;
  readonly params?: P;
  readonly response: R;
  /** HTTP status of success; 200 unless said. */
  readonly status?: 200 | 201 | 202;
  /** Only the routes that complete a sign-in accept a session still waiting for its second factor. */
  readonly allowPendingSecondFactor?: boolean;
}

type Maybe<T extends TSchema | undefined> = T extends TSchema ? Static<T> : undefined;

export interface PublicInput<B extends TSchema | undefined, P extends TSchema | undefined> {
  body: Maybe<B>;
  params: Maybe<P>;
  meta: RequestMeta;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface AuthedInput<B extends TSchema | undefined, P extends TSchema | undefined> extends PublicInput<B, P> {
  session: AuthenticatedSession;
}

function register<B extends TSchema | undefined, P extends TSchema | undefined, R extends TSchema>(
  app: FastifyInstance,
  spec: RouteSpec<B, P, R>,
  security: boolean,
  handle: (request: FastifyRequest, reply: FastifyReply) => Promise<Static<R>>,
): void {
  const status = spec.status ?? 200;
  app.route({
    method: spec.method,
    url: spec.url,
    schema: {
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(security ? { security: [{ bearer: [] }] } : {}),
      response: { [status]: spec.response, '4xx': ErrorBody },
    },
    handler: async (request, reply) => {
      const result = await handle(request, reply);
      void reply.status(status);
      return result;
    },
  });
}

export function publicRoute<B extends TSchema | undefined, P extends TSchema | undefined, R extends TSchema>(
  app: FastifyInstance,
  spec: RouteSpec<B, P, R>,
  handler: (input: PublicInput<B, P>) => Promise<Static<R>>,
): void {
  register(app, spec, false, (request, reply) =>
    handler({ body: request.body as Maybe<B>, params: request.params as Maybe<P>, meta: requestMeta(request), request, reply }),
  );
}

export function sessionRoute<B extends TSchema | undefined, P extends TSchema | undefined, R extends TSchema>(
  app: FastifyInstance,
  ctx: ServerContext,
  spec: RouteSpec<B, P, R>,
  handler: (input: AuthedInput<B, P>) => Promise<Static<R>>,
): void {
  register(app, spec, true, async (request, reply) => {
    const session = await sessionOf(ctx, request, { allowPendingSecondFactor: spec.allowPendingSecondFactor === true });
    return handler({ body: request.body as Maybe<B>, params: request.params as Maybe<P>, meta: requestMeta(request), request, reply, session });
  });
}
