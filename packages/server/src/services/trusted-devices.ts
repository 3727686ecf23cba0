/**
 * Trusted devices of a passkey account (docs/protocol.md §24.11): list, rename, deauthorize.
 * Deauthorizing deletes the device's sealed bundle and ends its sessions in one transaction, and
 * queues the notice with it (outbox, §13.3), also when another device does it.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { TrustedDevice } from '@latchkey/core/wire/passkeys';
import type { RequestMeta, ServerContext } from '../context.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { deleteTrustedDevice, listTrustedDevices, renameTrustedDevice } from '../repositories/trusted-devices.ts';
import { findUserById } from '../repositories/users.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import type { AuthenticatedSession } from './sessions.ts';

const notTrusted = () => new LatchkeyError('not_found', 'No such trusted device on this account.');

export async function trustedDevices(ctx: ServerContext, session: AuthenticatedSession): Promise<TrustedDevice[]> {
  const rows = await listTrustedDevices(ctx.db, session.userId);
  return rows.map((row) => ({
    id: row.deviceId,
    name: row.name,
    platform: row.platform,
    addedAt: new Date(row.createdAt).toISOString(),
    lastUsedAt: new Date(row.lastUsedAt).toISOString(),
    current: row.deviceId === session.device.id,
  }));
}

export async function renameDevice(ctx: ServerContext, session: AuthenticatedSession, deviceId: string, name: string): Promise<void> {
  if (!(await renameTrustedDevice(ctx.db, session.userId, deviceId, name))) throw notTrusted();
}

/** @returns how many of the device's sessions were ended. */
export async function deauthorizeDevice(ctx: ServerContext, meta: RequestMeta, session: AuthenticatedSession, deviceId: string): Promise<number> {
  const now = ctx.clock();
  return transactionWithNotices(ctx, async (tx) => {
    const name = await deleteTrustedDevice(tx, session.userId, deviceId);
    if (name === undefined) throw notTrusted();
    const ended = await tx.deleteFrom('sessions').where('user_id', '=', session.userId).where('device_id', '=', deviceId).executeTakeFirst();
    const signedOut = Number(ended.numDeletedRows);
    // A later sign-in from it is a new device again (its own notice).
    await tx.deleteFrom('devices').where('user_id', '=', session.userId).where('id', '=', deviceId).execute();
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: 'device.deauthorized',
      detail: { device: name, by: session.device.name, signedOutSessions: signedOut },
      ip: meta.ip,
      now,
    });
    const user = await findUserById(tx, session.userId);
    if (user)
      await queueNotice(ctx, tx, user.email, {
        kind: 'device-deauthorized',
        device: name,
        byDevice: session.device.name,
        signedOut,
        at: now.toISOString(),
        ip: meta.ip,
      });
    return signedOut;
  });
}
