/**
 * What completing a sign-in records, wherever it completes (right after OPAQUE, or after the
 * second step): the device, the security-log entry, and the new-device email.
 */
import type { RequestMeta, ServerContext, Tx } from '../context.ts';
import { recordDevice } from '../repositories/sessions.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { cancelOpenRecoveriesIn } from './organizer-recovery.ts';
import type { AuthenticatedSession } from './sessions.ts';

/**
 * Records a completed sign-in. `alongside` (e.g. creating the session) runs in the same
 * transaction, so a sign-in costs one commit: on SQLite each durable commit is an fsync.
 */
export async function recordSignIn(
  ctx: ServerContext,
  session: Pick<AuthenticatedSession, 'userId' | 'device'>,
  meta: RequestMeta,
  email: string,
): Promise<void>;
export async function recordSignIn<T>(
  ctx: ServerContext,
  session: Pick<AuthenticatedSession, 'userId' | 'device'>,
  meta: RequestMeta,
  email: string,
  alongside: (tx: Tx) => Promise<T>,
): Promise<T>;
export async function recordSignIn<T>(
  ctx: ServerContext,
  session: Pick<AuthenticatedSession, 'userId' | 'device'>,
  meta: RequestMeta,
  email: string,
  alongside?: (tx: Tx) => Promise<T>,
): Promise<T | undefined> {
  const now = ctx.clock();
  const { device } = session;
  const { result } = await transactionWithNotices(ctx, async (tx) => {
    const result = alongside === undefined ? undefined : await alongside(tx);
    // A full sign-in (second step included) with the old credentials cancels an organizer
    // recovery: the member has them after all (§22.8). Not before the second step, so a thief
    // who found the lost password and Secret Key cannot keep the member from being recovered.
    await cancelOpenRecoveriesIn(ctx, tx, session.userId, 'signed-in-with-old-credentials', meta);
    const isNew = await recordDevice(tx, session.userId, device, now);
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: isNew ? 'sign-in.new-device' : 'sign-in',
      detail: { device: device.name, platform: device.platform },
      ip: meta.ip,
      now,
    });
    if (isNew)
      await queueNotice(ctx, tx, email, { kind: 'new-device-sign-in', device: `${device.name} (${device.platform})`, at: now.toISOString(), ip: meta.ip });
    return { result };
  });
  return result;
}
