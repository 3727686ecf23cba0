/**
 * Emailed one-time codes under attack (SPEC §5.4): the attempt limit is strict under concurrent
 * guesses, because each guess is one conditional UPDATE that counts it and checks it at once,
 * and the two verify routes are rate limited per source address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { EMAIL_CODE_MAX_ATTEMPTS } from '../src/services/email-verification.ts';
import { expectApiError, extractCode, send, startTestServer, testDatabaseKind, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';

const randomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

async function emailedCode(server: TestServer, purpose: 'signup' | 'recovery', email: string): Promise<{ verificationId: string; code: string }> {
  const sentAfter = Date.now() - 1000;
  const started = await send(server, { method: 'POST', path: `/api/${purpose}/start`, body: { email } });
  expect(started.status, started.text).toBe(202);
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'code', after: sentAfter });
  return { verificationId: (started.json as { verificationId: string }).verificationId, code: extractCode(mail.text) };
}

const wrongCodes = (right: string, count: number): string[] =>
  Array.from({ length: count + 1 }, (_, i) => String(10_000_000 + i))
    .filter((c) => c !== right)
    .slice(0, count);

describe(`email code attempt limit under concurrency (${testDatabaseKind()})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('60 concurrent wrong guesses: exactly 5 are evaluated, the rest get too_many_attempts, and the right code is then refused', async () => {
    const { verificationId, code } = await emailedCode(server, 'signup', uniqueEmail('guesses'));
    const replies = await Promise.all(
      wrongCodes(code, 60).map((guess) => send(server, { method: 'POST', path: '/api/signup/verify', body: { verificationId, code: guess } })),
    );
    const codes = replies.map((r) => expectApiError(r, ['invalid_code', 'too_many_attempts']));
    expect(codes.filter((c) => c === 'invalid_code')).toHaveLength(EMAIL_CODE_MAX_ATTEMPTS);
    expect(codes.filter((c) => c === 'too_many_attempts')).toHaveLength(60 - EMAIL_CODE_MAX_ATTEMPTS);

    const right = await send(server, { method: 'POST', path: '/api/signup/verify', body: { verificationId, code } });
    expectApiError(right, 'too_many_attempts');
  });

  it('a right code among concurrent wrong ones wins at most once, and only within the first 5 guesses', async () => {
    const { verificationId, code } = await emailedCode(server, 'signup', uniqueEmail('mixed'));
    const guesses = [...wrongCodes(code, 10), code, code];
    const replies = await Promise.all(
      guesses.map((guess) => send(server, { method: 'POST', path: '/api/signup/verify', body: { verificationId, code: guess } })),
    );
    const winners = replies.filter((r) => r.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    const losers = replies.filter((r) => r.status !== 200).map((r) => expectApiError(r, ['invalid_code', 'code_used', 'too_many_attempts']));
    // Every guess evaluated before the limit is either the winner or an invalid_code.
    expect(winners.length + losers.filter((c) => c === 'invalid_code').length).toBeLessThanOrEqual(EMAIL_CODE_MAX_ATTEMPTS);
  });

  it('the recovery code check has the same limit', async () => {
    // An unknown address gets a code nobody knows: every guess is wrong.
    const { verificationId } = (await send(server, { method: 'POST', path: '/api/recovery/start', body: { email: uniqueEmail('no-account') } })).json as {
      verificationId: string;
    };
    const replies = await Promise.all(
      wrongCodes('', 20).map((guess) => send(server, { method: 'POST', path: '/api/recovery/verify', body: { verificationId, code: guess } })),
    );
    const codes = replies.map((r) => expectApiError(r, ['invalid_code', 'too_many_attempts']));
    expect(codes.filter((c) => c === 'invalid_code')).toHaveLength(EMAIL_CODE_MAX_ATTEMPTS);
  });
});

describe(`per-source rate limits on the verify routes (${testDatabaseKind()})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  for (const [path, rule] of [
    ['/api/signup/verify', 'signupVerifyPerSource'],
    ['/api/recovery/verify', 'recoveryVerifyPerSource'],
  ] as const) {
    it(`${path}: ${RATE_LIMITS[rule].limit} attempts per source per window, then 429 rate_limited`, async () => {
      const { limit, windowSeconds } = RATE_LIMITS[rule];
      // Windows are fixed and epoch-aligned: never start this test in a window's last 30 seconds.
      const leftInWindow = windowSeconds * 1000 - (server.running.context.clock().getTime() % (windowSeconds * 1000));
      if (leftInWindow < 30_000) server.advanceClock(leftInWindow);
      const replies = await Promise.all(
        Array.from({ length: limit }, () => send(server, { method: 'POST', path, body: { verificationId: randomId(), code: '12345678' } })),
      );
      for (const reply of replies) expectApiError(reply, 'invalid_code');
      const refused = await send(server, { method: 'POST', path, body: { verificationId: randomId(), code: '12345678' } });
      expectApiError(refused, 'rate_limited');
      expect((refused.json as { error: { details: { retryAfterSeconds: number } } }).error.details.retryAfterSeconds).toBeGreaterThan(0);
    });
  }
});
