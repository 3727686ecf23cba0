/**
 * The rule for a new account password that the clients enforce: at least
 * `MIN_PASSWORD_LENGTH` characters, and not easy to guess (account-password-strength.ts, with
 * zxcvbn's dictionaries). The server cannot check it: it never sees the password, only an
 * OPAQUE registration (docs/protocol.md §9). The SDK checks it before any request (sign-up,
 * password change, recovery); the CLI and the web app check it as the person types, with the
 * same function.
 *
 * This module is small on purpose: the web app loads it with every page, while the strength
 * estimate and its dictionaries (about 600 kB gzipped) load only where a password is chosen.
 */
import { LatchkeyError } from './errors.ts';

/** The shortest account password accepted, in characters (UTF-16 code units, as `String.length` counts). */
export const MIN_PASSWORD_LENGTH = 10;

/** The message for `password_too_short`, the same wherever it is shown. */
export const TOO_SHORT_REASON = `Choose an account password of at least ${MIN_PASSWORD_LENGTH} characters.`;

/** @throws LatchkeyError `password_too_short` when `password` is shorter than `MIN_PASSWORD_LENGTH`. */
export function requireLongEnoughPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new LatchkeyError('password_too_short', TOO_SHORT_REASON);
}
