/**
 * SPEC §5 invariant 8: unknown and known emails are indistinguishable to an unauthenticated
 * caller. For every unauthenticated route that takes an email (`/api/signup/start`,
 * `/api/auth/login/start`, `/api/recovery/start`) this compares *whole* responses for a known and
 * an unknown address: the status, every header (but `date`, `connection`, `keep-alive`, which are
 * the transport's and the clock's), and the body byte for byte after blanking only the fields
 * that are random or clock-driven by design:
 * - `verificationId`: 128 random bits (base64url, 22 characters) minted per request; checked for
 *   that shape on both sides, then blanked to the same length;
 * - `retryAfterSeconds` / `Retry-After` of a refusal: seconds until the epoch-aligned window ends,
 *   a function of the clock alone; checked to be within 1 s of each other, then blanked.
 * Refusals are compared too (the same number of answers before the first 429, and the same 429).
 *
 * Timing class, in two parts, neither of which can flake on a loaded machine:
 * - work done: each request's writes, as the change in every table's row count (for
 *   `rate_limits`, in the sum of its counters), must be the same for both sides. `security_events` and
 *   `outbox` are left out: a wrong Secret Key's event for an existing account, and at the 10th in
 *   an hour its notice, are written after the response, by design, as is mail. This catches a path that does a step of its own for one side (an extra
 *   write, a stored attempt, a counter), however fast;
 * - wall time: many samples, interleaving known and unknown so machine load hits both alike,
 *   compared by median with a generous bound (3× plus 15 ms). This catches what a remote caller
 *   could measure through the network, such as waiting for SMTP or an Argon2 run on one side.
 * Each sample comes from its own source address (`--trust-proxy`), so no sample is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { opaqueClient, opaqueReady } from '@latchkey/core/opaque';
import { generateSecretKey } from '@latchkey/core/secret-key';
import type { LatchkeyError } from '@latchkey/core/errors';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { signUpUser, startTestServer, testDatabaseKind, type TestServer, type TestUser, uniqueEmail } from '@latchkey/server/testing';

let server: TestServer;
let withCode: TestUser;
let withoutCode: TestUser;
let source = 0;
/** A fresh documentation-range source address per request. */
const nextSource = () => `10.${(++source >> 16) & 255}.${(source >> 8) & 255}.${source & 255}`;

beforeAll(async () => {
  server = await startTestServer({ args: ['--trust-proxy', '127.0.0.1'] });
  withCode = await signUpUser(server);
  const { recoveryCode } = await withCode.client.recoveryCode.create();
  await withCode.client.recoveryCode.confirm(recoveryCode);
  withoutCode = await signUpUser(server);
  // Start in a fresh hour, so no epoch-aligned window ends during a comparison.
  const hourMs = 3600_000;
  server.advanceClock(hourMs - (server.running.context.clock().getTime() % hourMs) + 1000);
}, 120_000);
afterAll(() => server.close());

interface Observed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly ms: number;
}

const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive']);

async function observe(path: string, body: unknown, ip = nextSource()): Promise<Observed> {
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  const headers = Object.fromEntries([...res.headers.entries()].filter(([name]) => !TRANSPORT_HEADERS.has(name)));
  return { status: res.status, headers, body: text, ms };
}

/** The response with its random-by-design fields checked for shape and blanked (same length). */
function normalized(o: Observed): Omit<Observed, 'ms'> {
  let body = o.body;
  const headers = { ...o.headers };
  const json = JSON.parse(body) as { verificationId?: unknown; error?: { details?: { retryAfterSeconds?: unknown } } };
  if (json.verificationId !== undefined) {
    expect(json.verificationId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    body = body.replace(`"${String(json.verificationId)}"`, `"${'*'.repeat(22)}"`);
  }
  const retry = json.error?.details?.retryAfterSeconds;
  if (retry !== undefined) {
    expect(Number.isInteger(retry)).toBe(true);
    expect(headers['retry-after']).toBe(String(retry));
    body = body.replace(`"retryAfterSeconds":${String(retry)}`, '"retryAfterSeconds":"<seconds left in window>"');
    headers['retry-after'] = '<seconds left in window>';
  }
  return { status: o.status, headers, body };
}

function expectSameResponse(a: Observed, b: Observed): void {
  const retryA = (JSON.parse(a.body) as { error?: { details?: { retryAfterSeconds?: number } } }).error?.details?.retryAfterSeconds;
  const retryB = (JSON.parse(b.body) as { error?: { details?: { retryAfterSeconds?: number } } }).error?.details?.retryAfterSeconds;
  if (retryA !== undefined || retryB !== undefined) expect(Math.abs((retryA ?? -99) - (retryB ?? 99))).toBeLessThanOrEqual(1);
  expect(normalized(a)).toEqual(normalized(b));
}

/** Rows per table (for rate_limits, the sum of its counters): what a request wrote, by difference. */
async function footprint(): Promise<Record<string, number>> {
  const db = server.running.context.db;
  const out: Record<string, number> = {};
  for (const table of await db.introspection.getTables()) {
    // rate_limits is compared by its counters below: a new bucket row or a bump of an existing
    // one is the same statement, and the known side reuses its email's rows while each unknown
    // sample is a fresh address.
    if (table.name === 'security_events' || table.name === 'outbox' || table.name === 'rate_limits' || table.name.startsWith('kysely_')) continue;
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table.name)}`.execute(db);
    out[table.name] = Number(row.rows[0]!.n);
  }
  const counters = await sql<{ n: number | string | null }>`select sum(count) as n from rate_limits`.execute(db);
  out['rate_limits.count'] = Number(counters.rows[0]!.n ?? 0);
  return out;
}

/** Runs `request` and returns its response with what it wrote. */
async function withWrites(request: () => Promise<Observed>): Promise<Observed & { writes: Record<string, number> }> {
  const before = await footprint();
  const observed = await request();
  const after = await footprint();
  const writes = Object.fromEntries(
    Object.keys(after)
      .map((t) => [t, after[t]! - (before[t] ?? 0)])
      .filter(([, d]) => d !== 0),
  );
  return { ...observed, writes };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** Interleaved samples of both sides; asserts every pair answers alike and the medians are in one class. */
async function expectSameTimingClass(what: string, known: () => Promise<Observed>, unknown: () => Promise<Observed>, samples = 16): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  await known(); // warm-up: JIT and connection set-up would otherwise land on one side only
  await unknown();
  for (let i = 0; i < samples; i++) {
    const [first, second] = i % 2 === 0 ? [known, unknown] : [unknown, known];
    const x = await withWrites(first);
    const y = await withWrites(second);
    expectSameResponse(x, y);
    expect(x.writes, `${what}: what one request wrote`).toEqual(y.writes);
    (i % 2 === 0 ? a : b).push(x.ms);
    (i % 2 === 0 ? b : a).push(y.ms);
  }
  const [ka, ub] = [median(a), median(b)];
  const bound = (m: number) => 3 * m + 15;
  expect(ka, `${what}: median known ${ka.toFixed(1)} ms vs unknown ${ub.toFixed(1)} ms`).toBeLessThanOrEqual(bound(ub));
  expect(ub, `${what}: median unknown ${ub.toFixed(1)} ms vs known ${ka.toFixed(1)} ms`).toBeLessThanOrEqual(bound(ka));
}

const junkLogin = async (email: string) => {
  await opaqueReady;
  return {
    email,
    secretKeyVerifier: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'),
    startLoginRequest: opaqueClient.startLogin('guess').startLoginRequest,
  };
};

describe(`invariant 8: unknown and known emails are indistinguishable (${testDatabaseKind()})`, () => {
  it('POST /api/signup/start: the same whole response and timing class', async () => {
    // Sign-up start is limited to 5 an hour per email: move to a new hour between batches.
    let n = 0;
    const known = async () => {
      if (++n % RATE_LIMITS.signupPerEmail.limit === 0) server.advanceClock(3600_000);
      return observe('/api/signup/start', { email: withCode.email });
    };
    const first = await observe('/api/signup/start', { email: withoutCode.email });
    expect(first.status).toBe(202);
    await expectSameTimingClass('signup/start', known, () => observe('/api/signup/start', { email: uniqueEmail('nobody') }), 12);
  });

  it('POST /api/auth/login/start: the same whole response and timing class, without the Secret Key', async () => {
    const a = await observe('/api/auth/login/start', await junkLogin(withCode.email));
    expect(a.status).toBe(401);
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'wrong_secret_key' } });
    await expectSameTimingClass(
      'login/start',
      async () => observe('/api/auth/login/start', await junkLogin(withCode.email)),
      async () => observe('/api/auth/login/start', await junkLogin(uniqueEmail('nobody'))),
      20,
    );
  });

  it('POST /api/recovery/start: the same whole response and timing class, with and without a recovery code', async () => {
    const unknown = () => observe('/api/recovery/start', { email: uniqueEmail('nobody') });
    await expectSameTimingClass('recovery/start (with a code)', () => observe('/api/recovery/start', { email: withCode.email }), unknown, 12);
    await expectSameTimingClass('recovery/start (without a code)', () => observe('/api/recovery/start', { email: withoutCode.email }), unknown, 12);
  });

  it('refusals: as many answers before the first 429, and the same 429, on each route', async () => {
    server.advanceClock(3600_000);
    const untilRefused = async (path: string, body: () => Promise<unknown>, ip: string) => {
      const answers: Observed[] = [];
      for (;;) {
        const o = await observe(path, await body(), ip);
        if (o.status === 429) return { answered: answers.length, refusal: o, answers };
        answers.push(o);
        if (answers.length > 200) throw new Error(`${path} never refused`);
      }
    };
    const nobody = uniqueEmail('nobody');
    const cases: Array<[string, (email: string) => Promise<unknown>]> = [
      ['/api/auth/login/start', (email) => junkLogin(email)],
      ['/api/recovery/start', async (email) => ({ email })],
      ['/api/signup/start', async (email) => ({ email })],
    ];
    for (const [path, body] of cases) {
      const ip = nextSource();
      const k = await untilRefused(path, () => body(withCode.email), ip);
      const u = await untilRefused(path, () => body(nobody), ip);
      expect(k.answered, path).toBe(u.answered);
      for (const [i, answer] of k.answers.entries()) expectSameResponse(answer, u.answers[i]!);
      expectSameResponse(k.refusal, u.refusal);
    }
  });

  it('the SDK reports the same error for both', async () => {
    const guess = generateSecretKey();
    const errorFor = (email: string) =>
      server
        .client()
        .signIn({ email, password: 'guess', secretKey: guess })
        .catch((e: LatchkeyError) => [e.code, e.message]);
    expect(await errorFor(withCode.email)).toEqual(await errorFor(uniqueEmail('unknown')));
  });
});
