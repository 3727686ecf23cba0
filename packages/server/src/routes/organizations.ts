import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as memberRoles from '../services/member-roles.ts';
import { resetMemberTwoStep } from '../services/member-two-step-reset.ts';
import * as memberships from '../services/memberships.ts';
import * as organizations from '../services/organizations.ts';

/** Organizations (families and teams) and their members (docs/protocol.md §22.2–22.4, §22.7). */
export function organizationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.createOrganization, ({ body, session }) => organizations.createOrganization(ctx, session, body));
  route(app, ctx, endpoints.listOrganizations, async ({ session }) => ({
    organizations: await organizations.listMyOrganizations(ctx, session),
  }));
  route(app, ctx, endpoints.getOrganization, ({ params, session }) => organizations.getOrganization(ctx, session, params.organizationId));
  route(app, ctx, endpoints.organizationLog, async ({ params, session }) => ({
    events: await organizations.organizationLog(ctx, session, params.organizationId),
  }));
  route(app, ctx, endpoints.listMembers, async ({ params, session }) => ({
    members: await memberships.listMembers(ctx, session, params.organizationId),
  }));
  route(app, ctx, endpoints.confirmMember, async ({ params, body, session }) => {
    await memberships.confirmMember(ctx, session, params.organizationId, params.userId, body);
    return { confirmed: true as const };
  });
  route(app, ctx, endpoints.removeMember, ({ params, session }) => memberships.removeMember(ctx, session, params.organizationId, params.userId));
  route(app, ctx, endpoints.suspendMember, ({ params, session }) => memberships.suspendMember(ctx, session, params.organizationId, params.userId));
  route(app, ctx, endpoints.reinstateMember, async ({ params, session }) => {
    await memberships.reinstateMember(ctx, session, params.organizationId, params.userId);
    return { reinstated: true as const };
  });
  route(app, ctx, endpoints.changeMemberRole, ({ params, body, session }) =>
    memberRoles.changeMemberRole(ctx, session, params.organizationId, params.userId, body),
  );
  route(app, ctx, endpoints.transferOwnership, ({ params, body, session }) =>
    memberRoles.transferOwnership(ctx, session, params.organizationId, params.userId, body),
  );
  route(app, ctx, endpoints.resetMemberTwoStep, ({ params, session, meta }) => resetMemberTwoStep(ctx, session, meta, params.organizationId, params.userId));
}
