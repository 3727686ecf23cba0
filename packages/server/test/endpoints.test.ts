/**
 * The endpoint table (`@latchkey/core/wire/endpoints`) is the whole API (docs/protocol.md §20):
 * the server registers exactly its routes under /api, refuses to start otherwise, and its
 * OpenAPI document says for each what the table says (who may call, re-authentication,
 * body, parameters, success status).
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, routeKey } from '@latchkey/core/wire/endpoints';
import { pathParameterNames } from '@latchkey/core/wire/endpoint';
import { buildApp } from '../src/app.ts';
import { OPENAPI_ROUTE, recordApiRoutes } from '../src/http/route-table.ts';
import { send, startTestServer, type TestServer } from '@latchkey/server/testing';

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: unknown;
  parameters?: Array<{ in: string; name: string }>;
  responses: Record<string, unknown>;
  'x-latchkey-auth'?: string;
  'x-latchkey-requires-recent-reauth'?: boolean;
}

/** `/api/vaults/:vaultId/items` as OpenAPI writes it: `/api/vaults/{vaultId}/items`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Fastify's own route table (`METHOD /path/:param`), HEAD routes left out: they mirror GET. */
async function fastifyRoutes(server: TestServer): Promise<string[]> {
  const app = await buildApp(server.running.context, { logger: false, storageKind: 'route-listing' });
  await app.ready();
  const tree = app.printRoutes({ commonPrefix: false });
  await app.close();
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2]!;
    prefixes[depth] = path;
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.push(`${method} ${path}`);
  }
  return routes;
}

describe('the endpoint table and the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('registers exactly the endpoints of the table under /api (and the OpenAPI document); everything else is read-only', async () => {
    const routes = await fastifyRoutes(server);
    const api = routes.filter((r) => r.includes(' /api/'));
    expect(api.sort(), 'an /api route outside the endpoint table, or an endpoint without a route').toEqual([...ENDPOINTS.map(routeKey), OPENAPI_ROUTE].sort());
    // The health check and the web app's files: nothing there takes a body or changes state.
    const rest = routes.filter((r) => !api.includes(r));
    expect(rest).toContain('GET /healthz');
    expect(rest.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect((await send(server, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('documents every endpoint in the OpenAPI document as the table declares it, and nothing else', async () => {
    const res = await send(server, { method: 'GET', path: '/api/openapi.json' });
    expect(res.status).toBe(200);
    const doc = res.json as { paths: Record<string, Record<string, Operation>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${openApiPath(e.path)}`).sort());
    for (const endpoint of ENDPOINTS) {
      const op = doc.paths[openApiPath(endpoint.path)]![endpoint.method.toLowerCase()]!;
      expect(op.operationId).toBe(endpoint.name);
      expect(op.security !== undefined, `${endpoint.name}: bearer security`).toBe(endpoint.auth !== 'public');
      expect(op['x-latchkey-auth']).toBe(endpoint.auth);
      expect(op['x-latchkey-requires-recent-reauth']).toBe(endpoint.requireRecentReauth);
      expect(op.requestBody !== undefined, `${endpoint.name}: request body`).toBe(endpoint.body !== undefined);
      expect(
        (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        endpoint.name,
      ).toEqual(pathParameterNames(endpoint.path));
      expect(Object.keys(op.responses).sort(), endpoint.name).toEqual([String(endpoint.status), '4XX'].sort());
    }
  });
});

describe('the start-up check of the routes against the table', () => {
  it('refuses a route outside the table, an endpoint without a route, and one registered twice', async () => {
    const app = Fastify({ logger: false });
    const check = recordApiRoutes(app);
    const noop = async () => ({});
    app.get('/api/openapi.json', noop);
    for (const endpoint of ENDPOINTS.slice(1)) app.route({ method: endpoint.method, url: endpoint.path, handler: noop });
    app.route({ method: ENDPOINTS[1]!.method, url: ENDPOINTS[1]!.path, handler: noop, constraints: { version: '2.0.0' } });
    app.post('/api/backdoor', noop);
    expect(check).toThrow(
      /Not in the table: POST \/api\/backdoor\. Not registered: POST \/api\/signup\/start\. Registered twice: POST \/api\/signup\/verify\./,
    );
    await app.close();
  });

  it('accepts exactly the table', async () => {
    const app = Fastify({ logger: false });
    const check = recordApiRoutes(app);
    const noop = async () => ({});
    app.get('/api/openapi.json', noop);
    for (const endpoint of ENDPOINTS) app.route({ method: endpoint.method, url: endpoint.path, handler: noop });
    expect(check).not.toThrow();
    await app.close();
  });
});
