/**
 * How the server serves the web app: when the build is missing, a clear page saying how to
 * build it (never a crash), the API's JSON 404 for unknown /api paths, and the security
 * headers on every response; when it is built, the precompressed copy each browser accepts
 * with the right headers, and a first load that stays within its size budget.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppRoutes } from '@latchkey/server/web-app';

/** Issue 14: the sign-in page's first load, in JavaScript bytes as sent gzipped. */
const SIGN_IN_JS_BUDGET_GZIP = 250_000;

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

/** The built app (`packages/web/dist`, built by the project's global setup). */
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** What the sign-in page loads before it can show its form: the entry script and every chunk it imports statically, transitively. */
function initialScripts(): string[] {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g),
  ].map((m) => m[1]!);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(path.join(DIST, file), 'utf8');
    // Static imports only (`import … from "./x.js"`, `import "./x.js"`); `import("./x.js")` loads on demand.
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g)) visit(path.posix.join(path.posix.dirname(file), m[1]!));
  };
  for (const entry of entries) visit(entry);
  return [...seen];
}

describe('web app first load', () => {
  let app: ReturnType<typeof Fastify>;
  const routes: string[] = [];
  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
    });
    await webAppRoutes(app);
  });
  afterAll(() => app.close());

  it("serves the build's files through one handler, not a route per file (idle memory), and nothing that is not in the build", async () => {
    expect(routes.sort()).toEqual(['GET /', 'GET /*']);
    const files = readdirSync(path.join(DIST, 'assets')).filter((f) => !/\.(br|gz)$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const response = await app.inject({ method: 'GET', url: `/assets/${file}?v=1`, headers: { 'accept-encoding': 'identity' } });
      expect(response.statusCode, file).toBe(200);
      expect(response.rawPayload.equals(readFileSync(path.join(DIST, 'assets', file))), file).toBe(true);
    }
    const head = await app.inject({ method: 'HEAD', url: '/favicon.svg', headers: { 'accept-encoding': 'br' } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['cache-control']).toBe('no-cache');
    for (const missing of ['/assets/nothing-here.js', '/favicon.png', '/../package.json', '/assets/../../package.json', '/.vite/manifest.json']) {
      expect((await app.inject({ method: 'GET', url: missing })).statusCode, missing).toBe(404);
    }
  });

  it('sends the precompressed copy a browser asks for, with Content-Encoding, Vary and the security headers', async () => {
    const script = initialScripts().find((file) => /^assets\/index-.*\.js$/.test(file))!;
    const raw = readFileSync(path.join(DIST, script));
    for (const [accept, encoding, decode] of [
      ['gzip, deflate, br', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `/${script}`, headers: { 'accept-encoding': accept } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(response.rawPayload.length).toBeLessThan(raw.length / 2);
      expect(decode(response.rawPayload).equals(raw)).toBe(true);
    }
    // No Accept-Encoding: the file as it is, still marked as varying on it for shared caches.
    const plain = await app.inject({ method: 'GET', url: `/${script}`, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.rawPayload.equals(raw)).toBe(true);
  });

  it('compresses the page itself, revalidates it on every load, and does not serve the copies under their own names', async () => {
    const page = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(gunzipSync(page.rawPayload).toString('utf8')).toBe(readFileSync(path.join(DIST, 'index.html'), 'utf8'));
    const route = await app.inject({ method: 'GET', url: '/items/abc', headers: { 'accept-encoding': 'br' } });
    expect(route.headers['content-encoding']).toBe('br');
    const script = initialScripts()[0]!;
    for (const copy of [`/${script}.gz`, `/${script}.br`]) expect((await app.inject({ method: 'GET', url: copy })).statusCode).toBe(404);
  });

  it("keeps the sign-in page's JavaScript under its 250 kB (gzip) budget, without the OPAQUE WebAssembly or the PDF builder", () => {
    const scripts = initialScripts();
    const gzipBytes = scripts.reduce((sum, file) => sum + statSync(path.join(DIST, `${file}.gz`)).size, 0);
    expect(gzipBytes).toBeGreaterThan(10_000); // the app is really there
    expect(gzipBytes, `first-load JavaScript is ${gzipBytes} bytes gzipped: ${scripts.join(', ')}`).toBeLessThanOrEqual(SIGN_IN_JS_BUDGET_GZIP);
    // "AGFzbQ" is base64 for "\0asm", the start of every WebAssembly module.
    for (const file of scripts) {
      const code = readFileSync(path.join(DIST, file), 'utf8');
      // If this fails, something the page loads imports @latchkey/core/opaque: SDK code must go through `ctx.derivation`.
      expect(code, `${file} carries the OPAQUE WebAssembly module`).not.toContain('AGFzbQ');
      // If this fails, a page the sign-in page imports statically uses a kit builder: download kits through app/kits.ts.
      expect(code, `${file} carries pdf-lib's fonts`).not.toContain('Helvetica-BoldOblique');
    }
    // The worker is where OPAQUE runs: it carries the module.
    const worker = readdirSync(path.join(DIST, 'assets')).find((f) => /^key-derivation\.worker-.*\.js$/.test(f))!;
    expect(readFileSync(path.join(DIST, 'assets', worker), 'utf8')).toContain('AGFzbQ');
  });
});
