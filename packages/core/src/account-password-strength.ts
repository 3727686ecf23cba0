/**
 * Whether a new account password is good enough (docs/protocol.md §9): at least
 * `MIN_PASSWORD_LENGTH` characters and a zxcvbn score of at least `MIN_PASSWORD_SCORE`, with
 * the common-password, diceware and English dictionaries and the person's own details (email,
 * name, the server's address) as words an attacker would try first.
 *
 * zxcvbn estimates how many guesses a cracker needs; score 3 means more than 10^8. That is
 * the least for a password that, with the Secret Key, protects everything, against an online
 * attacker (who also needs the Secret Key) and a server thief (who has it, and then guesses
 * offline through OPAQUE's Argon2id, §9). It cannot know how a person chose a password, so the
 * score is a lower bound on weakness, never a promise of strength.
 *
 * Pure: no I/O, and each call is independent (one estimator, built on first use, holds only
 * the dictionaries).
 */
import { type ZxcvbnResult, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { MIN_PASSWORD_LENGTH, TOO_SHORT_REASON } from './account-password.ts';
import { LatchkeyError } from './errors.ts';

/** The least zxcvbn score (0-4) accepted for an account password. */
export const MIN_PASSWORD_SCORE = 3;

/** zxcvbn is slow on long input and gains nothing past this many characters; the rest is still part of the password. */
const SCORED_LENGTH = 100;

const STRONG_HINT = 'A few unrelated words, or a password your generator made, are strong and easy to keep.';

export interface AccountPasswordCheck {
  /** Whether the password may be used as an account password. */
  readonly ok: boolean;
  /** zxcvbn's score, 0 (guessed at once) to 4 (very hard to guess); 0 for a password too short to score. */
  readonly score: 0 | 1 | 2 | 3 | 4;
  /** Why it is refused, in words for the person (names the problem and what to do); undefined when `ok`. */
  readonly reason?: string;
  /** The stable error code when refused: `password_too_short` or `password_too_weak`. */
  readonly code?: 'password_too_short' | 'password_too_weak';
}

let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    // Levenshtein matching costs about 20 times as long per check (hundreds of ms as the person types) and adds little beyond l33t and case variants.
    useLevenshteinDistance: false,
  });
  return estimator;
}

/** The words of the person's details an attacker would try first: each input whole (an address without its scheme), an email's local part, and every word of each. */
function personalWords(userInputs: readonly string[]): string[] {
  const words = new Set<string>();
  for (const input of userInputs) {
    const value = input
      .trim()
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .replace(/\/+$/, '');
    if (value === '') continue;
    words.add(value);
    const at = value.lastIndexOf('@');
    if (at > 0) words.add(value.slice(0, at));
    for (const part of value.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

function weakReason(result: ZxcvbnResult): string {
  const parts = ['This password is too easy to guess.'];
  if (result.feedback.warning) parts.push(result.feedback.warning);
  parts.push(...result.feedback.suggestions.slice(0, 1));
  parts.push(STRONG_HINT);
  return parts.join(' ');
}

/**
 * Checks a new account password. `userInputs`: what the person's details are (email, name, the
 * server address), which a password must not lean on.
 */
export function checkAccountPassword(password: string, userInputs: readonly string[] = []): AccountPasswordCheck {
  if (password.length < MIN_PASSWORD_LENGTH) return { ok: false, score: 0, reason: TOO_SHORT_REASON, code: 'password_too_short' };
  const result = zxcvbn().check(password.slice(0, SCORED_LENGTH), personalWords(userInputs));
  if (result.score < MIN_PASSWORD_SCORE) return { ok: false, score: result.score, reason: weakReason(result), code: 'password_too_weak' };
  return { ok: true, score: result.score };
}

/** @throws LatchkeyError `password_too_short` or `password_too_weak` (with the reason as message) when `checkAccountPassword` refuses. */
export function requireGoodAccountPassword(password: string, userInputs: readonly string[] = []): void {
  const check = checkAccountPassword(password, userInputs);
  if (!check.ok && check.code !== undefined) throw new LatchkeyError(check.code, check.reason ?? TOO_SHORT_REASON);
}
