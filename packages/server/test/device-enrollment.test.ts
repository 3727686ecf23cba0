/**
 * The device-enrollment relay's rules (docs/protocol.md §24.7) against a running server, with
 * raw messages (whole CPace runs through the SDK are in device-enrollment-sdk.test.ts): only an
 * enrollment session (a passkey assertion from a new device) asks, only a trusted device
 * approves; each message is written once, in order, by its device; an enrollment expires after
 * 10 minutes; concurrent approvals, first messages and finishes succeed at most once; requests
 * are rate-limited; an enrollment session opens nothing but the relay.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes, toBase64Url } from '@latchkey/core/bytes';
import type { DeviceEnrollment } from '@latchkey/core/wire/device-enrollment';
import { ENDPOINTS } from '@latchkey/core/wire/endpoints';
import { ENROLLMENT_TTL_MS, MAX_LIVE_ENROLLMENTS_PER_USER } from '../src/services/device-enrollment.ts';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { hashToken } from '../src/security/tokens.ts';
import type { Database } from '../src/storage/schema.ts';
import { expectApiError, send, signInAgain, signUpUser, startTestServer, type TestServer } from '@latchkey/server/testing';
import {
  approveEnrollment,
  approvedEnrollment,
  type EnrollmentDevice,
  enrollmentOf,
  enrollmentSession,
  finishEnrollment,
  junk,
  listEnrollments,
  type PasskeyPerson,
  passkeyPerson,
  relayMessage,
  requestEnrollment,
  seenBy,
} from './helpers/device-enrollment.ts';

let server: TestServer;
let db: Kysely<Database>;
let alice: PasskeyPerson;
let newDevice: EnrollmentDevice;
let trusted: EnrollmentDevice;

const share = () => junk(32);
const reply = () => junk(96);
const tag = () => junk(64);
const enrollmentServer = () => ({ url: server.url, dataDir: server.dataDir, origin: new URL(server.running.context.config.publicUrl).origin });

beforeAll(async () => {
  server = await startTestServer();
  db = server.running.context.db;
  alice = await passkeyPerson(enrollmentServer(), 'Alice');
  trusted = alice.device;
  newDevice = await enrollmentSession(server.url, alice);
});
afterAll(() => server?.close());
// Every test proves the passkey a few times: each starts with full sign-in budgets (the limits are tested elsewhere).
beforeEach(async () => {
  await db.deleteFrom('rate_limits').execute();
});

describe('who may ask and who may approve', () => {
  it('only an enrollment session asks; it opens nothing but the relay, and only a trusted device approves', async () => {
    // A full session (a trusted device, or any password account's) may not ask.
    expectApiError(await requestEnrollment(trusted), 'forbidden');
    const bob = await signUpUser(server, { name: 'Bob' });
    expectApiError(await requestEnrollment({ url: server.url, token: (await signInAgain(server, bob)).token, deviceId: 'x' }), 'forbidden');
    // The enrollment session is refused everywhere but the relay.
    const reads = ENDPOINTS.filter((e) => e.method === 'GET' && e.params === undefined && e.auth !== 'public' && !e.allowsEnrollmentSession);
    expect(reads.length).toBeGreaterThan(5);
    for (const e of reads) expectApiError(await send(server, { method: 'GET', path: e.path, token: newDevice.token }), 'device_not_trusted');
    expectApiError(
      await send(server, { method: 'POST', path: '/api/devices/rename', token: newDevice.token, body: { deviceId: trusted.deviceId, name: 'Renamed' } }),
      'device_not_trusted',
    );

    const requested = enrollmentOf(await requestEnrollment(newDevice));
    expect(requested).toMatchObject({
      newDeviceId: newDevice.deviceId,
      newDeviceName: 'New phone',
      newDevicePlatform: 'test',
      trustedDeviceId: null,
      bundle: null,
    });
    // Another new device of the account cannot approve it, nor can a device that is not trusted.
    const otherNew = await enrollmentSession(server.url, alice);
    expectApiError(await approveEnrollment(otherNew, requested.enrollmentId), 'device_not_trusted');
    const untrusted = { url: server.url, token: (await signInAgainAsNewDevice()).token, deviceId: 'untrusted' };
    expectApiError(await approveEnrollment(untrusted, requested.enrollmentId), 'device_not_trusted');
    // A device waiting to be enrolled lists only its own enrollments.
    expect(((await listEnrollments(otherNew)).json as { enrollments: DeviceEnrollment[] }).enrollments).toEqual([]);
    expect(enrollmentOf(await approveEnrollment(trusted, requested.enrollmentId)).trustedDeviceId).toBe(trusted.deviceId);
  });

  it('a trusted device cannot get an enrollment session, and the session needs a live passkey challenge', async () => {
    const options = await send(server, { method: 'POST', path: '/api/auth/passkey/options', body: { email: alice.email } });
    const response = await alice.authenticator.get(options.json as Record<string, unknown>);
    const device = { id: trusted.deviceId, name: 'Same laptop', platform: 'test' };
    expectApiError(
      await send(server, { method: 'POST', path: '/api/auth/passkey/enrollment-session', body: { email: alice.email, device, response } }),
      'conflict',
    );
    // The challenge was spent by that answer: replaying it for another device fails.
    const replay = { email: alice.email, device: { ...device, id: toBase64Url(randomBytes(16)) }, response };
    expectApiError(await send(server, { method: 'POST', path: '/api/auth/passkey/enrollment-session', body: replay }), 'challenge_expired');
  });
});

/** A full session of a password account's device: signed in, but never a trusted device of Alice's. */
async function signInAgainAsNewDevice() {
  const carol = await signUpUser(server, { name: 'Carol' });
  return signInAgain(server, carol);
}

describe('enrolling a device through the relay', () => {
  it('lists an unapproved enrollment to every trusted device of the account, then only to its two devices', async () => {
    const newDevice = await enrollmentSession(server.url, alice);
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    // A second trusted device of Alice's sees it too, until another approves it.
    const third = await otherTrustedDevice('second-trusted');
    const ids = async (device: EnrollmentDevice) =>
      ((await listEnrollments(device)).json as { enrollments: DeviceEnrollment[] }).enrollments.map((e) => e.enrollmentId);
    expect(await ids(trusted)).toContain(requested.enrollmentId);
    expect(await ids(third)).toContain(requested.enrollmentId);
    await approveEnrollment(trusted, requested.enrollmentId);
    expect(await ids(third)).not.toContain(requested.enrollmentId);
    expect(await ids(trusted)).toContain(requested.enrollmentId);
    expect(await ids(newDevice)).toContain(requested.enrollmentId);
    // Another account sees none of it, and gets not_found for its id.
    const bob = await passkeyPerson(enrollmentServer(), 'Bob');
    expect(await ids(bob.device)).toEqual([]);
    expectApiError(await approveEnrollment(bob.device, requested.enrollmentId), 'not_found');
    expectApiError(await relayMessage(bob.device, requested.enrollmentId, 1, share()), 'not_found');
    expectApiError(await finishEnrollment(bob.device, requested.enrollmentId), 'not_found');
    // Another device of the same account cannot join a run between two others.
    const otherNew = await enrollmentSession(server.url, alice);
    expectApiError(await relayMessage(otherNew, requested.enrollmentId, 1, share()), 'not_found');
    expectApiError(await finishEnrollment(otherNew, requested.enrollmentId), 'not_found');
    expectApiError(await approveEnrollment(third, requested.enrollmentId), 'code_used');
    expectApiError(await relayMessage(third, requested.enrollmentId, 2, reply()), 'not_found');
  });

  it('each message is posted once, in order, by the device whose turn it is, at its exact length; finish makes the device trusted, once', async () => {
    const newDevice = await enrollmentSession(server.url, alice);
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    const id = requested.enrollmentId;
    expectApiError(await approveEnrollment(newDevice, id), 'device_not_trusted');
    expectApiError(await relayMessage(newDevice, id, 1, share()), 'conflict'); // not approved yet
    await approveEnrollment(trusted, id);
    expectApiError(await approveEnrollment(trusted, id), 'code_used');
    expectApiError(await relayMessage(trusted, id, 1, share()), 'conflict'); // the new device's turn
    expectApiError(await relayMessage(newDevice, id, 2, reply()), 'conflict');
    for (const bad of [toBase64Url(randomBytes(31)), toBase64Url(randomBytes(33)), reply()])
      expectApiError(await relayMessage(newDevice, id, 1, bad), 'invalid_request');
    enrollmentOf(await relayMessage(newDevice, id, 1, share()));
    expectApiError(await relayMessage(newDevice, id, 1, share()), 'code_used');
    expectApiError(await relayMessage(newDevice, id, 3, tag()), 'conflict'); // message 2 first
    expectApiError(await relayMessage(trusted, id, 4, toBase64Url(randomBytes(64))), 'conflict');
    expectApiError(await relayMessage(trusted, id, 2, share()), 'invalid_request');
    enrollmentOf(await relayMessage(trusted, id, 2, reply()));
    expectApiError(await relayMessage(trusted, id, 2, reply()), 'code_used');
    expectApiError(await finishEnrollment(newDevice, id), 'conflict');
    enrollmentOf(await relayMessage(newDevice, id, 3, tag()));
    const sealed = toBase64Url(randomBytes(80));
    const done = enrollmentOf(await relayMessage(trusted, id, 4, sealed));
    expect(done.bundleReady).toBe(true);
    // Message 4 goes to the new device only.
    expect(JSON.stringify(done)).not.toContain(sealed);
    expect(JSON.stringify(await seenBy(trusted, id))).not.toContain(sealed);
    expect((await seenBy(newDevice, id))?.bundle).toBe(sealed);
    expectApiError(await finishEnrollment(trusted, id), 'not_found'); // only the new device finishes
    const resealed = toBase64Url(randomBytes(90));
    expect((await finishEnrollment(newDevice, id, resealed)).json).toEqual({ deviceId: newDevice.deviceId });
    const row = await db
      .selectFrom('trusted_devices')
      .select(['sealed_bundle', 'name', 'platform'])
      .where('user_id', '=', alice.userId)
      .where('device_id', '=', newDevice.deviceId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sealed_bundle: resealed, name: 'New phone', platform: 'test' });
    // The enrollment is gone, and so is the enrollment session: its one job is done.
    expect(await db.selectFrom('device_enrollments').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expectApiError(await finishEnrollment(newDevice, id), 'unauthenticated');
    const events = await db.selectFrom('security_events').select(['type', 'detail']).where('user_id', '=', alice.userId).orderBy('id', 'asc').execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['device.enrollment-requested', 'device.enrolled']));
  });

  it('an enrollment expires 10 minutes after the request', async () => {
    const newDevice = await enrollmentSession(server.url, alice);
    const approved = await approvedEnrollment(newDevice, trusted);
    const pending = enrollmentOf(await requestEnrollment(newDevice));
    enrollmentOf(await relayMessage(newDevice, approved.enrollmentId, 1, share()));
    server.advanceClock(ENROLLMENT_TTL_MS + 1_000);
    try {
      expectApiError(await approveEnrollment(trusted, pending.enrollmentId), 'code_expired');
      expectApiError(await relayMessage(trusted, approved.enrollmentId, 2, reply()), 'code_expired');
      expectApiError(await finishEnrollment(newDevice, approved.enrollmentId), 'code_expired');
      const listed = ((await listEnrollments(trusted)).json as { enrollments: DeviceEnrollment[] }).enrollments.map((e) => e.enrollmentId);
      expect(listed).not.toContain(approved.enrollmentId);
      expect(listed).not.toContain(pending.enrollmentId);
    } finally {
      server.advanceClock(-(ENROLLMENT_TTL_MS + 1_000));
    }
  });
});

describe('single use under concurrency', () => {
  it('of 10 trusted devices approving one enrollment at once, exactly one becomes its trusted device', async () => {
    const devices = await Promise.all(Array.from({ length: 10 }, (_, i) => otherTrustedDevice(`racer-${i}`)));
    const newDevice = await enrollmentSession(server.url, alice);
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    const replies = await Promise.all(devices.map((d) => approveEnrollment(d, requested.enrollmentId)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) expectApiError(r, 'code_used');
  });

  it('of 10 first messages posted at once, one is kept; of 10 finishes at once, one makes the device trusted', async () => {
    const newDevice = await enrollmentSession(server.url, alice);
    const approved = await approvedEnrollment(newDevice, trusted);
    const id = approved.enrollmentId;
    const shares = Array.from({ length: 10 }, share);
    const firsts = await Promise.all(shares.map((s) => relayMessage(newDevice, id, 1, s)));
    expect(firsts.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of firsts.filter((x) => x.status !== 200)) expectApiError(r, 'code_used');
    const kept = enrollmentOf(firsts.find((r) => r.status === 200)!).share;
    expect((await seenBy(trusted, id))?.share).toBe(kept);

    enrollmentOf(await relayMessage(trusted, id, 2, reply()));
    enrollmentOf(await relayMessage(newDevice, id, 3, tag()));
    enrollmentOf(await relayMessage(trusted, id, 4, toBase64Url(randomBytes(80))));
    const sealed = Array.from({ length: 10 }, () => toBase64Url(randomBytes(80)));
    const finishes = await Promise.all(sealed.map((s) => finishEnrollment(newDevice, id, s)));
    const winners = finishes.map((r, i) => (r.status === 200 ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    // The losers found the enrollment gone, or (once the winner had committed) their session ended with it.
    for (const r of finishes.filter((x) => x.status !== 200))
      expect(['not_found', 'unauthenticated']).toContain((r.json as { error: { code: string } }).error.code);
    const rows = await db
      .selectFrom('trusted_devices')
      .select('sealed_bundle')
      .where('user_id', '=', alice.userId)
      .where('device_id', '=', newDevice.deviceId)
      .execute();
    expect(rows).toEqual([{ sealed_bundle: sealed[winners[0]!] }]);
  });
});

/** A trusted device of Alice's: a full session (a stand-in: signed in on the trusted device's session row) under another device id. */
async function otherTrustedDevice(deviceId: string): Promise<EnrollmentDevice> {
  await db
    .insertInto('trusted_devices')
    .values({ user_id: alice.userId, device_id: deviceId, name: deviceId, platform: 'test', sealed_bundle: junk(60) })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const session = await db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', alice.userId)
    .where('device_id', '=', trusted.deviceId)
    .where('kind', '=', 'full')
    .executeTakeFirstOrThrow();
  const token = toBase64Url(randomBytes(32));
  await db
    .insertInto('sessions')
    .values({ ...session, id: crypto.randomUUID(), token_hash: hashToken(token), device_id: deviceId })
    .execute();
  return { url: server.url, token, deviceId };
}

describe('limits', () => {
  it(`keeps ${MAX_LIVE_ENROLLMENTS_PER_USER} live enrollments per account and refuses requests past ${RATE_LIMITS.deviceEnrollmentsPerUser.limit} an hour`, async () => {
    // Windows are fixed and aligned to the hour: start just after a boundary so none falls inside.
    const hourMs = RATE_LIMITS.deviceEnrollmentsPerUser.windowSeconds * 1000;
    server.advanceClock(hourMs - (server.running.context.clock().getTime() % hourMs) + 1000);
    const carol = await passkeyPerson(enrollmentServer(), 'Carol');
    const device = await enrollmentSession(server.url, carol);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.deviceEnrollmentsPerUser.limit; i++) statuses.push((await requestEnrollment(device)).status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expectApiError(await requestEnrollment(device), 'rate_limited');
    expect(((await listEnrollments(carol.device)).json as { enrollments: unknown[] }).enrollments).toHaveLength(MAX_LIVE_ENROLLMENTS_PER_USER);
    // Every request was told to the account: one emailed notice per asking device and hour, a log line per request.
    const notices = await db
      .selectFrom('outbox')
      .select('kind')
      .where('recipient', '=', carol.email)
      .where('kind', '=', 'device-enrollment-requested')
      .execute();
    expect(notices).toHaveLength(1);
    const logged = await db
      .selectFrom('security_events')
      .select('type')
      .where('user_id', '=', carol.userId)
      .where('type', '=', 'device.enrollment-requested')
      .execute();
    expect(logged).toHaveLength(RATE_LIMITS.deviceEnrollmentsPerUser.limit);
  });
});
