/**
 * SPEC §3.1 "several server instances on one PostgreSQL must behave as one server" and §5
 * invariant 4 "a one-time code succeeds at most once, also under concurrent attempts and across
 * several server instances".
 *
 * Two real server processes (`latchkey server`) share one fresh PostgreSQL database and one data
 * directory (so both write to the same email outbox, as instances behind a load balancer share
 * a mail relay). Every piece of state a second request may need — sessions, pending OPAQUE
 * logins, email codes, rate-limit counters, item versions — must be in the database, so a
 * request may land on either instance. The embedded SQLite database is for one server process
 * (several instances means PostgreSQL, docs/operations.md), so that part runs only on
 * PostgreSQL; the single-instance race of one email code runs on both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fetch } from '@latchkey/client/http';
import { MemoryStore } from '@latchkey/client/local-store';
import { LatchkeyError } from '@latchkey/core/errors';
import { Secret, TOTP } from 'otpauth';
import { randomBytes, toBase64Url } from '@latchkey/core/bytes';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import {
  approveEnrollment,
  enrollmentOf,
  enrollmentSession,
  finishEnrollment,
  newDeviceOf,
  passkeyPerson,
  relayMessage,
  requestEnrollment,
} from './helpers/device-enrollment.ts';
import {
  createEmptyPostgresDatabase,
  readEmailCode,
  sdkClient,
  type ServerProcess,
  signUpUser,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
  uniqueEmail,
} from '@latchkey/server/testing';

/** The one public URL both instances of the two-instance tests serve (as behind a load balancer); passkeys are bound to it. */
const PUBLIC_ORIGIN = 'http://localhost:8443';

interface JsonReply {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function post(server: string, route: string, body: unknown, token?: string): Promise<JsonReply> {
  return request(server, 'POST', route, body, token);
}

async function request(server: string, method: string, route: string, body?: unknown, token?: string): Promise<JsonReply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(server + route, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as JsonReply['body']) };
}

/** Asks `server` for a sign-up code for `email`; returns the verification id and the code from the outbox. */
async function signupCode(server: string, dataDir: string, email: string): Promise<{ verificationId: string; code: string }> {
  const started = Date.now();
  const reply = await post(server, '/api/signup/start', { email });
  expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  const verificationId = reply.body.verificationId as string;
  return { verificationId, code: await readEmailCode(dataDir, email, started) };
}

/** Fires `count` verification requests for one code at once, alternating between `servers`; returns the replies. */
async function raceVerify(servers: readonly string[], verificationId: string, code: string, count: number): Promise<JsonReply[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => post(servers[i % servers.length]!, '/api/signup/verify', { verificationId, code })));
}

function expectExactlyOneWinner(replies: readonly JsonReply[]): void {
  const statuses = replies.map((r) => r.status);
  expect(
    statuses.filter((s) => s === 200),
    `statuses: ${statuses.join(',')}`,
  ).toHaveLength(1);
  const losers = replies.filter((r) => r.status !== 200);
  expect(losers.map((r) => r.body.error?.code)).toEqual(losers.map(() => 'code_used'));
  expect(losers.every((r) => r.status === 400)).toBe(true);
  const winner = replies.find((r) => r.status === 200)!;
  expect(typeof winner.body.ticket).toBe('string');
}

async function withServerData(): Promise<{ dataDir: string; databaseUrl: string | undefined; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-instances-'));
  const database = testDatabaseKind() === 'postgres' ? await createEmptyPostgresDatabase() : undefined;
  return {
    dataDir,
    databaseUrl: database?.databaseUrl,
    async cleanup() {
      await stopAllServerProcesses();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe(`one server instance (${testDatabaseKind()})`, () => {
  let data: Awaited<ReturnType<typeof withServerData>>;
  let server: ServerProcess;

  beforeAll(async () => {
    data = await withServerData();
    server = await startServerProcess({ dataDir: data.dataDir, ...(data.databaseUrl ? { databaseUrl: data.databaseUrl } : {}) });
  });
  afterAll(() => data?.cleanup());

  it('an email code raced by 20 concurrent requests is verified exactly once; the others get code_used', async () => {
    const { verificationId, code } = await signupCode(server.url, data.dataDir, uniqueEmail('race-one'));
    expectExactlyOneWinner(await raceVerify([server.url], verificationId, code, 20));
    // And it stays used.
    expect((await post(server.url, '/api/signup/verify', { verificationId, code })).body.error?.code).toBe('code_used');
  });
});

describe.skipIf(testDatabaseKind() !== 'postgres')(
  'two server processes on one PostgreSQL act as one server (PostgreSQL only: the embedded SQLite database serves one server process)',
  () => {
    let data: Awaited<ReturnType<typeof withServerData>>;
    let a: ServerProcess;
    let b: ServerProcess;

    beforeAll(async () => {
      data = await withServerData();
      // Started together: both migrate the same empty database at once (an advisory lock serializes them).
      [a, b] = await Promise.all([
        startServerProcess({ dataDir: data.dataDir, databaseUrl: data.databaseUrl!, env: { PUBLIC_URL: PUBLIC_ORIGIN } }),
        startServerProcess({ dataDir: data.dataDir, databaseUrl: data.databaseUrl!, env: { PUBLIC_URL: PUBLIC_ORIGIN } }),
      ]);
      expect(a.port).not.toBe(b.port);
    });
    afterAll(() => data?.cleanup());

    it('an account signed up through A signs in through B, and a session made on A works on B (and its revocation too)', async () => {
      const alice = await signUpUser({ url: a.url, dataDir: data.dataDir }, { name: 'Alice' });
      const onB = sdkClient(b.url);
      const account = await onB.signIn({ email: alice.email, password: alice.password, secretKey: alice.secretKey });
      expect(account.id).toBe(alice.userId);
      expect((await onB.vaults.list()).map((v) => v.kind)).toEqual(['personal']);

      // The bearer token of the sign-up session on A, presented to B.
      const token = (await alice.store.read()).session!.token;
      const profile = await request(b.url, 'GET', '/api/account', undefined, token);
      expect(profile.status).toBe(200);
      expect(profile.body.id).toBe(alice.userId);
      const sessions = await request(b.url, 'GET', '/api/sessions', undefined, token);
      expect(sessions.status).toBe(200);
      expect((sessions.body.sessions as unknown[]).length).toBe(2);

      // Signed out on A: B refuses the token at once (nothing cached per process).
      expect((await post(a.url, '/api/auth/signout', {}, token)).status).toBe(200);
      const afterSignOut = await request(b.url, 'GET', '/api/account', undefined, token);
      expect(afterSignOut.status).toBe(401);
      expect(afterSignOut.body.error?.code).toBe('unauthenticated');
    });

    it('an OPAQUE sign-in started on A finishes on B, and its session works on both', async () => {
      const bob = await signUpUser({ url: a.url, dataDir: data.dataDir }, { name: 'Bob' });
      const routed: string[] = [];
      // The SDK talks to A; the load balancer sends the second sign-in message to B.
      const balancer: Fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname === '/api/auth/login/finish') {
          routed.push(url.pathname);
          return fetch(b.url + url.pathname + url.search, init);
        }
        return fetch(input, init);
      };
      const store = new MemoryStore();
      const client = sdkClient(a.url, { store, fetch: balancer });
      const account = await client.signIn({ email: bob.email, password: bob.password, secretKey: bob.secretKey });
      expect(routed).toEqual(['/api/auth/login/finish']);
      expect(account.id).toBe(bob.userId);
      expect(client.isUnlocked).toBe(true);

      const token = (await store.read()).session!.token;
      for (const server of [a, b]) {
        const profile = await request(server.url, 'GET', '/api/account', undefined, token);
        expect(profile.status).toBe(200);
        expect(profile.body.id).toBe(bob.userId);
      }
    });

    it('a device enrollment runs across A and B; its approval and its finish, raced across both, go to one device once', async () => {
      // Both instances serve one public URL (as behind a load balancer): the passkeys' origin.
      const onA = { url: a.url, dataDir: data.dataDir, origin: PUBLIC_ORIGIN };
      const carol = await passkeyPerson(onA, 'Carol');
      // The new device talks to A, the trusted device to B: the whole run crosses instances at every step.
      const fresh = newDeviceOf(onA);
      const asking = await fresh.client.devices.requestEnrollment({
        email: carol.email,
        authenticator: carol.authenticator,
        deviceKeys: fresh.deviceKeys,
        pollIntervalMs: 25,
      });
      // The trusted device's session is remembered for the public address; its requests land on B.
      const toB: Fetch = (input, init) => fetch(String(input).replace(a.url, b.url), init);
      const trustedOnB = sdkClient(a.url, { store: carol.store, fetch: toB });
      const { code, completion } = await trustedOnB.devices.approveEnrollment(asking.enrollmentId, {
        authenticator: carol.authenticator,
        deviceKeys: carol.deviceKeys,
        pollIntervalMs: 25,
      });
      const [account] = await Promise.all([asking.enterCode(code), completion]);
      expect(account.id).toBe(carol.userId);
      expect((await trustedOnB.devices.list()).map((d) => d.name)).toHaveLength(2);

      // Ten approvals of one enrollment by the trusted device, split across A and B: one wins.
      const newDevice = await enrollmentSession(a.url, carol);
      const requested = enrollmentOf(await requestEnrollment(newDevice));
      const trustedDevices = [carol.device, { ...carol.device, url: b.url }];
      const approvals = await Promise.all(Array.from({ length: 10 }, (_, i) => approveEnrollment(trustedDevices[i % 2]!, requested.enrollmentId)));
      expect(approvals.map((r) => r.status).filter((s) => s === 200)).toHaveLength(1);
      expect(approvals.filter((r) => r.status !== 200).map((r) => (r.json as { error: { code: string } }).error.code)).toEqual(Array(9).fill('code_used'));

      const id = requested.enrollmentId;
      const bytes = (n: number) => toBase64Url(randomBytes(n));
      expect((await relayMessage(newDevice, id, 1, bytes(32))).status).toBe(200);
      expect((await relayMessage({ ...carol.device, url: b.url }, id, 2, bytes(96))).status).toBe(200);
      expect((await relayMessage(newDevice, id, 3, bytes(64))).status).toBe(200);
      expect((await relayMessage(carol.device, id, 4, bytes(80))).status).toBe(200);
      const finishes = await Promise.all(Array.from({ length: 20 }, (_, i) => finishEnrollment({ ...newDevice, url: i % 2 === 0 ? a.url : b.url }, id)));
      expect(finishes.filter((r) => r.status === 200)).toHaveLength(1);
      const losers = finishes.filter((r) => r.status !== 200).map((r) => (r.json as { error: { code: string } }).error.code);
      expect(
        losers.every((c) => c === 'not_found' || c === 'unauthenticated'),
        losers.join(),
      ).toBe(true);
    });

    it('a sign-up code verified on A is refused on B with code_used', async () => {
      const { verificationId, code } = await signupCode(a.url, data.dataDir, uniqueEmail('used-on-a'));
      const first = await post(a.url, '/api/signup/verify', { verificationId, code });
      expect(first.status).toBe(200);
      const second = await post(b.url, '/api/signup/verify', { verificationId, code });
      expect(second.status).toBe(400);
      expect(second.body.error?.code).toBe('code_used');
    });

    it('one sign-up code raced by 20 concurrent requests split across A and B is verified exactly once', async () => {
      const { verificationId, code } = await signupCode(b.url, data.dataDir, uniqueEmail('race-two'));
      expectExactlyOneWinner(await raceVerify([a.url, b.url], verificationId, code, 20));
    });

    it('rate limits count across instances: sign-up codes for one email, 5 per hour in total', async () => {
      const limit = RATE_LIMITS.signupPerEmail.limit;
      // Fixed windows aligned to the hour: do not straddle a boundary.
      const windowMs = RATE_LIMITS.signupPerEmail.windowSeconds * 1000;
      const untilNextWindow = windowMs - (Date.now() % windowMs);
      if (untilNextWindow < 5_000) await sleep(untilNextWindow + 100);

      const email = uniqueEmail('throttled');
      const attempts = 2 * limit;
      const replies = await Promise.all(Array.from({ length: attempts }, (_, i) => post((i % 2 === 0 ? a : b).url, '/api/signup/start', { email })));
      const statuses = replies.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 202),
        `statuses: ${statuses.join(',')}`,
      ).toHaveLength(limit);
      const refused = replies.filter((r) => r.status !== 202);
      expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual(refused.map(() => [429, 'rate_limited']));
      // Sequential follow-ups on either instance are refused too.
      for (const server of [a, b]) expect((await post(server.url, '/api/signup/start', { email })).status).toBe(429);
    });

    it('one backup code used by 50 concurrent sign-ins split across A and B succeeds exactly once', async () => {
      const account = await signUpUser({ url: a.url, dataDir: data.dataDir });
      const { secret } = await account.client.twoStep.enableTotp();
      const backupCodes = await account.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
      const servers = [a.url, b.url];
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          sdkClient(servers[i % 2]!).signIn({
            email: account.email,
            password: account.password,
            secretKey: account.secretKey,
            twoStep: { backupCode: backupCodes[0]! },
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const codes = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as LatchkeyError).code);
      expect(
        codes.every((c) => c === 'invalid_code' || c === 'rate_limited'),
        codes.join(','),
      ).toBe(true);
      expect(codes).toContain('invalid_code');
    });

    it('an item edited on A makes a stale edit on B fail with 409 conflict, losing nothing', async () => {
      const carol = await signUpUser({ url: a.url, dataDir: data.dataDir }, { name: 'Carol' });
      const personal = (await carol.client.vaults.list()).find((v) => v.kind === 'personal')!;
      const created = await carol.client.items.create(personal.id, { kind: 'login', title: 'Shop', username: 'carol', password: 'first' });

      const statuses: number[] = [];
      const recording: Fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method === 'PUT') statuses.push(response.status);
        return response;
      };
      const onB = sdkClient(b.url, { fetch: recording });
      await onB.signIn({ email: carol.email, password: carol.password, secretKey: carol.secretKey });
      const staleOnB = await onB.items.get(created.id);
      expect(staleOnB.version).toBe(1);

      const editedOnA = await carol.client.items.update(created.id, { password: 'second (from A)' });
      expect(editedOnA.version).toBe(2);

      const stale = await onB.items.update(created.id, { password: 'third (stale, from B)' }, staleOnB).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(stale).toBeInstanceOf(LatchkeyError);
      expect((stale as LatchkeyError).code).toBe('conflict');
      expect(statuses).toEqual([409]);

      // Both instances serve A's edit.
      expect(await onB.items.get(created.id)).toMatchObject({ version: 2, password: 'second (from A)' });
      expect(await carol.client.items.get(created.id)).toMatchObject({ version: 2, password: 'second (from A)' });
    });
  },
);
