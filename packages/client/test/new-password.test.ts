/**
 * Every SDK flow that sets a new account password (sign-up, password change, recovery) refuses
 * one shorter than MIN_PASSWORD_LENGTH with `password_too_short` before it sends anything: the
 * server could not tell, since it never sees the password.
 */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';
import { LatchkeyClient } from '../src/client.ts';
import type { Fetch } from '../src/http.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
  throw new Error('expected a LatchkeyError');
}

describe('a new account password that is too short', () => {
  const short = 'x'.repeat(MIN_PASSWORD_LENGTH - 1);
  const flows: Record<string, (client: LatchkeyClient) => Promise<unknown>> = {
    'sign-up': (client) => client.signup.complete({ email: 'a@example.com', name: 'A', code: '123456', password: short, verificationId: 'verification-0001' }),
    'password change': (client) => client.account.changePassword('the current password', short),
    recovery: (client) =>
      client.recovery.complete({
        email: 'a@example.com',
        emailCode: '12345678',
        newPassword: short,
        recoveryCode: 'R1-AAAAA',
        verificationId: 'verification-0001',
      }),
  };

  it.each(Object.keys(flows))('%s: password_too_short, and no request is sent', async (flow) => {
    const requests: string[] = [];
    const fetch: Fetch = async (input) => {
      requests.push(String(input));
      return new Response('{}', { status: 500 });
    };
    const client = new LatchkeyClient({ server: 'https://latchkey.test', fetch });
    expect(await codeOf(flows[flow]!(client))).toBe('password_too_short');
    expect(requests).toEqual([]);
  });
});
