/** The one length rule for a new account password. */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, requireLongEnoughPassword } from '../src/account-password.ts';
import { expectLatchkeyErrorSync } from './helpers/errors.ts';

describe('requireLongEnoughPassword', () => {
  it(`accepts ${MIN_PASSWORD_LENGTH} characters and more`, () => {
    expect(MIN_PASSWORD_LENGTH).toBe(8);
    expect(() => requireLongEnoughPassword('a'.repeat(MIN_PASSWORD_LENGTH))).not.toThrow();
    expect(() => requireLongEnoughPassword('correct horse battery staple')).not.toThrow();
  });

  it('refuses anything shorter with password_too_short, saying how long it must be', () => {
    for (const password of ['', 'a', 'a'.repeat(MIN_PASSWORD_LENGTH - 1)]) {
      const error = expectLatchkeyErrorSync(() => requireLongEnoughPassword(password), 'password_too_short');
      expect(error.message).toContain(`at least ${MIN_PASSWORD_LENGTH} characters`);
    }
  });
});
