/**
 * SPEC §5 invariant 12 for guesses that used to leave no trace:
 * - password guesses by someone holding the Secret Key (the OPAQUE envelope fails on their side
 *   and no finish is ever sent) are logged when the attempt is swept, by the next start or by
 *   housekeeping, and notified once a pattern forms (one email per window, not per guess);
 * - wrong Secret Keys for an existing account are logged and, past a threshold, notified once;
 * - a recovery proof (which hands out the keyset) is logged and notified even if the caller stops there;
 * - challenges cannot be created without limit, and each account keeps a bounded number live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opaqueClient, opaqueReady } from '@latchkey/core/opaque';
import { deriveRecoveryKeys, parseRecoveryCode, proveRecoveryCode } from '@latchkey/core/recovery-code';
import type { SecurityEvent } from '@latchkey/core/wire/auth';
import { LOGIN_TTL_MS } from '../src/services/sign-in.ts';
import { FAILURE_NOTICE, sweepAbandonedSignIns } from '../src/services/sign-in-failures.ts';
import { MAX_LIVE_CHALLENGES_PER_USER } from '../src/services/challenges.ts';
import { RATE_LIMITS, emailBucket, ruleFor } from '../src/services/rate-limits.ts';
import { consumeRateLimit } from '../src/storage/rate-limiter.ts';
import {
  beginSignIn,
  expectApiError,
  extractCode,
  opaqueLoginStart,
  readOutbox,
  send,
  signInAgain,
  signUpUser,
  startTestServer,
  testDatabaseKind,
  type TestServer,
  type TestUser,
  waitForEmail,
} from '@latchkey/server/testing';

const THIEF = '203.0.113.77';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ args: ['--trust-proxy', '127.0.0.1'] });
});
afterAll(() => server.close());

/** Notices count failures in epoch-aligned hourly windows: never start a count in a window's last 15 minutes. */
function awayFromHourEnd(): void {
  const hourMs = FAILURE_NOTICE.windowSeconds * 1000;
  const left = hourMs - (server.running.context.clock().getTime() % hourMs);
  if (left < 15 * 60_000) server.advanceClock(left + 1000);
}

const eventsOf = async (user: TestUser, type: string): Promise<SecurityEvent[]> => (await user.client.securityLog()).filter((e) => e.type === type);

/** Polls the security log: some events are written after the response (see sign-in-failures.ts). */
async function waitForEvents(user: TestUser, type: string, count: number): Promise<SecurityEvent[]> {
  for (let i = 0; i < 100; i++) {
    const events = await eventsOf(user, type);
    if (events.length >= count) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return eventsOf(user, type);
}

const mailsWith = async (to: string, subject: string) => (await readOutbox(server.dataDir)).filter((m) => m.to === to && m.subject.includes(subject));

/** What a thief with the Secret Key does for one password guess: start, see the envelope fail locally, send nothing more. */
async function guessPassword(user: TestUser, password: string): Promise<void> {
  const start = await opaqueLoginStart({ email: user.email, password, secretKey: user.secretKey });
  const reply = await send(server, {
    method: 'POST',
    path: '/api/auth/login/start',
    headers: { 'x-forwarded-for': THIEF },
    body: { email: user.email, ...start.body },
  });
  expect(reply.status, reply.text).toBe(200);
  expect(() => start.finish((reply.json as { loginResponse: string }).loginResponse)).toThrow();
}

describe(`silent guessing leaves a trace (${testDatabaseKind()})`, () => {
  it('unfinished password guesses with the Secret Key are logged when swept, and the owner is emailed once per window', async () => {
    awayFromHourEnd();
    const user = await signUpUser(server);
    const subject = 'Failed sign-ins with your Latchkey Secret Key';
    await guessPassword(user, 'wrong one');
    await guessPassword(user, 'wrong two');
    expect(await eventsOf(user, 'sign-in.abandoned')).toHaveLength(0);
    server.advanceClock(LOGIN_TTL_MS + 1000);
    // The next start for the account (here the owner's own sign-in) logs the two it finds expired.
    await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const first = await eventsOf(user, 'sign-in.abandoned');
    expect(first).toHaveLength(2);
    expect(first.every((e) => e.ip === THIEF && e.detail.purpose === 'sign-in')).toBe(true);
    expect(await mailsWith(user.email, subject)).toHaveLength(0);

    // The third reaches the threshold; here housekeeping's sweep finds it.
    const sentAfter = Date.now() - 1000;
    await guessPassword(user, 'wrong three');
    server.advanceClock(LOGIN_TTL_MS + 1000);
    expect(await sweepAbandonedSignIns(server.running.context, { now: server.running.context.clock() })).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(user, 'sign-in.abandoned')).toHaveLength(FAILURE_NOTICE.passwordFailuresAt);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: subject, after: sentAfter });
    expect(mail.text).toContain(THIEF);
    expect(mail.text).toContain('change your password and your Secret Key');

    // More guesses in the same window are logged, not emailed again; a sweep takes each only once.
    await guessPassword(user, 'wrong four');
    await guessPassword(user, 'wrong five');
    server.advanceClock(LOGIN_TTL_MS + 1000);
    const now = server.running.context.clock();
    const sweeps = await Promise.all([sweepAbandonedSignIns(server.running.context, { now }), sweepAbandonedSignIns(server.running.context, { now })]);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await eventsOf(user, 'sign-in.abandoned')).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mailsWith(user.email, subject)).toHaveLength(1);
  });

  it('a finish whose proof does not verify is logged as sign-in.failed', async () => {
    const user = await signUpUser(server);
    const start = await opaqueLoginStart({ email: user.email, password: 'not it', secretKey: user.secretKey });
    const started = await send(server, {
      method: 'POST',
      path: '/api/auth/login/start',
      headers: { 'x-forwarded-for': THIEF },
      body: { email: user.email, ...start.body },
    });
    const { loginId } = started.json as { loginId: string };
    // A well-formed finish message, but from another exchange: it cannot verify against this one.
    const other = await beginSignIn(server, user);
    const forged = { loginId, finishLoginRequest: other.finishLoginRequest, device: { id: 'device-forged-finish', name: 'thief', platform: 'test' } };
    expectApiError(
      await send(server, { method: 'POST', path: '/api/auth/login/finish', headers: { 'x-forwarded-for': THIEF }, body: forged }),
      'invalid_credentials',
    );
    const failed = await eventsOf(user, 'sign-in.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.ip).toBe(THIEF);
  });

  it('wrong Secret Keys for an account are logged, and the owner is emailed once when they pile up', async () => {
    awayFromHourEnd();
    const user = await signUpUser(server);
    const subject = 'Repeated failed sign-ins to your Latchkey account';
    const sentAfter = Date.now() - 1000;
    await opaqueReady;
    const junk = () =>
      send(server, {
        method: 'POST',
        path: '/api/auth/login/start',
        headers: { 'x-forwarded-for': THIEF },
        body: { email: user.email, secretKeyVerifier: 'ef'.repeat(32), startLoginRequest: opaqueClient.startLogin('g').startLoginRequest },
      });
    for (let i = 0; i < FAILURE_NOTICE.wrongSecretKeyAt + 2; i++) expectApiError(await junk(), 'wrong_secret_key');
    const events = await waitForEvents(user, 'sign-in.wrong-secret-key', FAILURE_NOTICE.wrongSecretKeyAt + 2);
    expect(events).toHaveLength(FAILURE_NOTICE.wrongSecretKeyAt + 2);
    expect(events.every((e) => e.ip === THIEF)).toBe(true);
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: subject, after: sentAfter });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await mailsWith(user.email, subject)).toHaveLength(1);
  });

  it('the wrong-Secret-Key notice is not lost when the failure that reached the threshold was never logged (a crash between its count and its log)', async () => {
    awayFromHourEnd();
    const user = await signUpUser(server);
    const subject = 'Repeated failed sign-ins to your Latchkey account';
    await opaqueReady;
    // The count is taken before the response and the log after it: ten failures counted, none logged.
    const rule = ruleFor('secretKeyFailuresPerEmail', emailBucket(user.email));
    for (let i = 0; i < FAILURE_NOTICE.wrongSecretKeyAt; i++) await consumeRateLimit(server.running.context.db, rule, server.running.context.clock());
    const junk = () =>
      send(server, {
        method: 'POST',
        path: '/api/auth/login/start',
        headers: { 'x-forwarded-for': THIEF },
        body: { email: user.email, secretKeyVerifier: 'ef'.repeat(32), startLoginRequest: opaqueClient.startLogin('g').startLoginRequest },
      });
    expectApiError(await junk(), 'wrong_secret_key');
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: subject });
    expect(mail.text).toContain(`${FAILURE_NOTICE.wrongSecretKeyAt + 1} times within an hour`);
    expectApiError(await junk(), 'wrong_secret_key');
    await waitForEvents(user, 'sign-in.wrong-secret-key', 2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await mailsWith(user.email, subject)).toHaveLength(1);
  });

  it('a recovery proof that hands out the keyset is logged and notified, even if nothing follows', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    await user.client.recoveryCode.confirm(recoveryCode);
    const sentAfter = Date.now() - 1000;
    const started = await send(server, { method: 'POST', path: '/api/recovery/start', headers: { 'x-forwarded-for': THIEF }, body: { email: user.email } });
    const { verificationId } = started.json as { verificationId: string };
    const codeMail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: sentAfter });
    const verified = await send(server, { method: 'POST', path: '/api/recovery/verify', body: { verificationId, code: extractCode(codeMail.text) } });
    const { ticket } = verified.json as { ticket: string };
    const proof = proveRecoveryCode(deriveRecoveryKeys(parseRecoveryCode(recoveryCode)), 'recover', ticket);
    const proved = await send(server, { method: 'POST', path: '/api/recovery/prove', headers: { 'x-forwarded-for': THIEF }, body: { ticket, proof } });
    expect(proved.status, proved.text).toBe(200);
    expect((proved.json as { keyset?: unknown }).keyset).toBeDefined();
    // The thief stops here, holding the keyset. The owner knows anyway.
    const events = await eventsOf(user, 'recovery-code.proved');
    expect(events).toHaveLength(1);
    expect(events[0]!.ip).toBe(THIEF);
    const notice = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'recovery code was used', after: sentAfter });
    expect(notice.text).toContain(THIEF);
  });
});

describe(`challenges are bounded (${testDatabaseKind()})`, () => {
  it(`keeps at most ${MAX_LIVE_CHALLENGES_PER_USER} live per account and refuses after ${RATE_LIMITS.challengesPerUser.limit} per window`, async () => {
    const user = await signUpUser(server);
    const windowMs = RATE_LIMITS.challengesPerUser.windowSeconds * 1000;
    const left = windowMs - (server.running.context.clock().getTime() % windowMs);
    if (left < 60_000) server.advanceClock(left + 1000);
    const { token } = await signInAgain(server, user);
    const issued: string[] = [];
    let refused = 0;
    for (let i = 0; i < RATE_LIMITS.challengesPerUser.limit + 3; i++) {
      const reply = await send(server, { method: 'POST', path: '/api/recovery-code/challenge', token, body: { purpose: 'check' } });
      if (reply.status === 200) issued.push((reply.json as { challengeId: string }).challengeId);
      else if (expectApiError(reply, 'rate_limited')) refused++;
    }
    expect(issued).toHaveLength(RATE_LIMITS.challengesPerUser.limit);
    expect(refused).toBe(3);
    const db = server.running.context.db;
    const { id: userId } = await db.selectFrom('users').select('id').where('email', '=', user.email).executeTakeFirstOrThrow();
    const live = await db.selectFrom('challenges').select('id').where('user_id', '=', userId).execute();
    // Every valid request counted against its source too (the same four routes share the bucket).
    const bySource = await db.selectFrom('rate_limits').select(['count']).where('bucket', 'like', 'challengesPerSource:127.0.0.1').execute();
    expect(bySource.reduce((sum, r) => sum + r.count, 0)).toBeGreaterThanOrEqual(RATE_LIMITS.challengesPerUser.limit + 3);
    // The newest stay; the oldest were pushed out and can no longer be used.
    expect(live.map((r) => r.id).sort()).toEqual(issued.slice(-MAX_LIVE_CHALLENGES_PER_USER).sort());
  });
});
