import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as sharedVaults from '../services/shared-vaults.ts';

/** Sharing vaults inside an organization (docs/protocol.md §22.6). */
export function vaultShareRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.shareVault, ({ params, body, session }) =>
    sharedVaults.shareVault(ctx, session, body.organizationId, {
      shareId: body.id,
      vaultId: params.vaultId,
      recipient: body.recipient,
      role: body.role,
      wrap: body.wrap,
    }),
  );
  route(app, ctx, endpoints.listVaultShares, async ({ params, session }) => ({
    shares: await sharedVaults.listVaultShares(ctx, session, params.vaultId),
  }));
  route(app, ctx, endpoints.changeShareRole, async ({ params, body, session }) => {
    await sharedVaults.changeShareRole(ctx, session, params.vaultId, params.shareId, body.role);
    return { role: body.role };
  });
  route(app, ctx, endpoints.unshareVault, ({ params, session }) => sharedVaults.unshareVault(ctx, session, params.vaultId, params.shareId));
  route(app, ctx, endpoints.listSharedVaults, async ({ session }) => ({
    vaults: await sharedVaults.listSharedVaults(ctx, session),
  }));
}
