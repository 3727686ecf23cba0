import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as vaults from '../services/vaults.ts';

export function vaultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.listVaults, async ({ session }) => ({
    vaults: await vaults.listVaults(ctx, session),
  }));
  route(app, ctx, endpoints.createVault, ({ body, session, meta }) => vaults.createVault(ctx, session, meta, body));
  route(app, ctx, endpoints.listItems, async ({ params, session }) => ({
    items: await vaults.listItems(ctx, session, params.vaultId),
  }));
  route(app, ctx, endpoints.createItem, ({ params, body, session }) => vaults.createItem(ctx, session, params.vaultId, body));
  route(app, ctx, endpoints.createItems, ({ body, session, meta }) => vaults.createItems(ctx, session, meta, body));
  route(app, ctx, endpoints.updateItem, ({ params, body, session }) => vaults.updateItem(ctx, session, params.vaultId, params.itemId, body));
  route(app, ctx, endpoints.deleteItem, async ({ params, body, session }) => {
    await vaults.deleteItem(ctx, session, params.vaultId, params.itemId, body.expectedVersion);
    return { deleted: true };
  });
  route(app, ctx, endpoints.getItem, ({ params, session }) => vaults.getItem(ctx, session, params.itemId));
}
