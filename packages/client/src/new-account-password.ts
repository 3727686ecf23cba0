/**
 * The SDK's check of a new account password (sign-up, password change, recovery), before any
 * request: the server never sees the password (OPAQUE) and so cannot refuse a weak one
 * (docs/protocol.md §9). The strength estimate and its dictionaries are loaded on first use, so
 * that a web page bundling the SDK does not carry them until a password is being chosen.
 */
import { requireLongEnoughPassword } from '@latchkey/core/account-password';

/**
 * @param userInputs the person's details (email, name) and the server address, which a
 *   password must not be built on.
 * @throws LatchkeyError `password_too_short`, `password_too_weak` (the message says why).
 */
export async function requireGoodNewPassword(password: string, userInputs: readonly string[]): Promise<void> {
  requireLongEnoughPassword(password); // needs no dictionary
  const { requireGoodAccountPassword } = await import('@latchkey/core/account-password-strength');
  requireGoodAccountPassword(password, userInputs);
}
