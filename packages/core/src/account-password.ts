/**
 * The one rule for a new account password that the clients enforce. The server cannot check
 * it: it never sees the password, only an OPAQUE registration (docs/protocol.md §9). The SDK
 * checks it before any request (sign-up, password change, recovery); the CLI and the web app
 * check it as the person types, with the same number.
 */
import { LatchkeyError } from './errors.ts';

/** The shortest account password accepted, in characters (UTF-16 code units, as `String.length` counts). */
export const MIN_PASSWORD_LENGTH = 8;

/** @throws LatchkeyError `password_too_short` when `password` is shorter than `MIN_PASSWORD_LENGTH`. */
export function requireLongEnoughPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new LatchkeyError('password_too_short', `Choose an account password of at least ${MIN_PASSWORD_LENGTH} characters.`);
}
