/**
 * How the server serves the web app when the build is missing: a clear page saying how to
 * build it (never a crash), the API's JSON 404 for unknown /api paths, and the security
 * headers on every response.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { webAppRoutes } from '../../server/src/routes/web-app.ts';

describe('web app routes without a build', () => {
  it('answers / with a page saying how to build the app, and keeps /api JSON', async () => {
    const app = Fastify({ logger: false });
    await webAppRoutes(app, { distDir: '/nonexistent/latchkey-web-dist' });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('npm run build -w @latchkey/web');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await app.inject({ method: 'GET', url: '/items/x' })).statusCode).toBe(503);
    const api = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint.' } });
    await app.close();
  });
});
