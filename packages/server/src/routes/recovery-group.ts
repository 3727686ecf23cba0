import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as recovery from '../services/recovery-group.ts';

/** The Recovery Group and escrowed vault keys (docs/protocol.md §22.8). */
export function recoveryGroupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.createRecoveryGroup, ({ params, body, session }) => recovery.createRecoveryGroup(ctx, session, params.organizationId, body));
  route(app, ctx, endpoints.getRecoveryGroup, ({ params, session }) => recovery.getRecoveryGroup(ctx, session, params.organizationId));
  route(app, ctx, endpoints.recoveryStatus, async ({ session }) => ({ organizations: await recovery.recoveryStatus(ctx, session) }));
  route(app, ctx, endpoints.escrowVaultKey, ({ params, body, session }) => recovery.escrowVaultKey(ctx, session, params.organizationId, params.vaultId, body));
}
