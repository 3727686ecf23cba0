/**
 * How easy a new password is to guess, as it is typed: the account-password rule of
 * @latchkey/core (at least MIN_PASSWORD_LENGTH characters, zxcvbn score 3 or more). The
 * estimator and its dictionaries (about 600 kB gzipped) are imported on first use, so pages
 * without a new-password field never load them; the SDK checks again with the same code.
 */
import { useEffect, useState } from 'react';
import { MIN_PASSWORD_LENGTH, TOO_SHORT_REASON } from '@latchkey/core/account-password';
import type { AccountPasswordCheck } from '@latchkey/core/account-password-strength';

export type Strength = 'too-short' | 'checking' | 'weak' | 'good' | 'strong';

export interface PasswordStrength {
  readonly strength: Strength;
  /** zxcvbn's score (0-4) once known. */
  readonly score: number | undefined;
  /** Why the account-password rule refuses it; undefined while unknown or when it passes. */
  readonly refusal: string | undefined;
}

const loadEstimator = () => import('@latchkey/core/account-password-strength');

/** Milliseconds without typing before the estimate runs: it takes tens of ms, too much for every key. */
const SETTLE_MS = 150;

/** The strength of `password`; `userInputs` are the person's details (email, name), which a password must not lean on. */
export function usePasswordStrength(password: string, userInputs: readonly string[] = []): PasswordStrength {
  const [checked, setChecked] = useState<{ password: string; check: AccountPasswordCheck }>();
  const inputsKey = userInputs.join('\n');
  useEffect(() => {
    if (password.length < MIN_PASSWORD_LENGTH) return;
    let current = true;
    const timer = setTimeout(() => {
      void loadEstimator().then(({ checkAccountPassword }) => {
        if (current) setChecked({ password, check: checkAccountPassword(password, inputsKey === '' ? [] : inputsKey.split('\n')) });
      });
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [password, inputsKey]);

  if (password.length < MIN_PASSWORD_LENGTH) return { strength: 'too-short', score: 0, refusal: TOO_SHORT_REASON };
  const check = checked?.password === password ? checked.check : undefined;
  if (check === undefined) return { strength: 'checking', score: undefined, refusal: undefined };
  if (!check.ok) return { strength: 'weak', score: check.score, refusal: check.reason };
  return { strength: check.score >= 4 ? 'strong' : 'good', score: check.score, refusal: undefined };
}

/** The words under the field, after the strength meter. */
export function strengthText({ strength, refusal }: PasswordStrength): string {
  switch (strength) {
    case 'too-short':
      return `Too short: use at least ${MIN_PASSWORD_LENGTH} characters.`;
    case 'checking':
      return 'Checking how easy it is to guess…';
    case 'weak':
      return `Weak. ${refusal ?? ''}`.trim();
    case 'good':
      return 'Good. Longer is stronger: four or more random words, or 16 or more characters.';
    case 'strong':
      return 'Strong. Remember it: nobody, not even Latchkey, can look it up for you.';
  }
}
