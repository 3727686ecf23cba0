/**
 * Device enrollment in tests: passkey accounts whose first device is trusted, new devices that
 * prove the passkey for an enrollment session, and raw calls to the relay for the tests of its
 * rules (a test playing a malicious server writes the messages itself). Whole runs go through
 * the SDK (`client.devices.requestEnrollment` / `approveEnrollment`), which owns both CPace sides.
 */
import { randomBytes, toBase64Url } from '@latchkey/core/bytes';
import type { DeviceEnrollment } from '@latchkey/core/wire/device-enrollment';
import { type PasskeyPerson, type RawResponse, send } from '@latchkey/server/testing';

export { keyFile, newDeviceOf, type PasskeyPerson, passkeyPerson, type PasskeyServer as EnrollmentServer } from '@latchkey/server/testing';

/** One device: the server it talks to, its session (full, or an enrollment session) and its id. */
export interface EnrollmentDevice {
  readonly url: string;
  readonly token: string;
  readonly deviceId: string;
}

/** A new device proves `person`'s passkey and gets an enrollment session (raw, for the relay tests). */
export async function enrollmentSession(
  url: string,
  person: PasskeyPerson,
  device = { id: toBase64Url(randomBytes(16)), name: 'New phone', platform: 'test' },
) {
  const options = await send({ url }, { method: 'POST', path: '/api/auth/passkey/options', body: { email: person.email } });
  const response = await person.authenticator.get(options.json as Record<string, unknown>);
  const reply = await send({ url }, { method: 'POST', path: '/api/auth/passkey/enrollment-session', body: { email: person.email, device, response } });
  if (reply.status !== 201) throw new Error(`enrollment session refused: HTTP ${reply.status} ${reply.text}`);
  return { url, token: (reply.json as { session: { token: string } }).session.token, deviceId: device.id } satisfies EnrollmentDevice;
}

const post = (device: EnrollmentDevice, path: string, body: unknown) => send({ url: device.url }, { method: 'POST', path, token: device.token, body });

export const requestEnrollment = (device: EnrollmentDevice) => post(device, '/api/device-enrollments', {});
export const listEnrollments = (device: EnrollmentDevice) => send({ url: device.url }, { method: 'GET', path: '/api/device-enrollments', token: device.token });
export const approveEnrollment = (device: EnrollmentDevice, enrollmentId: string) => post(device, '/api/device-enrollments/approve', { enrollmentId });
export const relayMessage = (device: EnrollmentDevice, enrollmentId: string, step: number, message: string) =>
  post(device, '/api/device-enrollments/messages', { enrollmentId, step, message });
export const finishEnrollment = (device: EnrollmentDevice, enrollmentId: string, sealedBundle = toBase64Url(randomBytes(80))) =>
  post(device, '/api/device-enrollments/finish', { enrollmentId, sealedBundle });

export function enrollmentOf(response: RawResponse): DeviceEnrollment {
  if (response.status >= 300) throw new Error(`enrollment request failed: HTTP ${response.status} ${response.text}`);
  return (response.json as { enrollment: DeviceEnrollment }).enrollment;
}

/** The new device asks and the trusted device approves: returns the approved enrollment. */
export async function approvedEnrollment(newDevice: EnrollmentDevice, trusted: EnrollmentDevice): Promise<DeviceEnrollment> {
  const requested = enrollmentOf(await requestEnrollment(newDevice));
  return enrollmentOf(await approveEnrollment(trusted, requested.enrollmentId));
}

/** What `device` sees of one enrollment now (from the list), or undefined. */
export async function seenBy(device: EnrollmentDevice, enrollmentId: string): Promise<DeviceEnrollment | undefined> {
  const list = await listEnrollments(device);
  return (list.json as { enrollments: DeviceEnrollment[] }).enrollments.find((e) => e.enrollmentId === enrollmentId);
}

/** Random bytes of a message's length: a relay test's stand-ins for Ya, Yb ‖ Tb, Ta. */
export const junk = (n: number) => toBase64Url(randomBytes(n));
