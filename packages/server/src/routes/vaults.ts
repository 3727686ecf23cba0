import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import * as wire from '@latchkey/core/wire/vaults';
import type { ServerContext } from '../context.ts';
import { sessionRoute } from '../http/route.ts';
import * as vaults from '../services/vaults.ts';

export function vaultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const tag = 'vaults';
  sessionRoute(app, ctx, { method: 'GET', url: '/api/vaults', tag, summary: 'Vaults the caller may read, with their wrapped keys', response: wire.VaultList }, async ({ session }) => ({
    vaults: await vaults.listVaults(ctx, session),
  }));
  sessionRoute(app, ctx, { method: 'POST', url: '/api/vaults', tag, summary: 'Create a vault', body: wire.CreateVaultRequest, response: Type.Object({ id: Type.String() }), status: 201 }, ({ body, session, meta }) =>
    vaults.createVault(ctx, session, meta, body),
  );
  sessionRoute(app, ctx, { method: 'GET', url: '/api/vaults/:vaultId/items', tag, summary: "A vault's encrypted items", params: wire.VaultParams, response: wire.ItemList }, async ({ params, session }) => ({
    items: await vaults.listItems(ctx, session, params.vaultId),
  }));
  sessionRoute(app, ctx, { method: 'POST', url: '/api/vaults/:vaultId/items', tag, summary: 'Create an item (version 1)', params: wire.VaultParams, body: wire.CreateItemRequest, response: wire.ItemVersion, status: 201 }, ({ params, body, session }) =>
    vaults.createItem(ctx, session, params.vaultId, body),
  );
  sessionRoute(app, ctx, { method: 'PUT', url: '/api/vaults/:vaultId/items/:itemId', tag, summary: 'Replace an item if expectedVersion is current', params: wire.ItemParams, body: wire.UpdateItemRequest, response: wire.ItemVersion }, ({ params, body, session }) =>
    vaults.updateItem(ctx, session, params.vaultId, params.itemId, body),
  );
  sessionRoute(app, ctx, { method: 'DELETE', url: '/api/vaults/:vaultId/items/:itemId', tag, summary: 'Delete an item if expectedVersion is current', params: wire.ItemParams, body: wire.DeleteItemRequest, response: Type.Object({ deleted: Type.Boolean() }) }, async ({ params, body, session }) => {
    await vaults.deleteItem(ctx, session, params.vaultId, params.itemId, body.expectedVersion);
    return { deleted: true };
  });
  sessionRoute(app, ctx, { method: 'GET', url: '/api/items/:itemId', tag, summary: 'One item, wherever the caller may read it', params: wire.ItemIdParams, response: wire.EncryptedItem }, ({ params, session }) =>
    vaults.getItem(ctx, session, params.itemId),
  );
}
