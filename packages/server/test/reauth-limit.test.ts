/**
 * The re-authentication limit leaves room for scripts: every CLI vault or item command unlocks
 * (one re-authentication), so dozens in a few minutes are normal. It still ends guessing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../src/services/rate-limits.ts';
import { expectApiError, opaqueLoginStart, send, signUpUser, startTestServer, testDatabaseKind, type TestServer } from '@latchkey/server/testing';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe(`re-authentication rate limit (${testDatabaseKind()})`, () => {
  it('allows a script-sized burst of unlocks (25 in a row through the SDK)', async () => {
    const user = await signUpUser(server);
    for (let i = 0; i < 25; i++) await user.client.unlock(user.password);
    expect(user.client.isUnlocked).toBe(true);
  });

  it(`refuses the re-authentication after ${RATE_LIMITS.reauthPerUser.limit} in one window with 429 rate_limited`, async () => {
    const user = await signUpUser(server);
    const token = (await user.store.read()).session!.token;
    const { limit, windowSeconds } = RATE_LIMITS.reauthPerUser;
    expect(limit).toBeGreaterThanOrEqual(100);
    // Windows are fixed and epoch-aligned: never start this test in a window's last 30 seconds.
    const leftInWindow = windowSeconds * 1000 - (server.running.context.clock().getTime() % (windowSeconds * 1000));
    if (leftInWindow < 30_000) server.advanceClock(leftInWindow);
    const { body } = await opaqueLoginStart(user);
    for (let i = 0; i < limit; i++) expect((await send(server, { method: 'POST', path: '/api/auth/reauth/start', token, body })).status).toBe(200);
    expectApiError(await send(server, { method: 'POST', path: '/api/auth/reauth/start', token, body }), 'rate_limited');
  });
});
