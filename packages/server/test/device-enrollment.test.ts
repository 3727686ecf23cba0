/**
 * The device-enrollment relay (docs/protocol.md §24.7) against a running server: a new device
 * and a trusted device of one account run CPace through it and the bundle arrives; a wrong code
 * fails both sides and spends the enrollment; each message is written once, in order, by its
 * device; an enrollment expires after 10 minutes; concurrent approvals, first messages and
 * finishes succeed at most once; requests are rate-limited; the server never holds the bundle
 * in the clear.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, toBase64Url } from '@latchkey/core/bytes';
import { generateEnrollmentCode } from '@latchkey/core/enrollment-code';
import type { DeviceEnrollment } from '@latchkey/core/wire/device-enrollment';
import { ENROLLMENT_TTL_MS, MAX_LIVE_ENROLLMENTS_PER_USER } from '../src/services/device-enrollment.ts';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import type { Database } from '../src/storage/schema.ts';
import { expectApiError, signInAgain, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import {
  approveEnrollment,
  approvedEnrollment,
  type EnrollmentDevice,
  enrollmentOf,
  finishEnrollment,
  listEnrollments,
  relayMessage,
  requestEnrollment,
  runEnrollment,
} from './helpers/device-enrollment.ts';

let server: TestServer;
let db: Kysely<Database>;
let alice: TestUser;
let newDevice: EnrollmentDevice;
let trusted: EnrollmentDevice;

const deviceOf = async (user: TestUser): Promise<EnrollmentDevice> => ({ url: server.url, token: (await signInAgain(server, user)).token });
const share = () => toBase64Url(randomBytes(32));
const reply = () => toBase64Url(randomBytes(96));
const tag = () => toBase64Url(randomBytes(64));

async function dumpDatabase(): Promise<string> {
  const parts: string[] = [];
  for (const table of await db.introspection.getTables()) {
    const rows = await db
      .selectFrom(table.name as keyof Database)
      .selectAll()
      .execute();
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  server = await startTestServer();
  db = server.running.context.db;
  alice = await signUpUser(server, { name: 'Alice' });
  newDevice = await deviceOf(alice);
  trusted = await deviceOf(alice);
});
afterAll(() => server?.close());

describe('enrolling a device through the relay', () => {
  it('moves the credential bundle end to end; the server never holds it in the clear, and it is handed out once', async () => {
    const code = generateEnrollmentCode();
    const bundle = randomBytes(120);
    const outcome = await runEnrollment({ accountId: alice.userId, newDevice, trusted, shown: code, typed: code, bundle });
    expect(outcome.kind).toBe('enrolled');
    if (outcome.kind !== 'enrolled') return;
    expect(outcome.bundle).toEqual(bundle);

    // Finishing deleted the enrollment: the bundle cannot be taken again, and nothing of it is left.
    expectApiError(await finishEnrollment(newDevice, outcome.enrollmentId), 'not_found');
    const everything = `${await dumpDatabase()}\n${server.logs.join('\n')}`;
    for (const form of [toBase64Url(bundle), Buffer.from(bundle).toString('hex'), Buffer.from(bundle).toString('base64')])
      expect(everything).not.toContain(form);
    expect(everything).not.toContain(code.replaceAll('-', ''));
  });

  it('a wrong code fails the new device on Tb and the trusted device on Ta; the enrollment allows no second run', async () => {
    const outcome = await runEnrollment({
      accountId: alice.userId,
      newDevice,
      trusted,
      shown: generateEnrollmentCode(),
      typed: generateEnrollmentCode(),
      bundle: randomBytes(64),
    });
    expect(outcome).toMatchObject({ kind: 'refused', by: 'new-device', code: 'cpace_confirmation_failed' });
    // The trusted device refused too (runEnrollment stops before message 4), so the run is over:
    expectApiError(await relayMessage(newDevice, outcome.enrollmentId, 1, share()), 'code_used');
    expectApiError(await finishEnrollment(newDevice, outcome.enrollmentId), 'conflict');
    // A new enrollment, with a new code typed right, works.
    const code = generateEnrollmentCode();
    expect((await runEnrollment({ accountId: alice.userId, newDevice, trusted, shown: code, typed: code, bundle: randomBytes(64) })).kind).toBe('enrolled');
  });

  it('lists an unapproved enrollment to every device of the account, then only to its two devices', async () => {
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    expect(requested).toMatchObject({ newDeviceName: 'raw client', newDevicePlatform: 'test', trustedDeviceId: null, share: null, bundleReady: false });
    const third = await deviceOf(alice);
    const ids = async (device: EnrollmentDevice) =>
      ((await listEnrollments(device)).json as { enrollments: DeviceEnrollment[] }).enrollments.map((e) => e.enrollmentId);
    expect(await ids(third)).toContain(requested.enrollmentId);
    await approveEnrollment(trusted, requested.enrollmentId);
    expect(await ids(third)).not.toContain(requested.enrollmentId);
    expect(await ids(trusted)).toContain(requested.enrollmentId);
    expect(await ids(newDevice)).toContain(requested.enrollmentId);
    // Another account sees none of it, and gets not_found for its id.
    const bob = await signUpUser(server, { name: 'Bob' });
    const bobDevice = await deviceOf(bob);
    expect(await ids(bobDevice)).toEqual([]);
    expectApiError(await approveEnrollment(bobDevice, requested.enrollmentId), 'not_found');
    expectApiError(await relayMessage(bobDevice, requested.enrollmentId, 1, share()), 'not_found');
    expectApiError(await finishEnrollment(bobDevice, requested.enrollmentId), 'not_found');
    // A third device of the same account cannot join a run between two others.
    expectApiError(await approveEnrollment(third, requested.enrollmentId), 'code_used');
    expectApiError(await relayMessage(third, requested.enrollmentId, 2, reply()), 'not_found');
  });

  it('each message is posted once, in order, by the device whose turn it is, at its exact length', async () => {
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    const id = requested.enrollmentId;
    expectApiError(await approveEnrollment(newDevice, id), 'conflict');
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
    expect(JSON.stringify(done)).not.toContain(sealed); // the bundle only comes out of finish
    expectApiError(await finishEnrollment(trusted, id), 'not_found'); // only the new device takes it
    expect((await finishEnrollment(newDevice, id)).json).toEqual({ bundle: sealed });
  });

  it('an enrollment expires 10 minutes after the request', async () => {
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
  it('of 10 devices approving one enrollment at once, exactly one becomes its trusted device', async () => {
    const devices = await Promise.all(Array.from({ length: 10 }, () => deviceOf(alice)));
    const requested = enrollmentOf(await requestEnrollment(newDevice));
    const replies = await Promise.all(devices.map((d) => approveEnrollment(d, requested.enrollmentId)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) expectApiError(r, 'code_used');
  });

  it('of 10 first messages posted at once, one is kept; of 10 finishes at once, one gets the bundle', async () => {
    const approved = await approvedEnrollment(newDevice, trusted);
    const id = approved.enrollmentId;
    const shares = Array.from({ length: 10 }, share);
    const firsts = await Promise.all(shares.map((s) => relayMessage(newDevice, id, 1, s)));
    expect(firsts.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of firsts.filter((x) => x.status !== 200)) expectApiError(r, 'code_used');
    const kept = enrollmentOf(firsts.find((r) => r.status === 200)!).share;
    expect(enrollmentOf(await approvedView(id)).share).toBe(kept);

    enrollmentOf(await relayMessage(trusted, id, 2, reply()));
    enrollmentOf(await relayMessage(newDevice, id, 3, tag()));
    const sealed = toBase64Url(randomBytes(80));
    enrollmentOf(await relayMessage(trusted, id, 4, sealed));
    const finishes = await Promise.all(Array.from({ length: 10 }, () => finishEnrollment(newDevice, id)));
    expect(finishes.filter((r) => r.status === 200).map((r) => r.json)).toEqual([{ bundle: sealed }]);
    for (const r of finishes.filter((x) => x.status !== 200)) expectApiError(r, 'not_found');
  });

  async function approvedView(id: string) {
    const list = await listEnrollments(trusted);
    const found = (list.json as { enrollments: DeviceEnrollment[] }).enrollments.find((e) => e.enrollmentId === id)!;
    return { ...list, json: { enrollment: found } };
  }
});

describe('limits', () => {
  it(`keeps ${MAX_LIVE_ENROLLMENTS_PER_USER} live enrollments per account and refuses requests past ${RATE_LIMITS.deviceEnrollmentsPerUser.limit} an hour`, async () => {
    // Windows are fixed and aligned to the hour: start just after a boundary so none falls inside.
    const hourMs = RATE_LIMITS.deviceEnrollmentsPerUser.windowSeconds * 1000;
    server.advanceClock(hourMs - (server.running.context.clock().getTime() % hourMs) + 1000);
    const carol = await signUpUser(server, { name: 'Carol' });
    const device = await deviceOf(carol);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.deviceEnrollmentsPerUser.limit; i++) statuses.push((await requestEnrollment(device)).status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expectApiError(await requestEnrollment(device), 'rate_limited');
    expect(((await listEnrollments(device)).json as { enrollments: unknown[] }).enrollments).toHaveLength(MAX_LIVE_ENROLLMENTS_PER_USER);
  });
});
