/**
 * Drives the device-enrollment relay over HTTP as two real devices would: the new device and
 * the trusted device each run their half of CPace with core's device-enrollment.ts and post
 * the messages to whichever server instance they talk to.
 */
import { concatBytes, fromBase64Url, randomBytes, toBase64Url } from '@latchkey/core/bytes';
import {
  acceptEnrollment,
  answerEnrollment,
  confirmEnrollment,
  type EnrollmentContext,
  openEnrollmentBundle,
  sealEnrollmentBundle,
  startEnrollment,
} from '@latchkey/core/device-enrollment';
import type { EnrollmentCode } from '@latchkey/core/enrollment-code';
import type { DeviceEnrollment } from '@latchkey/core/wire/device-enrollment';
import { type RawResponse, send } from '@latchkey/server/testing';

/** One device: the server it talks to and its session. */
export interface EnrollmentDevice {
  readonly url: string;
  readonly token: string;
}

const post = (device: EnrollmentDevice, path: string, body: unknown) => send({ url: device.url }, { method: 'POST', path, token: device.token, body });

export const requestEnrollment = (device: EnrollmentDevice) => post(device, '/api/device-enrollments', {});
export const listEnrollments = (device: EnrollmentDevice) => send({ url: device.url }, { method: 'GET', path: '/api/device-enrollments', token: device.token });
export const approveEnrollment = (device: EnrollmentDevice, enrollmentId: string) => post(device, '/api/device-enrollments/approve', { enrollmentId });
export const relayMessage = (device: EnrollmentDevice, enrollmentId: string, step: number, message: string) =>
  post(device, '/api/device-enrollments/messages', { enrollmentId, step, message });
export const finishEnrollment = (device: EnrollmentDevice, enrollmentId: string) => post(device, '/api/device-enrollments/finish', { enrollmentId });

export function enrollmentOf(response: RawResponse): DeviceEnrollment {
  if (response.status >= 300) throw new Error(`enrollment request failed: HTTP ${response.status} ${response.text}`);
  return (response.json as { enrollment: DeviceEnrollment }).enrollment;
}

export const contextOf = (accountId: string, enrollment: DeviceEnrollment): EnrollmentContext => ({
  accountId,
  newDeviceId: enrollment.newDeviceId,
  trustedDeviceId: enrollment.trustedDeviceId!,
  sessionId: enrollment.enrollmentId,
});

/** The new device asks and the trusted device approves: returns the approved enrollment. */
export async function approvedEnrollment(newDevice: EnrollmentDevice, trusted: EnrollmentDevice): Promise<DeviceEnrollment> {
  const requested = enrollmentOf(await requestEnrollment(newDevice));
  return enrollmentOf(await approveEnrollment(trusted, requested.enrollmentId));
}

export type EnrollmentOutcome =
  | { readonly kind: 'enrolled'; readonly bundle: Uint8Array; readonly enrollmentId: string }
  | { readonly kind: 'refused'; readonly by: 'new-device' | 'trusted-device'; readonly code: string; readonly enrollmentId: string };

const codeOf = (error: unknown) => (error as { code?: string }).code ?? 'other';

/**
 * A whole run: `shown` is the code on the trusted device, `typed` what the person typed on the
 * new device. A device whose key confirmation fails stops there, as the real ones do; a new
 * device that fails still sends a tag (64 random bytes) so the trusted side's refusal shows too.
 */
export async function runEnrollment(params: {
  readonly accountId: string;
  readonly newDevice: EnrollmentDevice;
  readonly trusted: EnrollmentDevice;
  readonly shown: EnrollmentCode;
  readonly typed: EnrollmentCode;
  readonly bundle: Uint8Array;
}): Promise<EnrollmentOutcome> {
  const enrollment = await approvedEnrollment(params.newDevice, params.trusted);
  const enrollmentId = enrollment.enrollmentId;
  const context = contextOf(params.accountId, enrollment);

  const a = startEnrollment(params.typed, context);
  enrollmentOf(await relayMessage(params.newDevice, enrollmentId, 1, a.message.share));

  const seenByTrusted = enrollmentOf(await seenBy(params.trusted, enrollmentId));
  const b = answerEnrollment(params.shown, context, { share: seenByTrusted.share! });
  const reply = toBase64Url(concatBytes(fromBase64Url(b.message.share), fromBase64Url(b.message.confirmation)));
  enrollmentOf(await relayMessage(params.trusted, enrollmentId, 2, reply));

  const seenByNew = enrollmentOf(await seenBy(params.newDevice, enrollmentId));
  const replyBytes = fromBase64Url(seenByNew.reply!);
  let isk: Uint8Array | undefined;
  let refusedByNew: string | undefined;
  let confirmation: string;
  try {
    const confirmed = confirmEnrollment(a.state, { share: toBase64Url(replyBytes.subarray(0, 32)), confirmation: toBase64Url(replyBytes.subarray(32)) });
    isk = confirmed.isk;
    confirmation = confirmed.message.confirmation;
  } catch (error) {
    refusedByNew = codeOf(error);
    confirmation = toBase64Url(randomBytes(64));
  }
  enrollmentOf(await relayMessage(params.newDevice, enrollmentId, 3, confirmation));

  const seenAgain = enrollmentOf(await seenBy(params.trusted, enrollmentId));
  let trustedIsk: Uint8Array;
  try {
    trustedIsk = acceptEnrollment(b.state, { confirmation: seenAgain.confirmation! });
  } catch (error) {
    return { kind: 'refused', by: refusedByNew === undefined ? 'trusted-device' : 'new-device', code: refusedByNew ?? codeOf(error), enrollmentId };
  }
  if (refusedByNew !== undefined) throw new Error('the trusted device accepted a tag the new device never computed');
  enrollmentOf(await relayMessage(params.trusted, enrollmentId, 4, await sealEnrollmentBundle(trustedIsk, context, params.bundle)));

  const finished = await finishEnrollment(params.newDevice, enrollmentId);
  if (finished.status !== 200) throw new Error(`finish failed: HTTP ${finished.status} ${finished.text}`);
  const bundle = await openEnrollmentBundle(isk!, context, (finished.json as { bundle: string }).bundle);
  return { kind: 'enrolled', bundle, enrollmentId };
}

/** What `device` sees of one enrollment now (from the list). */
async function seenBy(device: EnrollmentDevice, enrollmentId: string): Promise<RawResponse> {
  const list = await listEnrollments(device);
  const found = (list.json as { enrollments: DeviceEnrollment[] }).enrollments.find((e) => e.enrollmentId === enrollmentId);
  if (found === undefined) throw new Error(`enrollment ${enrollmentId} is not in the list: ${list.text}`);
  return { ...list, status: 200, json: { enrollment: found } };
}
