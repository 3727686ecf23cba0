import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as invitations from '../services/invitations.ts';
import { acceptInvitation } from '../services/memberships.ts';

/**
 * Invitations (docs/protocol.md §22.3). The token travels in request bodies only, never in a path,
 * so no access log keeps it.
 */
export function invitationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.createInvitation, ({ params, body, session }) => invitations.createInvitation(ctx, session, params.organizationId, body));
  route(app, ctx, endpoints.listInvitations, async ({ params, session }) => ({
    invitations: await invitations.listInvitations(ctx, session, params.organizationId),
  }));
  route(app, ctx, endpoints.revokeInvitation, async ({ params, session }) => {
    await invitations.revokeInvitation(ctx, session, params.organizationId, params.invitationId);
    return { revoked: true as const };
  });
  route(app, ctx, endpoints.resendInvitation, ({ params, session }) => invitations.resendInvitation(ctx, session, params.organizationId, params.invitationId));
  route(app, ctx, endpoints.describeInvitation, ({ body, session }) => invitations.describeInvitation(ctx, session, body.token));
  route(app, ctx, endpoints.acceptInvitation, ({ body, session }) => acceptInvitation(ctx, session, body.token, body.acceptance));
}
