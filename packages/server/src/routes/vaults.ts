import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import { moveItem } from '../services/item-move.ts';
import * as trash from '../services/trash.ts';
import { deleteVault, renameVault } from '../services/vault-changes.ts';
import * as vaults from '../services/vaults.ts';

export function vaultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.listVaults, async ({ session }) => ({
    vaults: await vaults.listVaults(ctx, session),
  }));
  route(app, ctx, endpoints.createVault, ({ body, session, meta }) => vaults.createVault(ctx, session, meta, body));
  route(app, ctx, endpoints.renameVault, ({ params, body, session, meta }) => renameVault(ctx, session, meta, params.vaultId, body));
  route(app, ctx, endpoints.deleteVault, ({ params, body, session, meta }) => deleteVault(ctx, session, meta, params.vaultId, body));
  route(app, ctx, endpoints.listItems, async ({ params, session }) => ({
    items: await vaults.listItems(ctx, session, params.vaultId),
  }));
  route(app, ctx, endpoints.createItem, ({ params, body, session }) => vaults.createItem(ctx, session, params.vaultId, body));
  route(app, ctx, endpoints.createItems, ({ body, session, meta }) => vaults.createItems(ctx, session, meta, body));
  route(app, ctx, endpoints.updateItem, ({ params, body, session }) => vaults.updateItem(ctx, session, params.vaultId, params.itemId, body));
  route(app, ctx, endpoints.deleteItem, ({ params, body, session }) => trash.trashItem(ctx, session, params.vaultId, params.itemId, body));
  route(app, ctx, endpoints.listTrash, async ({ params, session }) => ({ items: await trash.listTrash(ctx, session, params.vaultId) }));
  route(app, ctx, endpoints.restoreItem, ({ params, body, session }) => trash.restoreItem(ctx, session, params.vaultId, params.itemId, body));
  route(app, ctx, endpoints.purgeItem, ({ params, body, session }) => trash.purgeItem(ctx, session, params.vaultId, params.itemId, body));
  route(app, ctx, endpoints.emptyTrash, ({ params, session }) => trash.emptyTrash(ctx, session, params.vaultId));
  route(app, ctx, endpoints.moveItem, ({ params, body, session, meta }) => moveItem(ctx, session, meta, params.itemId, body));
  route(app, ctx, endpoints.getItem, ({ params, session }) => vaults.getItem(ctx, session, params.itemId));
}
