/**
 * Registers a route from its endpoint in the table (`@latchkey/core/wire/endpoints`): the
 * endpoint's schemas validate the request and document it in the OpenAPI document, and what
 * it declares about the caller is enforced here, before the handler runs, so no handler can
 * forget it: a session for every non-public endpoint (a session still waiting for its second
 * factor only where the endpoint allows one), and a recent re-authentication where the
 * endpoint requires one (`reauthentication_required`). The handler's body, parameters, session
 * and answer are typed from the endpoint.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody } from '@latchkey/core/wire/common';
import type { Endpoint, EndpointBody, EndpointParams, EndpointResponse, NamedEndpoint } from '@latchkey/core/wire/endpoint';
import type { RequestMeta, ServerContext } from '../context.ts';
import { requireRecentReauth, type AuthenticatedSession, type ReauthenticatedSession } from '../services/sessions.ts';
import { requestMeta, sessionOf } from './authenticate.ts';

export interface PublicInput<E extends Endpoint> {
  body: EndpointBody<E>;
  params: EndpointParams<E>;
  meta: RequestMeta;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The caller's session as the endpoint guarantees it: recently re-authenticated where it requires that. */
export type SessionOf<E extends Endpoint> = E['requireRecentReauth'] extends true ? ReauthenticatedSession : AuthenticatedSession;

export type HandlerInput<E extends Endpoint> = PublicInput<E> & (E['auth'] extends 'public' ? unknown : { session: SessionOf<E> });

export type Handler<E extends Endpoint> = (input: HandlerInput<E>) => Promise<EndpointResponse<E>>;

/** The operation's description in the OpenAPI document: who may call. */
function describeAccess(endpoint: Endpoint): string {
  const parts = [
    endpoint.auth === 'public'
      ? 'Public.'
      : endpoint.auth === 'session'
        ? 'Needs a session.'
        : 'Needs a session; also accepts one still waiting for its second step.',
  ];
  if (endpoint.allowsEnrollmentSession) parts.push('Also accepts an enrollment session (a new device that proved the passkey, §24.7).');
  if (endpoint.requireRecentReauth) parts.push('The session must have re-authenticated within the last 5 minutes, else 403 reauthentication_required.');
  return parts.join(' ');
}

export function route<E extends NamedEndpoint>(app: FastifyInstance, ctx: ServerContext, endpoint: E, handler: Handler<E>): void {
  app.route({
    method: endpoint.method,
    url: endpoint.path,
    ...(endpoint.bodyLimit !== undefined ? { bodyLimit: endpoint.bodyLimit } : {}),
    schema: {
      operationId: endpoint.name,
      summary: endpoint.summary,
      description: describeAccess(endpoint),
      tags: [endpoint.tag],
      ...(endpoint.body ? { body: endpoint.body } : {}),
      ...(endpoint.params ? { params: endpoint.params } : {}),
      ...(endpoint.auth === 'public' ? {} : { security: [{ bearer: [] }] }),
      'x-latchkey-auth': endpoint.auth,
      'x-latchkey-requires-recent-reauth': endpoint.requireRecentReauth,
      response: { [endpoint.status]: endpoint.response, '4xx': ErrorBody },
    },
    handler: async (request, reply) => {
      const input: PublicInput<E> = {
        body: request.body as EndpointBody<E>,
        params: request.params as EndpointParams<E>,
        meta: requestMeta(request),
        request,
        reply,
      };
      let result: EndpointResponse<E>;
      if (endpoint.auth === 'public') {
        result = await handler(input as HandlerInput<E>);
      } else {
        const session = await sessionOf(ctx, request, {
          allowPendingTwoStep: endpoint.auth === 'session-allowing-pending-two-step',
          allowEnrollment: endpoint.allowsEnrollmentSession,
        });
        const checked = endpoint.requireRecentReauth ? requireRecentReauth(ctx, session) : session;
        // TypeScript cannot narrow the conditional input type by a runtime test of `endpoint`;
        // the two branches above are exactly what `HandlerInput` says.
        result = await handler({ ...input, session: checked } as unknown as HandlerInput<E>);
      }
      void reply.status(endpoint.status);
      return result;
    },
  });
}
