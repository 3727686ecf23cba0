/**
 * The device-enrollment relay (docs/protocol.md §24.7): a new device that proved the account's
 * passkey (an enrollment session) asks to be enrolled, and every trusted device is told (the
 * list, the security log, an emailed notice); a trusted device of the same account approves
 * (and shows the verification code, which never reaches the server), and the two run CPace
 * through four messages the server stores and hands on without understanding them. The new
 * device opens message 4, seals the bundle again under its own device key and finishes: one
 * transaction ends the enrollment (once), makes the device trusted with that sealed bundle and
 * ends its enrollment session.
 *
 * Rules: an enrollment lives 10 minutes; it has one trusted device, the first to approve; each
 * message is written once, in order, by the device whose turn it is, so an enrollment carries
 * exactly one CPace run and so one guess at its code (a wrong code: the devices start a new
 * enrollment, and the trusted device shows a new code); requests are rate-limited per account,
 * which bounds the runs and so the guesses; at most MAX_LIVE_ENROLLMENTS_PER_USER stay live.
 * Every state change is one conditional statement (repositories/device-enrollments.ts), so the
 * rules hold under concurrent requests across server instances.
 *
 * Protects against: a second device (or a second tab, or an attacker with a session of the
 * account) joining a run already under way, replaying or rewriting a message, getting a second
 * guess at a code, or taking the bundle twice. It does not authenticate the devices: that is
 * CPace's job (the code, and the channel identifier naming both device ids).
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { DeviceEnrollment, DeviceEnrollmentFinish, DeviceEnrollmentMessage } from '@latchkey/core/wire/device-enrollment';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as repo from '../repositories/device-enrollments.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { insertTrustedDevice, isTrustedDevice } from '../repositories/trusted-devices.ts';
import { findUserById } from '../repositories/users.ts';
import { newRandomId } from '../security/tokens.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { enforceRateLimits } from './rate-limits.ts';
import type { AuthenticatedSession } from './sessions.ts';

export const ENROLLMENT_TTL_MS = 10 * 60_000;
export const MAX_LIVE_ENROLLMENTS_PER_USER = 5;
/** Bytes of each message: Ya; Yb ‖ Tb; Ta; the sealed bundle (version, nonce, tag, at least one byte). */
const MESSAGE_BYTES: Readonly<Record<repo.MessageStep, (n: number) => boolean>> = {
  1: (n) => n === 32,
  2: (n) => n === 96,
  3: (n) => n === 64,
  4: (n) => n >= 30,
};

const notFound = () => new LatchkeyError('not_found', 'There is no such enrollment.');

/** `me`: the caller's device; message 4 is shown to the new device only. */
function view(row: repo.DeviceEnrollmentRow, me: string): DeviceEnrollment {
  return {
    enrollmentId: row.id,
    newDeviceId: row.newDeviceId,
    newDeviceName: row.newDeviceName,
    newDevicePlatform: row.newDevicePlatform,
    trustedDeviceId: row.trustedDeviceId,
    expiresAt: row.expiresAt.toISOString(),
    share: row.message1,
    reply: row.message2,
    confirmation: row.message3,
    bundleReady: row.message4 !== null,
    bundle: row.newDeviceId === me ? row.message4 : null,
  };
}

/** The row as the caller may see it: the account's, and (once approved) only by its two devices. */
async function visible(ctx: ServerContext, session: AuthenticatedSession, id: string): Promise<repo.DeviceEnrollmentRow> {
  const row = await repo.findDeviceEnrollment(ctx.db, { userId: session.userId, id });
  const me = session.device.id;
  if (row === undefined || (row.trustedDeviceId !== null && row.newDeviceId !== me && row.trustedDeviceId !== me)) throw notFound();
  return row;
}

const expired = () => new LatchkeyError('code_expired', 'This enrollment has expired: start again on the new device.');

/**
 * The new device (the caller's, by its enrollment session) asks to be enrolled; every trusted
 * device is told, in the same transaction: the security log and an emailed notice (outbox).
 * @throws LatchkeyError `forbidden` (not an enrollment session: only a device that proved the
 *   passkey asks), `rate_limited`.
 */
export async function requestDeviceEnrollment(ctx: ServerContext, meta: RequestMeta, session: AuthenticatedSession): Promise<DeviceEnrollment> {
  if (session.kind !== 'enrollment') {
    throw new LatchkeyError('forbidden', "Only a new device that signed in with the account's passkey asks to be enrolled.");
  }
  const now = ctx.clock();
  await enforceRateLimits(ctx, [['deviceEnrollmentsPerUser', session.userId]], now);
  const id = newRandomId();
  await transactionWithNotices(ctx, async (tx) => {
    await repo.insertDeviceEnrollment(tx, {
      id,
      userId: session.userId,
      newDeviceId: session.device.id,
      now,
      expiresAt: new Date(now.getTime() + ENROLLMENT_TTL_MS),
    });
    await repo.trimDeviceEnrollments(tx, { userId: session.userId, keep: MAX_LIVE_ENROLLMENTS_PER_USER, now });
    await recordSecurityEvent(tx, {
      userId: session.userId,
      type: 'device.enrollment-requested',
      detail: { device: session.device.name, platform: session.device.platform },
      ip: meta.ip,
      now,
    });
    const user = await findUserById(tx, session.userId);
    if (user) {
      // One notice per asking device per hour: a device that retries after a wrong code is not news.
      const hour = Math.floor(now.getTime() / 3_600_000);
      await queueNotice(
        ctx,
        tx,
        user.email,
        { kind: 'device-enrollment-requested', device: session.device.name, platform: session.device.platform, at: now.toISOString(), ip: meta.ip },
        { dedupeKey: `device-enrollment-requested:${session.userId}:${session.device.id}:${hour}` },
      );
    }
  });
  return view((await repo.findDeviceEnrollment(ctx.db, { userId: session.userId, id }))!, session.device.id);
}

export async function listDeviceEnrollments(ctx: ServerContext, session: AuthenticatedSession): Promise<DeviceEnrollment[]> {
  const rows = await repo.listDeviceEnrollments(ctx.db, { userId: session.userId, deviceId: session.device.id, now: ctx.clock() });
  // A device waiting to be enrolled sees only its own: the others' are for trusted devices to judge.
  const mine = session.kind === 'enrollment' ? rows.filter((row) => row.newDeviceId === session.device.id) : rows;
  return mine.map((row) => view(row, session.device.id));
}

/**
 * The caller's device, which must be a trusted device of the account (it holds the bundle to
 * send), becomes the enrollment's trusted device.
 * @throws LatchkeyError `device_not_trusted`, `not_found`, `code_expired`, `code_used` (another
 *   device approved it), `conflict` (the new device cannot approve itself).
 */
export async function approveDeviceEnrollment(ctx: ServerContext, session: AuthenticatedSession, enrollmentId: string): Promise<DeviceEnrollment> {
  const now = ctx.clock();
  if (!(await isTrustedDevice(ctx.db, session.userId, session.device.id))) {
    throw new LatchkeyError('device_not_trusted', 'Only a trusted device of the account can approve a new one.');
  }
  if (await repo.approveDeviceEnrollment(ctx.db, { userId: session.userId, id: enrollmentId, deviceId: session.device.id, now })) {
    return view(await visible(ctx, session, enrollmentId), session.device.id);
  }
  // Any device of the account may try to approve, so the loser of a race learns why.
  const row = await repo.findDeviceEnrollment(ctx.db, { userId: session.userId, id: enrollmentId });
  if (row === undefined) throw notFound();
  if (row.expiresAt <= now) throw expired();
  if (row.newDeviceId === session.device.id) throw new LatchkeyError('conflict', 'A device cannot approve its own enrollment.');
  throw new LatchkeyError('code_used', 'Another device has already approved this enrollment.');
}

/**
 * Stores message `step` from the device whose turn it is.
 * @throws LatchkeyError `invalid_request` (not base64url of the step's length), `not_found`,
 *   `code_expired`, `code_used` (that message is already written), `conflict` (not approved
 *   yet, not this device's turn, or the message before it is missing).
 */
export async function relayDeviceEnrollmentMessage(
  ctx: ServerContext,
  session: AuthenticatedSession,
  body: DeviceEnrollmentMessage,
): Promise<DeviceEnrollment> {
  const step = body.step as repo.MessageStep;
  let length: number;
  try {
    length = fromBase64Url(body.message).length;
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The enrollment message is not base64url.', { cause });
  }
  if (!MESSAGE_BYTES[step](length)) throw new LatchkeyError('invalid_request', `Enrollment message ${step} has the wrong length.`);
  const now = ctx.clock();
  const params = { userId: session.userId, id: body.enrollmentId, deviceId: session.device.id, step, message: body.message, now };
  if (await repo.writeEnrollmentMessage(ctx.db, params)) return view(await visible(ctx, session, body.enrollmentId), session.device.id);

  const row = await visible(ctx, session, body.enrollmentId);
  if (row.expiresAt <= now) throw expired();
  if (row.trustedDeviceId === null) throw new LatchkeyError('conflict', 'No trusted device has approved this enrollment yet.');
  const turn = step % 2 === 1 ? row.newDeviceId : row.trustedDeviceId;
  if (turn !== session.device.id) throw new LatchkeyError('conflict', `Message ${step} is the other device's to send.`);
  const written = [row.message1 !== null, row.message2 !== null, row.message3 !== null, row.message4 !== null];
  if (written[step - 1]) throw new LatchkeyError('code_used', `Message ${step} of this enrollment has already been sent.`);
  throw new LatchkeyError('conflict', `Message ${step - 1} of this enrollment has not been sent yet.`);
}

/**
 * The new device ends the enrollment with the bundle sealed under its own device key. One
 * transaction: the conditional `DELETE … RETURNING` of the enrollment (its new device, message 4
 * written, live: so at most one finish wins, on any number of instances), the trusted-device row
 * with that sealed bundle, the end of the caller's enrollment session, the security log and the
 * notice. The server cannot check the sealed bundle (it never sees the device key): a device that
 * registers garbage only fails its own next unlock.
 * @throws LatchkeyError `not_found` (also: not the new device, or already finished),
 *   `code_expired`, `conflict` (the trusted device has not sent message 4 yet).
 */
export async function finishDeviceEnrollment(
  ctx: ServerContext,
  meta: RequestMeta,
  session: AuthenticatedSession,
  body: DeviceEnrollmentFinish,
): Promise<{ deviceId: string }> {
  const now = ctx.clock();
  const done = await transactionWithNotices(ctx, async (tx) => {
    const ended = await repo.endEnrollment(tx, { userId: session.userId, id: body.enrollmentId, deviceId: session.device.id, now });
    if (ended === undefined) return false;
    await insertTrustedDevice(tx, {
      userId: session.userId,
      deviceId: session.device.id,
      name: session.device.name,
      platform: session.device.platform,
      sealedBundle: body.sealedBundle,
      now,
      replace: true,
    });
    // The enrollment session has done its one job; the device now signs in with the bundle.
    if (session.kind === 'enrollment') await tx.deleteFrom('sessions').where('id', '=', session.id).where('user_id', '=', session.userId).execute();
    const byDevice =
      (await tx.selectFrom('devices').select('name').where('user_id', '=', session.userId).where('id', '=', ended.trustedDeviceId).executeTakeFirst())?.name ??
      'a trusted device';
    await recordSecurityEvent(tx, { userId: session.userId, type: 'device.enrolled', detail: { device: session.device.name, by: byDevice }, ip: meta.ip, now });
    const user = await findUserById(tx, session.userId);
    if (user) await queueNotice(ctx, tx, user.email, { kind: 'device-enrolled', device: session.device.name, byDevice, at: now.toISOString(), ip: meta.ip });
    return true;
  });
  if (done) return { deviceId: session.device.id };
  const row = await visible(ctx, session, body.enrollmentId);
  if (row.newDeviceId !== session.device.id) throw notFound();
  if (row.expiresAt <= now) throw expired();
  throw new LatchkeyError('conflict', 'The trusted device has not sent the credential bundle yet.');
}
