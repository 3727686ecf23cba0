/**
 * The item-password strength estimate behind the health report: common passwords (also with
 * l33t spellings, capitals and digits or symbols around them), short ones, repeats, runs,
 * keyboard rows, words and years are weak; random and long passphrase-style passwords are not;
 * every weak result says why, and the score follows the guess estimate.
 */
import { describe, expect, it } from 'vitest';
import { estimatePasswordStrength, SHORT_PASSWORD_LENGTH, STRONG_ENOUGH_SCORE } from '../src/password-strength-estimate.ts';

const weak = (password: string) => estimatePasswordStrength(password).score < STRONG_ENOUGH_SCORE;

describe('estimatePasswordStrength', () => {
  it.each(['password', 'Password1', 'P@ssw0rd!', 'qwerty123', 'Summer2019!', 'hunter2', 'iloveyou!', '12345678', '111111', 'monkey123456'])(
    'calls %s a common password (score 0)',
    (password) => {
      expect(estimatePasswordStrength(password)).toMatchObject({ score: 0, reason: 'common' });
    },
  );

  it.each(['aaaaaaaaaaaa', 'abcdefghij', '9876543210x', 'asdfghjkl;', 'Jennifer1990', 'BlueHouse77', 'dragonfly', 'Fluffy2015'])(
    'calls %s weak for its predictable parts',
    (password) => {
      expect(estimatePasswordStrength(password)).toMatchObject({ reason: 'predictable' });
      expect(weak(password)).toBe(true);
    },
  );

  it('calls every password under 8 characters short and weak, random or not', () => {
    for (const password of ['x7#Kq', 'v2', 'Zq9$kL2']) {
      expect(password.length).toBeLessThan(SHORT_PASSWORD_LENGTH);
      expect(estimatePasswordStrength(password)).toMatchObject({ reason: 'short' });
      expect(weak(password)).toBe(true);
    }
    expect(estimatePasswordStrength('')).toEqual({ score: 0, guessesLog2: 0, reason: 'short' });
  });

  it('calls a random password of one kind of character and 8 letters weak ("simple" when nothing is predictable)', () => {
    expect(estimatePasswordStrength('kqmzvtbg')).toMatchObject({ score: 2, reason: 'simple' });
  });

  it.each(['N8v$Lq2#Zp9@Wm4!Rt6x', 'Kq7#mX2pWz', 'correct horse battery staple', 'Clip-pw-Orchid-5521-q', 'gh-pässwörd-Ülm-73', 'tangerine Ox 4 velvet'])(
    'does not call %s weak, and gives no reason',
    (password) => {
      const estimate = estimatePasswordStrength(password);
      expect(estimate.score).toBeGreaterThanOrEqual(STRONG_ENOUGH_SCORE);
      expect(estimate.reason).toBeUndefined();
    },
  );

  it('scores longer random passwords higher, and a word lower than its letters', () => {
    const scores = ['Kq7#mX2p', 'Kq7#mX2pWz4!Rt', 'N8v$Lq2#Zp9@Wm4!Rt6x'].map((p) => estimatePasswordStrength(p).guessesLog2);
    expect(scores[0]).toBeLessThan(scores[1]!);
    expect(scores[1]).toBeLessThan(scores[2]!);
    expect(estimatePasswordStrength('xhqbvzrw').guessesLog2).toBeGreaterThan(estimatePasswordStrength('sunshine').guessesLog2);
    expect(estimatePasswordStrength('tgmwkqzj1984').guessesLog2).toBeLessThan(estimatePasswordStrength('tgmwkqzj1x84').guessesLog2);
  });
});
