/** The rule for a new account password: long enough, and not easy to guess (zxcvbn score 3 or more). */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, requireLongEnoughPassword } from '../src/account-password.ts';
import { MIN_PASSWORD_SCORE, checkAccountPassword, requireGoodAccountPassword } from '../src/account-password-strength.ts';
import { DEFAULT_PASSPHRASE_OPTIONS, generatePassphrase } from '../src/passphrase-generator.ts';
import { DEFAULT_PASSWORD_OPTIONS, generatePassword } from '../src/password-generator.ts';
import { expectLatchkeyErrorSync } from './helpers/errors.ts';

describe('requireLongEnoughPassword', () => {
  it(`accepts ${MIN_PASSWORD_LENGTH} characters and more`, () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
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

describe('checkAccountPassword', () => {
  it('refuses "password", "Password1" and a 9-character password as too short, saying how long it must be', () => {
    for (const password of ['password', 'Password1', 'Zq7!mK2#v']) {
      expect(password.length).toBeLessThan(MIN_PASSWORD_LENGTH);
      const check = checkAccountPassword(password);
      expect(check).toMatchObject({ ok: false, code: 'password_too_short', score: 0 });
      expect(check.reason).toBe('Choose an account password of at least 10 characters.');
    }
  });

  it('refuses long common passwords and their variants as too weak, with a reason that says why and what to do', () => {
    for (const password of ['Password12', 'Password123!', 'password1234', 'qwertyuiop', '1234567890', 'iloveyou12', 'aaaaaaaaaaaa']) {
      const check = checkAccountPassword(password);
      expect(check.ok, password).toBe(false);
      expect(check.code).toBe('password_too_weak');
      expect(check.score).toBeLessThan(MIN_PASSWORD_SCORE);
      expect(check.reason).toMatch(/^This password is too easy to guess\. .+ A few unrelated words/);
    }
  });

  it("refuses a password built on the person's own details only when told them", () => {
    const password = 'zoe.margolis1987';
    const inputs = ['zoe.margolis@example.org', 'Zoë Margolis', 'https://vault.example.org'];
    expect(checkAccountPassword(password).ok).toBe(true);
    const check = checkAccountPassword(password, inputs);
    expect(check).toMatchObject({ ok: false, code: 'password_too_weak' });
    expect(check.reason).toContain('personal');
    expect(checkAccountPassword('vault.example.org!', inputs)).toMatchObject({ ok: false, code: 'password_too_weak' });
    expect(checkAccountPassword('quartz-lantern-47-meadow', inputs)).toEqual({ ok: true, score: 4 });
  });

  it('accepts a good passphrase, a random 10-character password, and what the generators make', () => {
    expect(checkAccountPassword('quartz-lantern-47-meadow')).toEqual({ ok: true, score: 4 });
    expect(checkAccountPassword('Xk9#mP2$qL').ok).toBe(true);
    for (let i = 0; i < 5; i++) {
      expect(checkAccountPassword(generatePassphrase({ ...DEFAULT_PASSPHRASE_OPTIONS, words: 4 })).ok).toBe(true);
      expect(checkAccountPassword(generatePassword(DEFAULT_PASSWORD_OPTIONS)).ok).toBe(true);
    }
  });

  it('scores only the first 100 characters (zxcvbn is slow on long input) and still accepts a long password', () => {
    const started = performance.now();
    expect(checkAccountPassword(`quartz-lantern-47-meadow ${'x'.repeat(5000)}`).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('requireGoodAccountPassword', () => {
  it('throws password_too_short and password_too_weak with the reason as the message, and nothing for a good one', () => {
    expect(expectLatchkeyErrorSync(() => requireGoodAccountPassword('password'), 'password_too_short').message).toContain('at least 10 characters');
    expect(expectLatchkeyErrorSync(() => requireGoodAccountPassword('Password123'), 'password_too_weak').message).toContain('too easy to guess');
    expect(() => requireGoodAccountPassword('quartz-lantern-47-meadow', ['alice@example.org'])).not.toThrow();
  });
});
