/**
 * Behind a reverse proxy (`--trust-proxy`): a trusted proxy's `X-Forwarded-For` names the client
 * for per-source rate limits, the security log and the request log. Without the setting (the
 * default) the header is ignored, so nobody can pick their own address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent, SessionInfo } from '@latchkey/core/wire/auth';
import type { SignupFinishResponse } from '@latchkey/core/wire/signup';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { expectApiError, prepareSignup, send, startTestServer, testDatabaseKind, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';

const CLIENT = '203.0.113.9';
const OTHER_CLIENT = '203.0.113.10';

/** Signs up through raw requests, sending `/api/signup/finish` with `headers`; returns the account's security log. */
async function signUpWithHeaders(server: TestServer, headers: Record<string, string>): Promise<SecurityEvent[]> {
  return (await signUpAndList(server, headers)).events;
}

/** The same, with the session list (each session's address as the server saw it at sign-in). */
async function signUpAndList(server: TestServer, headers: Record<string, string>): Promise<{ events: SecurityEvent[]; sessions: SessionInfo[] }> {
  const { body } = await prepareSignup(server, uniqueEmail('proxied'));
  const finished = await send(server, { method: 'POST', path: '/api/signup/finish', body, headers });
  expect(finished.status, finished.text).toBe(201);
  const token = (finished.json as SignupFinishResponse).session.token;
  const log = await send(server, { method: 'GET', path: '/api/account/security-log', token });
  const list = await send(server, { method: 'GET', path: '/api/sessions', token, headers: { 'x-forwarded-for': OTHER_CLIENT } });
  return { events: (log.json as { events: SecurityEvent[] }).events, sessions: (list.json as { sessions: SessionInfo[] }).sessions };
}

async function sourceBuckets(server: TestServer, rule: string): Promise<string[]> {
  const rows = await server.running.context.db.selectFrom('rate_limits').select('bucket').where('bucket', 'like', `${rule}:%`).execute();
  return rows.map((r) => r.bucket.slice(rule.length + 1));
}

describe(`--trust-proxy 127.0.0.1 (${testDatabaseKind()})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ args: ['--trust-proxy', '127.0.0.1'] });
  });
  afterAll(() => server.close());

  it('records the forwarded client address in the security log and the request log', async () => {
    const events = await signUpWithHeaders(server, { 'x-forwarded-for': CLIENT });
    expect(events.find((e) => e.type === 'account.created')?.ip).toBe(CLIENT);
    const requestLogs = server.logs.map((line) => JSON.parse(line) as { req?: { url?: string; remoteAddress?: string } });
    expect(requestLogs.some((l) => l.req?.url === '/api/signup/finish' && l.req.remoteAddress === CLIENT)).toBe(true);
  });

  it('lists each session with the forwarded address it signed in from', async () => {
    const { sessions } = await signUpAndList(server, { 'x-forwarded-for': CLIENT });
    // The address is the sign-in's, not the one of the request that lists (OTHER_CLIENT).
    expect(sessions.map((s) => s.ip)).toEqual([CLIENT]);
  });

  it('rate limits per forwarded client address, not per proxy', async () => {
    const { limit, windowSeconds } = RATE_LIMITS.signupPerSource;
    // Windows are fixed and epoch-aligned: never start this test in a window's last 30 seconds.
    const leftInWindow = windowSeconds * 1000 - (server.running.context.clock().getTime() % (windowSeconds * 1000));
    if (leftInWindow < 30_000) server.advanceClock(leftInWindow);
    const accepted: string[] = [];
    const start = async (ip: string) => {
      const email = uniqueEmail('limit');
      const reply = await send(server, { method: 'POST', path: '/api/signup/start', body: { email }, headers: { 'x-forwarded-for': ip } });
      if (reply.status === 202) accepted.push(email);
      return reply;
    };
    const sentAfter = Date.now() - 1000;
    for (let i = 0; i < limit; i++) expect((await start(CLIENT)).status).toBe(202);
    expectApiError(await start(CLIENT), 'rate_limited');
    // Another client behind the same proxy is not affected.
    expect((await start(OTHER_CLIENT)).status).toBe(202);
    expect(await sourceBuckets(server, 'signupPerSource')).toEqual(expect.arrayContaining([CLIENT, OTHER_CLIENT]));
    // Mail goes out in the background: let it land before the data directory is removed.
    await Promise.all(accepted.map((to) => waitForEmail(server.dataDir, { to, subjectIncludes: 'code', after: sentAfter })));
  });
});

describe(`without --trust-proxy (${testDatabaseKind()})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('ignores X-Forwarded-For: the TCP peer is the client for logs, sessions and rate limits', async () => {
    const { events, sessions } = await signUpAndList(server, { 'x-forwarded-for': CLIENT });
    expect(events.find((e) => e.type === 'account.created')?.ip).toBe('127.0.0.1');
    expect(sessions.map((s) => s.ip)).toEqual(['127.0.0.1']);
    const email = uniqueEmail('spoof');
    const sentAfter = Date.now() - 1000;
    await send(server, { method: 'POST', path: '/api/signup/start', body: { email }, headers: { 'x-forwarded-for': OTHER_CLIENT } });
    await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'code', after: sentAfter });
    expect(await sourceBuckets(server, 'signupPerSource')).toEqual(['127.0.0.1']);
    const requestLogs = server.logs.map((line) => JSON.parse(line) as { req?: { remoteAddress?: string } });
    expect(requestLogs.some((l) => l.req?.remoteAddress === CLIENT)).toBe(false);
  });
});
