import type { FastifyInstance } from 'fastify';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ServerContext } from '../context.ts';
import { route } from '../http/route.ts';
import * as passkeys from '../services/passkey-accounts.ts';
import * as devices from '../services/trusted-devices.ts';

export function passkeyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, ctx, endpoints.passkeySignupOptions, ({ body }) => passkeys.passkeySignupOptions(ctx, body.ticket));
  route(app, ctx, endpoints.passkeySignupFinish, ({ body, meta }) => passkeys.finishPasskeySignup(ctx, meta, body));
  route(app, ctx, endpoints.passkeyUnlockOptions, ({ body, meta }) => passkeys.passkeyUnlockOptions(ctx, meta, body.email));
  route(app, ctx, endpoints.passkeyUnlock, ({ body, meta }) => passkeys.unlockWithPasskey(ctx, meta, body));
  route(app, ctx, endpoints.passkeyEnrollmentSession, ({ body, meta }) => passkeys.passkeyEnrollmentSession(ctx, meta, body));
  route(app, ctx, endpoints.listTrustedDevices, async ({ session }) => ({ devices: await devices.trustedDevices(ctx, session) }));
  route(app, ctx, endpoints.renameTrustedDevice, async ({ session, body }) => {
    await devices.renameDevice(ctx, session, body.deviceId, body.name);
    return { ok: true };
  });
  route(app, ctx, endpoints.removeTrustedDevice, async ({ session, body, meta }) => {
    await devices.deauthorizeDevice(ctx, meta, session, body.deviceId);
    return { ok: true };
  });
}
