/**
 * What completing a sign-in records, wherever it completes (right after OPAQUE, or after the
 * second factor): the device, the security-log entry, and the new-device email.
 */
import type { RequestMeta, ServerContext } from '../context.ts';
import { recordDevice } from '../repositories/sessions.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { notices, sendInBackground } from './notifications.ts';
import type { AuthenticatedSession } from './sessions.ts';

export async function recordSignIn(ctx: ServerContext, session: Pick<AuthenticatedSession, 'userId' | 'device'>, meta: RequestMeta, email: string): Promise<void> {
  const now = ctx.clock();
  const { device } = session;
  const newDevice = await ctx.db.transaction().execute(async (tx) => {
    const isNew = await recordDevice(tx, session.userId, device, now);
    await recordSecurityEvent(tx, { userId: session.userId, type: isNew ? 'sign-in.new-device' : 'sign-in', detail: { device: device.name, platform: device.platform }, ip: meta.ip, now });
    return isNew;
  });
  if (newDevice) sendInBackground(ctx, email, notices.newDeviceSignIn(`${device.name} (${device.platform})`, now, meta.ip, ctx.config.publicUrl));
}
