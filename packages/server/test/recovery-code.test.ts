/**
 * Recovery codes end to end through the SDK (SPEC §2.2): setup is pending until confirmed, the
 * old code works until then, recovery resets password and Secret Key and signs out everything,
 * the code is reusable, replaced/deleted codes fail, wrong codes are limited, counted, locked
 * at 100 and notified, and shares rebuild the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveRecoveryKeys, generateRecoveryCode, parseRecoveryCode, proveRecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode } from '@latchkey/core/recovery-shares';
import {
  expectApiError,
  extractCode,
  send,
  signUpUser,
  startTestServer,
  type TestServer,
  type TestUser,
  uniqueEmail,
  waitForEmail,
} from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function withActiveCode(user: TestUser): Promise<string> {
  const { recoveryCode, status } = await user.client.recoveryCode.create();
  expect(status.status).toBe('pending');
  await user.client.recoveryCode.confirm(recoveryCode);
  return recoveryCode;
}

/** Runs the whole recovery from a fresh device, reading the emailed code; returns the new Secret Key. */
async function recover(user: TestUser, secret: { recoveryCode?: string; shares?: string[] }, newPassword: string) {
  const client = server.client();
  const before = Date.now();
  await client.recovery.start(user.email);
  const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
  return client.recovery.complete({ email: user.email, emailCode: extractCode(mail.text), newPassword, ...secret });
}

describe('setting up a recovery code', () => {
  it('is pending until confirmed, then active; status and reminders follow', async () => {
    const user = await signUpUser(server);
    expect(await user.client.recoveryCode.status()).toMatchObject({ status: 'none', reminder: 'set-up' });
    const { recoveryCode } = await user.client.recoveryCode.create();
    expect(recoveryCode).toMatch(/^R1(-[2-9A-HJ-NP-Z]{5}){7}$/);
    expect(await user.client.recoveryCode.status()).toMatchObject({ status: 'pending', pendingReplacement: true });
    expect(await errorCodeOf(user.client.recoveryCode.confirm(generateRecoveryCode()))).toBe('invalid_recovery_code');
    const before = Date.now();
    expect(await user.client.recoveryCode.confirm(recoveryCode)).toMatchObject({ status: 'active', pendingReplacement: false, reminder: 'none' });
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'recovery code was set up', after: before - 1000 });
    expect(await user.client.recoveryCode.check(recoveryCode)).toBe(true);
    expect(await user.client.recoveryCode.check(generateRecoveryCode())).toBe(false);
    const yearAgo = new Date(Date.now() - 366 * 24 * 3600_000);
    await server.running.context.db.updateTable('recovery_codes').set({ last_checked_at: yearAgo, confirmed_at: yearAgo }).execute();
    expect((await user.client.recoveryCode.status()).reminder).toBe('check');
  });

  it('needs a recent re-authentication to create or delete', async () => {
    const user = await signUpUser(server);
    server.advanceClock(6 * 60_000);
    try {
      expect(await errorCodeOf(user.client.recoveryCode.create())).toBe('reauthentication_required');
      expect(await errorCodeOf(user.client.recoveryCode.delete())).toBe('reauthentication_required');
    } finally {
      server.advanceClock(-6 * 60_000);
    }
  });

  it('keeps the previous code working until the replacement is confirmed; then only the new one works', async () => {
    const user = await signUpUser(server);
    const first = await withActiveCode(user);
    const { recoveryCode: second } = await user.client.recoveryCode.create();
    // Abandoned setup: the first code still checks, the pending one does not count yet.
    expect(await user.client.recoveryCode.check(first)).toBe(true);
    expect(await user.client.recoveryCode.check(second)).toBe(false);
    expect(await errorCodeOf(recover(user, { recoveryCode: second }, 'pending code password'))).toBe('invalid_recovery_code');
    await user.client.recoveryCode.confirm(second);
    expect(await user.client.recoveryCode.check(first)).toBe(false);
    expect(await errorCodeOf(recover(user, { recoveryCode: first }, 'replaced code password'))).toBe('invalid_recovery_code');
  });

  it('a deleted code fails', async () => {
    const user = await signUpUser(server);
    const code = await withActiveCode(user);
    expect(await user.client.recoveryCode.delete()).toMatchObject({ status: 'none' });
    const client = server.client();
    const before = Date.now();
    await client.recovery.start(user.email);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'no recovery code', after: before - 1000 });
    expect(mail.text).not.toMatch(/^\d{8}$/m);
    expect(code).toBeTruthy();
  });
});

describe('recovery code challenges', () => {
  /** A challenge of `user`'s for `purpose`, answered with `code` by hand, as the SDK would. */
  async function answered(user: TestUser, purpose: 'confirm' | 'check', code: string) {
    const token = (await user.store.read()).session!.token;
    const { challengeId, challenge } = (await send(server, { method: 'POST', path: '/api/recovery-code/challenge', token, body: { purpose } })).json as {
      challengeId: string;
      challenge: string;
    };
    return { token, body: { challengeId, proof: proveRecoveryCode(deriveRecoveryKeys(parseRecoveryCode(code)), purpose, challenge) } };
  }

  it('are answered at most once, by their own purpose and account, within 5 minutes: challenge_expired otherwise', async () => {
    const user = await signUpUser(server);
    const other = await signUpUser(server);
    const code = await withActiveCode(user);
    const check = (token: string, body: unknown) => send(server, { method: 'POST', path: '/api/recovery-code/check', token, body });

    const once = await answered(user, 'check', code);
    expect((await check(once.token, once.body)).json).toEqual({ valid: true });
    expectApiError(await check(once.token, once.body), 'challenge_expired');

    const forConfirming = await answered(user, 'confirm', code);
    expectApiError(await check(forConfirming.token, forConfirming.body), 'challenge_expired');

    const ofUser = await answered(user, 'check', code);
    expectApiError(await check((await other.store.read()).session!.token, ofUser.body), 'challenge_expired');

    const late = await answered(user, 'check', code);
    server.advanceClock(5 * 60_000 + 1000);
    try {
      expectApiError(await check(late.token, late.body), 'challenge_expired');
    } finally {
      server.advanceClock(-(5 * 60_000 + 1000));
    }
    // Refused answers used up nothing of the user's: a fresh one still works.
    const fresh = await answered(user, 'check', code);
    expect((await check(fresh.token, fresh.body)).json).toEqual({ valid: true });
  });
});

describe('recovering an account', () => {
  it('resets password and Secret Key, signs out every session, keeps every item, and the code stays reusable', async () => {
    const user = await signUpUser(server);
    const vaultId = (await user.client.vaults.list())[0]!.id;
    for (const title of ['One', 'Two', 'Three']) await user.client.items.create(vaultId, { kind: 'login', title, password: `${title}-pw` });
    const code = await withActiveCode(user);
    const phone = server.client();
    await phone.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });

    const before = Date.now();
    const first = await recover(user, { recoveryCode: code }, 'first recovered password');
    expect(first.secretKey).not.toBe(user.secretKey);
    expect(first.signedOutSessions).toBe(2);
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'was recovered', after: before - 1000 });
    expect(await errorCodeOf(user.client.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(phone.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey }))).toBe('wrong_secret_key');

    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: 'first recovered password', secretKey: first.secretKey });
    expect((await fresh.items.list()).map((i) => i.password).sort()).toEqual(['One-pw', 'Three-pw', 'Two-pw']);
    expect((await fresh.securityLog()).map((e) => e.type)).toContain('account.recovered');
    expect((await fresh.recoveryCode.status()).status).toBe('active');

    // Reusable: the same code recovers again; the first recovery's credentials stop working.
    const second = await recover(user, { recoveryCode: code }, 'second recovered password');
    expect(await errorCodeOf(fresh.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: 'first recovered password', secretKey: first.secretKey }))).toBe(
      'wrong_secret_key',
    );
    const again = server.client();
    await again.signIn({ email: user.email, password: 'second recovered password', secretKey: second.secretKey });
    expect((await again.items.list()).length).toBe(3);
  });

  it('rebuilds the code from share cards; a wrong or tampered share is reported', async () => {
    const user = await signUpUser(server);
    const code = await withActiveCode(user);
    const shares = (await splitRecoveryCode(code as never, { total: 5, threshold: 3 })).map((s) => s.text);
    const result = await recover(user, { shares: [shares[0]!, shares[2]!, shares[4]!] }, 'password from shares');
    const signedIn = server.client();
    await signedIn.signIn({ email: user.email, password: 'password from shares', secretKey: result.secretKey });

    const other = (await splitRecoveryCode(generateRecoveryCode(), { total: 5, threshold: 3 })).map((s) => s.text);
    expect(
      await errorCodeOf(
        server.client().recovery.complete({
          email: user.email,
          emailCode: '12345678',
          newPassword: 'shares refused first 8Qd heron',
          shares: [shares[0]!, shares[1]!, other[2]!],
        }),
      ),
    ).toBe('share_mismatch');
    expect(
      await errorCodeOf(
        server
          .client()
          .recovery.complete({ email: user.email, emailCode: '12345678', newPassword: 'shares refused first 8Qd heron', shares: [shares[0]!, shares[1]!] }),
      ),
    ).toBe('not_enough_shares');
    const typo = shares[1]!.slice(0, 10) + (shares[1]![10] === 'A' ? 'B' : 'A') + shares[1]!.slice(11);
    expect(
      await errorCodeOf(
        server.client().recovery.complete({
          email: user.email,
          emailCode: '12345678',
          newPassword: 'shares refused first 8Qd heron',
          shares: [shares[0]!, typo, shares[3]!],
        }),
      ),
    ).toBe('share_invalid');
  });

  it('treats an unknown email like a known one', async () => {
    const res = (email: string) =>
      fetch(`${server.url}/api/recovery/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const user = await signUpUser(server);
    const [a, b] = await Promise.all([res(user.email), res(uniqueEmail('nobody'))]);
    expect(a.status).toBe(b.status);
    expect(Object.keys(await a.json())).toEqual(Object.keys(await b.json()));
  });
});

describe('wrong recovery codes', () => {
  it('are refused, counted, logged and notified; 100 in a row lock recovery until the owner checks the code', async () => {
    const user = await signUpUser(server);
    const code = await withActiveCode(user);
    const before = Date.now();
    expect(await errorCodeOf(recover(user, { recoveryCode: generateRecoveryCode() }, 'attacker password'))).toBe('invalid_recovery_code');
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'wrong recovery code', after: before - 1000 });
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(1);
    expect((await user.client.securityLog()).map((e) => e.type)).toContain('recovery-code.failed');

    // Bring the counter to the edge (each attempt needs a fresh emailed code; 97 of them would
    // hit the email rate limit long before), then fail once more for real.
    const db = server.running.context.db;
    await db.updateTable('users').set({ recovery_failures: 99 }).where('email', '=', user.email).execute();
    expect(await errorCodeOf(recover(user, { recoveryCode: generateRecoveryCode() }, 'attacker password'))).toBe('recovery_locked');
    expect(await user.client.recoveryCode.status()).toMatchObject({ locked: true, failedAttempts: 100 });
    // Locked even for the right code.
    expect(await errorCodeOf(recover(user, { recoveryCode: code }, 'owner password'))).toBe('recovery_locked');
    // The owner acts: a successful check unlocks.
    expect(await user.client.recoveryCode.check(code)).toBe(true);
    expect(await user.client.recoveryCode.status()).toMatchObject({ locked: false, failedAttempts: 0 });
    await recover(user, { recoveryCode: code }, 'owner password');
  });

  it('are rate limited per account', async () => {
    const user = await signUpUser(server);
    await withActiveCode(user);
    const post = async (path: string, body: unknown) =>
      (await (
        await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      ).json()) as Record<string, unknown>;
    const before = Date.now();
    const { verificationId } = await post('/api/recovery/start', { email: user.email });
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
    const { ticket } = await post('/api/recovery/verify', { verificationId, code: extractCode(mail.text) });
    const codes: string[] = [];
    for (let i = 0; i < 22; i++) {
      const reply = await post('/api/recovery/prove', { ticket, proof: 'A'.repeat(86) });
      codes.push((reply.error as { code: string }).code);
    }
    expect(codes.slice(0, 20).every((c) => c === 'invalid_recovery_code')).toBe(true);
    expect(codes.slice(20)).toEqual(['rate_limited', 'rate_limited']);
  });
});
