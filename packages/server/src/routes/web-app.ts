/**
 * Serves the web app (`packages/web/dist`, built by Vite) at `/`, with a fallback to
 * `index.html` for the app's own paths (`/items/…`, `/sessions`), and sets the security
 * headers every response carries.
 *
 * The Content-Security-Policy is what keeps a script injection from reading decrypted items
 * or sending them elsewhere: scripts only from this origin (plus `'wasm-unsafe-eval'` for
 * the OPAQUE/Argon2 WebAssembly), workers only from this origin, requests only to this
 * origin, no plugins, no framing, no `<base>` tricks. The app never needs inline scripts.
 *
 * Compression: the build writes a gzip and a Brotli copy beside every text asset
 * (`packages/web/precompress.ts`); a browser that accepts one gets it, with `Content-Encoding`
 * and `Vary: accept-encoding` (also on the uncompressed fallback, so a shared cache keeps them
 * apart). Nothing is compressed per request. Hashed assets under `assets/` are cached for a
 * year (`immutable`); `index.html` is revalidated on every load (`no-cache`), so a new build
 * reaches browsers at once. The copies themselves are not served under their own names.
 *
 * If the app has not been built the server still runs the API, and `/` says how to build it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build -w @latchkey/web` writes the app. */
// Found through the package, not relative to this file: the server also runs from the CLI's bundle.
export const WEB_DIST_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@latchkey/web/package.json')), 'dist') + path.sep;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Latchkey: web app not built</title></head>
<body><main><h1>The Latchkey web app has not been built</h1>
<p>The server and its API are running, but there is no built web app to serve.</p>
<p>Build it with <code>npm run build -w @latchkey/web</code> (or run <code>npm install</code> at the repository root, which builds it), then restart the server.</p>
</main></body></html>
`;

function addSecurityHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!reply.hasHeader(name)) void reply.header(name, value);
  }
  done(null, payload);
}

/** The build's compressed copies, sent only as the `Content-Encoding` of their original. */
const isCompressedCopy = (pathname: string) => /\.(br|gz)$/i.test(pathname);

/** A path that names a file (has an extension) is a missing asset, not an app route. */
const looksLikeFile = (pathname: string) => /\.[a-z0-9]+$/i.test(pathname.slice(pathname.lastIndexOf('/') + 1));

export async function webAppRoutes(app: FastifyInstance, options: { distDir?: string } = {}): Promise<void> {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  app.addHook('onSend', addSecurityHeaders);

  if (!existsSync(`${distDir}/index.html`)) {
    app.log.warn({ distDir }, 'web app not built; run `npm run build -w @latchkey/web` to serve it');
    const notBuilt = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    app.get('/', { schema: { hide: true } }, notBuilt);
    app.get('/*', { schema: { hide: true } }, async (request, reply) => (isApiPath(request.url) ? notFound(reply) : notBuilt(request, reply)));
    return;
  }

  // No route per file (each would be a GET and a HEAD route, with the compressed copies too):
  // one handler below serves the files the build holds, and sendFile picks the copy the
  // browser accepts (`preCompressed`).
  await app.register(fastifyStatic, {
    root: distDir,
    serve: false,
    index: false,
    serveDotFiles: false,
    preCompressed: true,
    allowedPath: (pathname) => !isCompressedCopy(pathname),
    setHeaders(reply, filePath) {
      // Vite puts a content hash in every name under assets/: those never change.
      void reply.header('cache-control', /[\\/]assets[\\/]/.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // Only the files that exist at start-up are served; everything else reaches the fallback.
  const files = builtFiles(distDir);

  const sendApp = async (_request: FastifyRequest, reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', distDir);
  app.get('/', { schema: { hide: true } }, sendApp);
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (isApiPath(pathname)) return notFound(reply);
    if (files.has(pathname)) return reply.sendFile(pathname.slice(1));
    if (looksLikeFile(pathname)) return notFound(reply);
    return sendApp(request, reply);
  });
}

/** The URL paths (`/assets/index-….js`) of the build's files, without the compressed copies and dot files. */
function builtFiles(distDir: string): ReadonlySet<string> {
  const paths = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile() && !isCompressedCopy(entry.name)) paths.add(`${prefix}${entry.name}`);
    }
  };
  walk(distDir, '/');
  return paths;
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

async function notFound(reply: FastifyReply) {
  return reply.status(404).send({ error: { code: 'not_found', message: 'No such endpoint.' } });
}
