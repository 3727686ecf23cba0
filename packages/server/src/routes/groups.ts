import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as groups from '../services/groups.ts';

/** Groups of an organization (docs/protocol.md §22.5). */
export function groupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.createGroup, ({ params, body, session }) => groups.createGroup(ctx, session, params.organizationId, body));
  route(app, ctx, endpoints.listGroups, async ({ params, session }) => ({
    groups: await groups.listGroups(ctx, session, params.organizationId),
  }));
  route(app, ctx, endpoints.getGroup, ({ params, session }) => groups.getGroup(ctx, session, params.organizationId, params.groupId));
  route(app, ctx, endpoints.addGroupMember, async ({ params, body, session }) => {
    await groups.addGroupMember(ctx, session, params.organizationId, params.groupId, body);
    return { added: true as const };
  });
  route(app, ctx, endpoints.rekeyGroup, ({ params, body, session }) => groups.rekeyGroup(ctx, session, params.organizationId, params.groupId, body));
  route(app, ctx, endpoints.deleteGroup, async ({ params, session }) => {
    await groups.deleteGroup(ctx, session, params.organizationId, params.groupId);
    return { deleted: true as const };
  });
}
