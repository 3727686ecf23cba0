/**
 * SPEC §5 invariant 9: nobody who knows only an email address can keep its owner from signing in
 * or from recovering. A stranger hammers an account's sign-in and recovery from one address (and
 * then from several, and from a rotating IPv6 /64); the owner, from another address, still signs
 * in on a new device and starts a recovery. The server runs with `--trust-proxy 127.0.0.1`, so
 * `X-Forwarded-For` chooses the stranger's address; the owner's SDK sends none and is 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opaqueClient, opaqueReady } from '@latchkey/core/opaque';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { sourceBucketOf } from '../src/services/source-key.ts';
import {
  expectApiError,
  send,
  signUpUser,
  startTestServer,
  testDatabaseKind,
  type TestServer,
  type TestUser,
  uniqueEmail,
  waitForEmail,
} from '@latchkey/server/testing';

let server: TestServer;
/** Moves the server's clock to 1 s after the next multiple of `ms`. */
const toNextWindow = (ms: number) => server.advanceClock(ms - (server.running.context.clock().getTime() % ms) + 1000);
beforeAll(async () => {
  server = await startTestServer({ args: ['--trust-proxy', '127.0.0.1'] });
  // Windows are fixed and epoch-aligned (5 minutes and 1 hour): begin at the start of an hour
  // and start each test in a fresh 5-minute window, so no window ends half-way through a count.
  toNextWindow(3600_000);
});
beforeEach(() => toNextWindow(300_000));
afterAll(() => server.close());

/** A start with a random Secret Key verifier: all a stranger can send. */
async function junkSignIn(email: string, ip: string) {
  await opaqueReady;
  const secretKeyVerifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  return send(server, {
    method: 'POST',
    path: '/api/auth/login/start',
    headers: { 'x-forwarded-for': ip },
    body: { email, secretKeyVerifier, startLoginRequest: opaqueClient.startLogin('guess').startLoginRequest },
  });
}

const recoveryStart = (email: string, ip: string) =>
  send(server, { method: 'POST', path: '/api/recovery/start', headers: { 'x-forwarded-for': ip }, body: { email } });

/** Sends junk sign-ins from `ip` until refused; returns how many were answered `wrong_secret_key`. */
async function hammerSignIn(email: string, ip: string, max: number): Promise<number> {
  for (let answered = 0; answered <= max; answered++) {
    const reply = await junkSignIn(email, ip);
    if (expectApiError(reply, ['wrong_secret_key', 'rate_limited']) === 'rate_limited') return answered;
  }
  throw new Error(`${ip} was never refused after ${max} junk sign-ins`);
}

async function ownerSignsInOnANewDevice(owner: TestUser): Promise<void> {
  const device = server.client();
  await device.signIn({ email: owner.email, password: owner.password, secretKey: owner.secretKey });
  expect((await device.vaults.list()).length).toBeGreaterThan(0);
}

describe(`a stranger cannot lock the owner out (${testDatabaseKind()})`, () => {
  it('one source hammering sign-in and recovery slows only itself: the owner still signs in and recovers', async () => {
    const owner = await signUpUser(server);
    const { recoveryCode } = await owner.client.recoveryCode.create();
    await owner.client.recoveryCode.confirm(recoveryCode);
    const stranger = '203.0.113.66';

    // The stranger's own budget: 20 wrong Secret Keys per 5 minutes for this email, then 429 —
    // more than the per-email budget of 20 that used to lock the owner out.
    expect(await hammerSignIn(owner.email, stranger, 100)).toBe(RATE_LIMITS.signInFailuresPerEmailSource.limit);
    for (let i = 0; i < 5; i++) expectApiError(await junkSignIn(owner.email, stranger), 'rate_limited');
    for (let i = 0; i < RATE_LIMITS.recoveryStartPerEmailSource.limit; i++) expect((await recoveryStart(owner.email, stranger)).status).toBe(202);
    expectApiError(await recoveryStart(owner.email, stranger), 'rate_limited');

    // The owner, from another address, is untouched by all of it.
    await ownerSignsInOnANewDevice(owner);
    const sentAfter = Date.now() - 1000;
    await server.client().recovery.start(owner.email);
    await waitForEmail(server.dataDir, { to: owner.email, subjectIncludes: 'confirm a Latchkey account recovery', after: sentAfter });
    // …while the stranger is still refused, and nothing per email alone was used up.
    expectApiError(await junkSignIn(owner.email, stranger), 'rate_limited');
    expectApiError(await recoveryStart(owner.email, stranger), 'rate_limited');
  });

  it('many sources spending the email-wide Secret Key budget are each cut to one guess, and the owner still signs in', async () => {
    const owner = await signUpUser(server);
    const perSource = RATE_LIMITS.signInFailuresPerEmailSource.limit;
    const perEmail = RATE_LIMITS.secretKeyFailuresPerEmail.limit;
    // Each source gets its own 20 until the email's 50 an hour are spent (20, 20, then 10).
    for (let s = 0, spent = 0; spent < perEmail; s++) {
      const answered = await hammerSignIn(owner.email, `198.51.100.${s + 1}`, 100);
      expect(answered).toBe(Math.min(perSource, perEmail - spent));
      spent += answered;
    }
    // From now on a new source gets its first check, then 429.
    const late = '198.51.100.200';
    expectApiError(await junkSignIn(owner.email, late), 'wrong_secret_key');
    expectApiError(await junkSignIn(owner.email, late), 'rate_limited');
    // The owner has no failure from their address: checked, right, signed in.
    await ownerSignsInOnANewDevice(owner);
    // A mistyped Secret Key of the owner's own is still answered as such.
    const ownMistake = await send(server, {
      method: 'POST',
      path: '/api/auth/login/start',
      body: { email: owner.email, secretKeyVerifier: 'cd'.repeat(32), startLoginRequest: opaqueClient.startLogin('x').startLoginRequest },
    });
    expectApiError(ownMistake, 'wrong_secret_key');
  });

  it('an IPv6 stranger rotating addresses within one /64 is one bucket; another /64 is another', async () => {
    const owner = await signUpUser(server);
    let n = 0;
    const rotating = () => `2001:db8:aa:bb:${(++n).toString(16)}:0:0:${(n * 7).toString(16)}`;
    for (let i = 0; i < RATE_LIMITS.signInFailuresPerEmailSource.limit; i++) expectApiError(await junkSignIn(owner.email, rotating()), 'wrong_secret_key');
    for (let i = 0; i < 5; i++) expectApiError(await junkSignIn(owner.email, rotating()), 'rate_limited');
    expectApiError(await junkSignIn(owner.email, '2001:db8:aa:bc::1'), 'wrong_secret_key');
    const buckets = await server.running.context.db
      .selectFrom('rate_limits')
      .select('bucket')
      .where('bucket', 'like', 'signInPerSource:2001:db8:aa:%')
      .execute();
    expect(buckets.map((b) => b.bucket).sort()).toEqual(['signInPerSource:2001:db8:aa:bb::/64', 'signInPerSource:2001:db8:aa:bc::/64']);
    await ownerSignsInOnANewDevice(owner);
  });

  it('recovery start for one email is limited per source, never for the email as a whole', async () => {
    const email = uniqueEmail('recovery-spray');
    for (let s = 1; s <= 3; s++) {
      for (let i = 0; i < RATE_LIMITS.recoveryStartPerEmailSource.limit; i++) expect((await recoveryStart(email, `192.0.2.${s}`)).status).toBe(202);
      expectApiError(await recoveryStart(email, `192.0.2.${s}`), 'rate_limited');
    }
    expect((await recoveryStart(email, '192.0.2.99')).status).toBe(202);
  });
});

describe('source buckets', () => {
  it('IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 per /64 in one canonical spelling', () => {
    expect(sourceBucketOf('203.0.113.5')).toBe('203.0.113.5');
    expect(sourceBucketOf('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(sourceBucketOf('::FFFF:cb00:7105')).toBe('203.0.113.5');
    expect(sourceBucketOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceBucketOf('2001:0DB8:0000:0000:ffff:1:2:3')).toBe('2001:db8:0:0::/64');
    expect(sourceBucketOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(sourceBucketOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceBucketOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceBucketOf('not an address')).toBe('not an address');
  });
});
