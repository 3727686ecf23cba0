/**
 * The verification code a trusted device shows and a person types on the new device when
 * enrolling it (SPEC §2.5). It is CPace's PRS: a wrong code makes the run fail key confirmation
 * on both sides, and each code gets exactly one run.
 *
 *   XXX-XXX-XXC     (8 random characters + check character, alphabet of check-character.ts)
 *
 * Entropy: 8 characters from 32 = 40 bits. That is enough because the code is never exposed to
 * offline guessing (CPace gives an attacker, the relaying server included, one guess per run),
 * a code allows one run, expires within 10 minutes, and runs are rate-limited: one guess
 * succeeds with probability 2^-40. Typo-tolerant: case, spaces and dashes do not matter, the
 * alphabet has no look-alikes (no 0/O, 1/I), and the check character catches a mistyped or
 * swapped character on the new device before a run, and so the code, is spent on it.
 */
import { randomBytes, utf8 } from './bytes.ts';
import { checkCharacter, compactCode, firstForeignCharacter, groupCode, randomCodeCharacters } from './check-character.ts';
import { LatchkeyError } from './errors.ts';

export const ENROLLMENT_CODE_RANDOM_LENGTH = 8;
/** log2(32) · 8. */
export const ENROLLMENT_CODE_ENTROPY_BITS = 40;
const GROUPS = [3, 3, 3] as const;

declare const enrollmentCodeBrand: unique symbol;
/** A checked code in display form, `XXX-XXX-XXX`. */
export type EnrollmentCode = string & { readonly [enrollmentCodeBrand]: true };

const format = (chars: string): EnrollmentCode => groupCode(chars, GROUPS) as EnrollmentCode;

export function generateEnrollmentCode(): EnrollmentCode {
  const body = randomCodeCharacters(ENROLLMENT_CODE_RANDOM_LENGTH, randomBytes);
  return format(body + checkCharacter(body));
}

/**
 * Parses what a person typed.
 * @throws LatchkeyError `enrollment_code_malformed` (length, a character outside the alphabet),
 *   `enrollment_code_typo` (the check character does not match).
 */
export function parseEnrollmentCode(input: string): EnrollmentCode {
  if (typeof input !== 'string' || input.length > 64) throw new LatchkeyError('enrollment_code_malformed', 'This is not a verification code.');
  const chars = compactCode(input);
  if (chars.length !== ENROLLMENT_CODE_RANDOM_LENGTH + 1) {
    throw new LatchkeyError(
      'enrollment_code_malformed',
      `A verification code has ${ENROLLMENT_CODE_RANDOM_LENGTH + 1} characters; this one has ${chars.length}.`,
    );
  }
  const bad = firstForeignCharacter(chars);
  if (bad !== undefined) {
    throw new LatchkeyError(
      'enrollment_code_malformed',
      `"${bad}" is not a verification code character${'01OI'.includes(bad) ? ' (codes never use 0, O, 1 or I)' : ''}.`,
    );
  }
  if (checkCharacter(chars.slice(0, -1)) !== chars.slice(-1)) {
    throw new LatchkeyError('enrollment_code_typo', 'This verification code has a typo: check each character against the code on your other device.');
  }
  return format(chars);
}

/** The canonical bytes CPace uses as PRS: the nine characters without dashes. */
export function enrollmentCodeBytes(code: EnrollmentCode): Uint8Array {
  return utf8(compactCode(code));
}
