/**
 * A rough, honest hint about an account password while it is typed. It cannot know how a
 * person chose a password, so it only penalises what is obviously weak (short, one kind of
 * character, repeats, common words) and never claims more than "strong".
 */
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';

export type Strength = 'too-short' | 'weak' | 'fair' | 'strong';

const COMMON = ['password', 'passwort', 'qwerty', 'letmein', 'welcome', 'admin', 'latchkey', 'iloveyou', 'monkey', 'dragon', '123456', 'abc123'];

export function passwordStrength(password: string): Strength {
  if (password.length < MIN_PASSWORD_LENGTH) return 'too-short';
  const lower = password.toLowerCase();
  if (COMMON.some((word) => lower.includes(word)) || /^(.)\1+$/.test(password)) return 'weak';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const words = password
    .trim()
    .split(/[\s\-_.]+/)
    .filter((w) => w.length >= 3).length;
  if (password.length >= 16 || (password.length >= 12 && kinds >= 3) || words >= 4) return 'strong';
  if (password.length >= 10 && kinds >= 2) return 'fair';
  return 'weak';
}

export const STRENGTH_TEXT: Record<Strength, string> = {
  'too-short': `Too short: use at least ${MIN_PASSWORD_LENGTH} characters.`,
  weak: 'Weak: easy to guess. A few unrelated words make a strong password that is easy to remember.',
  fair: 'Fair. Longer is better: four or more random words, or 16 or more characters.',
  strong: 'Strong. Remember it: nobody, not even Latchkey, can look it up for you.',
};
