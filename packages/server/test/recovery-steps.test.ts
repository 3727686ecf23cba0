/**
 * Recovery step by step through the SDK (docs/protocol.md §14.5): `verifyEmail` checks the
 * emailed code at its own step, `prove` takes the ticket and the recovery code (or share
 * cards), and only the grant it returns sets a new password. A wrong recovery code leaves the
 * ticket live, so the same emailed code covers the retry; tickets expire, attempts with one
 * ticket are bounded, and a grant whose final answer was lost leaves the new Secret Key pending
 * on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode } from '@latchkey/core/recovery-shares';
import { LatchkeyClient } from '@latchkey/client/client';
import { accountKey, MemoryStore } from '@latchkey/client/local-store';
import type { Fetch } from '@latchkey/client/http';
import { extractCode, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const MINUTE = 60_000;

async function userWithCode(): Promise<{ user: TestUser; code: string }> {
  const user = await signUpUser(server);
  const { recoveryCode } = await user.client.recoveryCode.create();
  await user.client.recoveryCode.confirm(recoveryCode);
  return { user, code: recoveryCode };
}

/** `start` from `client`, then the emailed code as the person reads it. */
async function emailCodeFor(client: LatchkeyClient, email: string): Promise<string> {
  const before = Date.now();
  await client.recovery.start(email);
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
  return extractCode(mail.text);
}

/** The code with its check character changed: a typo the device catches. */
const withTypo = (code: string) => code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');

describe('verifyEmail', () => {
  it('refuses a wrong emailed code at its own step, before any recovery code is asked; the right one then gives a ticket once', async () => {
    const { user } = await userWithCode();
    const device = server.client();
    const emailCode = await emailCodeFor(device, user.email);
    const wrong = emailCode === '00000000' ? '11111111' : '00000000';
    expect(await errorCodeOf(device.recovery.verifyEmail({ email: user.email, emailCode: wrong }))).toBe('invalid_code');
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode });
    expect(ticket.email).toBe(user.email);
    expect(await errorCodeOf(device.recovery.verifyEmail({ email: user.email, emailCode }))).toBe('code_used');
    // Nothing about the recovery code was counted: no proof was made.
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(0);
  });

  it('gives each emailed code 5 guesses', async () => {
    const { user } = await userWithCode();
    const device = server.client();
    const emailCode = await emailCodeFor(device, user.email);
    const wrong = emailCode === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i++) expect(await errorCodeOf(device.recovery.verifyEmail({ email: user.email, emailCode: wrong }))).toBe('invalid_code');
    expect(await errorCodeOf(device.recovery.verifyEmail({ email: user.email, emailCode }))).toBe('too_many_attempts');
  });

  it('needs a started recovery on this device, or its verification id', async () => {
    expect(await errorCodeOf(server.client().recovery.verifyEmail({ email: 'nobody@example.com', emailCode: '12345678' }))).toBe('invalid_request');
  });
});

describe('prove', () => {
  it('refuses a wrong recovery code and keeps the ticket live: the right code then proves with the same emailed code, and nothing changed before the new password', async () => {
    const { user, code } = await userWithCode();
    const device = server.client();
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });

    // A typo is caught on the device: no request, nothing counted.
    expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: withTypo(code) }))).toBe('recovery_code_typo');
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(0);
    // A well-formed code that is not this account's: refused by the server, counted.
    expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: generateRecoveryCode() }))).toBe('invalid_recovery_code');
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(1);

    const grant = await device.recovery.prove(ticket, { recoveryCode: code });
    expect(grant.email).toBe(user.email);
    expect(user.secretKey.startsWith(`L1-${grant.accountId}-`)).toBe(true);
    expect(grant.expiresAt.getTime()).toBeGreaterThan(Date.now() + 25 * MINUTE);
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(0);
    // The successful proof consumed the ticket.
    expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: code }))).toBe('code_expired');
    // Proven, not yet recovered: the old credentials and sessions still work.
    expect((await user.client.whoami()).email).toBe(user.email);

    // A password refused on the device costs nothing: the grant stays usable.
    expect(await errorCodeOf(grant.setCredentials('short'))).toBe('password_too_short');
    expect(grant.spent).toBe(false);
    const { secretKey, signedOutSessions } = await grant.setCredentials('recovered after one wrong code');
    expect(signedOutSessions).toBe(1);
    expect(grant.spent).toBe(true);
    expect(await errorCodeOf(grant.setCredentials('recovered after one wrong code'))).toBe('code_expired');
    expect(await errorCodeOf(user.client.whoami())).toBe('unauthenticated');
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: 'recovered after one wrong code', secretKey });
    expect((await fresh.recoveryCode.status()).status).toBe('active');
  });

  it('takes share cards instead of the code; a wrong set is refused on the device and the ticket still works', async () => {
    const { user, code } = await userWithCode();
    const shares = (await splitRecoveryCode(code as never, { total: 3, threshold: 2 })).map((s) => s.text);
    const strangers = (await splitRecoveryCode(generateRecoveryCode(), { total: 3, threshold: 2 })).map((s) => s.text);
    const device = server.client();
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    expect(await errorCodeOf(device.recovery.prove(ticket, { shares: [shares[0]!] }))).toBe('not_enough_shares');
    expect(await errorCodeOf(device.recovery.prove(ticket, { shares: [shares[0]!, strangers[1]!] }))).toBe('share_mismatch');
    // Another account's complete set rebuilds a real code that is not this account's.
    expect(await errorCodeOf(device.recovery.prove(ticket, { shares: [strangers[0]!, strangers[2]!] }))).toBe('invalid_recovery_code');
    const grant = await device.recovery.prove(ticket, { shares: [shares[2]!, shares[0]!] });
    const { secretKey } = await grant.setCredentials('recovered from two cards');
    await server.client().signIn({ email: user.email, password: 'recovered from two cards', secretKey });
  });

  it('bounds the attempts with one ticket: 20 proofs an hour per account, then rate_limited even for the right code', async () => {
    const { user, code } = await userWithCode();
    const device = server.client();
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    for (let i = 0; i < 20; i++)
      expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: generateRecoveryCode() }))).toBe('invalid_recovery_code');
    expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: code }))).toBe('rate_limited');
    expect((await user.client.recoveryCode.status()).failedAttempts).toBe(20);
  });

  it('refuses a ticket older than 30 minutes, and a grant older than 30 minutes, leaving the credentials as they were', async () => {
    const { user, code } = await userWithCode();
    const device = server.client();
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    server.advanceClock(31 * MINUTE);
    try {
      expect(await errorCodeOf(device.recovery.prove(ticket, { recoveryCode: code }))).toBe('code_expired');
    } finally {
      server.advanceClock(-31 * MINUTE);
    }

    const again = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    const grant = await device.recovery.prove(again, { recoveryCode: code });
    server.advanceClock(31 * MINUTE);
    try {
      expect(await errorCodeOf(grant.setCredentials('too late for this grant'))).toBe('code_expired');
    } finally {
      server.advanceClock(-31 * MINUTE);
    }
    grant.discard();
    expect(grant.spent).toBe(true);
    expect(await errorCodeOf(grant.setCredentials('too late for this grant'))).toBe('code_expired');
    await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
  });
});

describe('setCredentials', () => {
  /** A fetch that can lose the answer to `finish` (the request reaches the server) or change its grant. */
  function unreliableFinish() {
    const state = { loseAnswer: false, forgeGrant: false };
    const fetch: Fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('/api/recovery/finish')) return globalThis.fetch(input, init);
      if (state.forgeGrant) {
        const body = JSON.parse(String(init?.body)) as { grant: string };
        body.grant = body.grant.slice(0, -2) + (body.grant.endsWith('AA') ? 'BB' : 'AA');
        return globalThis.fetch(input, { ...init, body: JSON.stringify(body) });
      }
      const answer = await globalThis.fetch(input, init);
      if (state.loseAnswer) {
        await answer.text();
        throw new TypeError('fetch failed: the connection dropped');
      }
      return answer;
    };
    return { state, fetch };
  }

  it('after a refused final request keeps no pending Secret Key, and the same grant can try again', async () => {
    const { user, code } = await userWithCode();
    const store = new MemoryStore();
    const unreliable = unreliableFinish();
    const device = new LatchkeyClient({ server: server.url, store, fetch: unreliable.fetch });
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    const grant = await device.recovery.prove(ticket, { recoveryCode: code });
    unreliable.state.forgeGrant = true;
    expect(await errorCodeOf(grant.setCredentials('first try refused'))).toBe('code_expired');
    expect((await store.read()).pendingSecretKeys?.[accountKey(server.url, user.email)]).toBeUndefined();
    expect(grant.spent).toBe(false);
    unreliable.state.forgeGrant = false;
    const { secretKey } = await grant.setCredentials('second try lands');
    const state = await store.read();
    expect(state.secretKeys?.[accountKey(server.url, user.email)]).toBe(secretKey);
    expect(state.pendingRecovery).toBeUndefined();
  });

  it('after a lost final answer keeps the new Secret Key pending, spends the grant, and the next sign-in on the device uses it', async () => {
    const { user, code } = await userWithCode();
    const store = new MemoryStore();
    const unreliable = unreliableFinish();
    const device = new LatchkeyClient({ server: server.url, store, fetch: unreliable.fetch });
    const ticket = await device.recovery.verifyEmail({ email: user.email, emailCode: await emailCodeFor(device, user.email) });
    const grant = await device.recovery.prove(ticket, { recoveryCode: code });
    unreliable.state.loseAnswer = true;
    expect(await errorCodeOf(grant.setCredentials('answer was lost'))).toBe('network_error');
    expect(grant.spent).toBe(true);
    const state = await store.read();
    const pending = state.pendingSecretKeys?.[accountKey(server.url, user.email)];
    expect(pending).toMatch(/^L1-/);
    expect(state.secretKeys?.[accountKey(server.url, user.email)]).toBeUndefined();
    expect(await errorCodeOf(grant.setCredentials('answer was lost'))).toBe('code_expired');
    // The swap did happen; this device signs in with the pending key, which then becomes the remembered one.
    unreliable.state.loseAnswer = false;
    await device.signIn({ email: user.email, password: 'answer was lost' });
    expect((await store.read()).secretKeys?.[accountKey(server.url, user.email)]).toBe(pending);
  });
});
