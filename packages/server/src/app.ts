/**
 * Builds the HTTP server: Fastify with strict JSON schemas, one error format, the OpenAPI
 * document, and the routes, exactly those of the endpoint table (`@latchkey/core/wire/endpoints`). Starting, stopping and wiring storage and mail is `server.ts`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { TrustProxy } from './config.ts';
import type { ServerContext } from './context.ts';
import { installErrorHandling, sendError } from './http/errors.ts';
import { installSourceRateLimits } from './http/source-rate-limits.ts';
import { recordApiRoutes } from './http/route-table.ts';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.ts';
import { OneLineRequestLog } from './http/request-log.ts';
import { signupRoutes } from './routes/signup.ts';
import { authRoutes } from './routes/auth.ts';
import { accountRoutes } from './routes/account.ts';
import { vaultRoutes } from './routes/vaults.ts';
import { groupRoutes } from './routes/groups.ts';
import { recoveryGroupRoutes } from './routes/recovery-group.ts';
import { organizerRecoveryRoutes } from './routes/organizer-recovery.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { vaultShareRoutes } from './routes/vault-shares.ts';
import { recoveryRoutes } from './routes/recovery.ts';
import { twoStepRoutes } from './routes/two-step.ts';
import { deviceEnrollmentRoutes } from './routes/device-enrollment.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { webAppRoutes } from './routes/web-app.ts';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Ajv validates exactly what was sent: nothing removed, coerced or filled in. */
export const AJV_OPTIONS = { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } };

export interface AppOptions {
  /** Fastify logger options; `false` for silence. Request logs carry method, URL and status, never bodies or headers. */
  readonly logger: boolean | Record<string, unknown>;
  readonly storageKind: string;
  /** Which proxies may name the client in `X-Forwarded-For` (`--trust-proxy`); default false: none. */
  readonly trustProxy?: TrustProxy;
}

export async function buildApp(ctx: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    ajv: AJV_OPTIONS,
    // Each route's validator and serializers are compiled when it is first called, not at start-up (idle memory).
    schemaController: { compilersFactory: lazySchemaCompilers() },
    // Bad URLs and over-long path values are rejected by the router, before the error handler.
    frameworkErrors: sendError,
    logController: new OneLineRequestLog(),
  });
  // JSON only: Fastify's default text/plain parser would let a text body reach the schemas; now it is a 415.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  // API answers hold keysets, ciphertexts and session lists: no browser or proxy may keep a copy.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  installSourceRateLimits(app, ctx);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey API',
        version: '1',
        description: 'End-to-end encrypted password manager. The server never sees a password, Secret Key, key or item.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  const checkApiRoutes = recordApiRoutes(app);
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await ctx.db.selectFrom('server_secrets').select('name').limit(1).execute();
    return { status: 'ok', database: options.storageKind };
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  signupRoutes(app, ctx);
  authRoutes(app, ctx);
  accountRoutes(app, ctx);
  vaultRoutes(app, ctx);
  organizationRoutes(app, ctx);
  invitationRoutes(app, ctx);
  groupRoutes(app, ctx);
  recoveryGroupRoutes(app, ctx);
  organizerRecoveryRoutes(app, ctx);
  vaultShareRoutes(app, ctx);
  recoveryRoutes(app, ctx);
  twoStepRoutes(app, ctx);
  deviceEnrollmentRoutes(app, ctx);
  passkeyRoutes(app, ctx);
  checkApiRoutes();
  // After the API: the web app, its SPA fallback for non-/api paths, and the security headers.
  await webAppRoutes(app);
  return app;
}

/** Fastify takes a hop count too, but its types do not say so: a count becomes the equivalent function. */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}
