/**
 * Every SDK flow that sets a new account password (sign-up, password change, recovery) refuses
 * one that is shorter than MIN_PASSWORD_LENGTH (`password_too_short`) or easy to guess
 * (`password_too_weak`) before it sends anything: the server could not tell, since it never
 * sees the password. A Secret Key change keeps the password and is not held to the rule.
 */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';
import { LatchkeyClient } from '../src/client.ts';
import type { Fetch } from '../src/http.ts';

async function errorOf(promise: Promise<unknown>): Promise<LatchkeyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('expected a LatchkeyError');
}

const EMAIL = 'zoe.margolis@example.com';
const flows: Record<string, (client: LatchkeyClient, password: string) => Promise<unknown>> = {
  'sign-up': (client, password) =>
    client.signup.complete({ email: EMAIL, name: 'Zoë Margolis', code: '123456', password, verificationId: 'verification-0001' }),
  'password change': (client, password) => client.account.changePassword('the current password', password),
  recovery: (client, newPassword) =>
    client.recovery.complete({ email: EMAIL, emailCode: '12345678', newPassword, recoveryCode: 'R1-AAAAA', verificationId: 'verification-0001' }),
};

function offlineClient() {
  const requests: string[] = [];
  const fetch: Fetch = async (input) => {
    requests.push(String(input));
    return new Response('{}', { status: 500 });
  };
  return { client: new LatchkeyClient({ server: 'https://latchkey.test', fetch }), requests };
}

const refused: Array<[string, string, string]> = [
  ['x'.repeat(MIN_PASSWORD_LENGTH - 1), 'password_too_short', `at least ${MIN_PASSWORD_LENGTH} characters`],
  ['password', 'password_too_short', `at least ${MIN_PASSWORD_LENGTH} characters`],
  ['Password1', 'password_too_short', `at least ${MIN_PASSWORD_LENGTH} characters`],
  ['Password123', 'password_too_weak', 'too easy to guess'],
  ['qwertyuiop12', 'password_too_weak', 'too easy to guess'],
];

describe('a new account password that the rule refuses', () => {
  for (const flow of Object.keys(flows)) {
    it.each(refused)(`${flow}: %j is %s, and no request is sent`, async (password, code, reason) => {
      const { client, requests } = offlineClient();
      const error = await errorOf(flows[flow]!(client, password));
      expect(error.code).toBe(code);
      expect(error.message).toContain(reason);
      expect(requests).toEqual([]);
    });
  }

  it("sign-up and recovery: a password built on the person's email is too weak", async () => {
    for (const flow of ['sign-up', 'recovery']) {
      const { client, requests } = offlineClient();
      expect((await errorOf(flows[flow]!(client, 'zoe.margolis1987'))).code).toBe('password_too_weak');
      expect(requests).toEqual([]);
    }
  });

  it('a good password gets past the rule (the flows then fail only at the offline server)', async () => {
    for (const flow of Object.keys(flows)) {
      const { client } = offlineClient();
      expect((await errorOf(flows[flow]!(client, 'quartz-lantern-47-meadow'))).code).not.toMatch(/^password_too_/);
    }
  });

  it('a Secret Key change keeps the password, however short: it is not refused by the rule', async () => {
    const { client } = offlineClient();
    expect((await errorOf(client.account.changeSecretKey('short'))).code).toBe('not_signed_in');
  });
});
