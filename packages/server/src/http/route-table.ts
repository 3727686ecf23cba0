/**
 * Holds the server to the endpoint table: every /api route Fastify registers is recorded, and
 * the server refuses to start when they are not exactly the table's (a route added outside the
 * table, or an endpoint nobody registered), so what the OpenAPI document, the SDK and the
 * authorization tests know is all there is.
 */
import type { FastifyInstance } from 'fastify';
import { ENDPOINTS, routeKey } from '@latchkey/core/wire/endpoints';

/** The one /api route outside the table: the OpenAPI document itself (public, read-only). */
export const OPENAPI_ROUTE = 'GET /api/openapi.json';

const isApiUrl = (url: string) => url === '/api' || url.startsWith('/api/');

/** Starts recording; call before registering routes. The returned check throws when the routes and the table differ. */
export function recordApiRoutes(app: FastifyInstance): () => void {
  const registered: string[] = [];
  app.addHook('onRoute', (options) => {
    if (!isApiUrl(options.url)) return;
    // Fastify adds a HEAD route beside each GET route by itself.
    for (const method of [options.method].flat()) if (method !== 'HEAD') registered.push(`${method} ${options.url}`);
  });
  return () => {
    const expected = [...ENDPOINTS.map(routeKey), OPENAPI_ROUTE];
    const extra = registered.filter((r) => !expected.includes(r));
    const missing = expected.filter((r) => !registered.includes(r));
    const twice = registered.filter((r, i) => registered.indexOf(r) !== i);
    if (extra.length + missing.length + twice.length > 0) {
      throw new Error(
        `The /api routes differ from the endpoint table. Not in the table: ${extra.join(', ') || 'none'}. Not registered: ${missing.join(', ') || 'none'}. Registered twice: ${twice.join(', ') || 'none'}.`,
      );
    }
  };
}
