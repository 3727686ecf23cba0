/**
 * The password of an export file: chosen for that file, not the account password. From
 * `LATCHKEY_EXPORT_PASSWORD` for scripts, otherwise a hidden prompt (twice when choosing one).
 */
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';
import { ask, isInteractive } from './prompt.ts';

const fromEnv = (): string | undefined => {
  const value = process.env.LATCHKEY_EXPORT_PASSWORD;
  return value === undefined || value === '' ? undefined : value;
};

/** A new export password. @throws `secret_required` without one, `password_too_short`, `invalid_request` when the two typed differ. */
export async function chooseExportPassword(): Promise<string> {
  const chosen = fromEnv() ?? (await typedTwice());
  if (chosen.length < MIN_PASSWORD_LENGTH)
    throw new LatchkeyError('password_too_short', `Choose an export password of at least ${MIN_PASSWORD_LENGTH} characters.`);
  return chosen;
}

async function typedTwice(): Promise<string> {
  if (!isInteractive()) throw new LatchkeyError('secret_required', 'Set LATCHKEY_EXPORT_PASSWORD or run in a terminal to choose the export file’s password.');
  const first = await ask('Password for the export file: ', { hidden: true });
  const second = await ask('Repeat it: ', { hidden: true });
  if (first !== second) throw new LatchkeyError('invalid_request', 'The two passwords differ.');
  return first;
}

/** The password of an export file being imported. */
export async function givenExportPassword(): Promise<string> {
  const given = fromEnv();
  if (given !== undefined) return given;
  if (!isInteractive()) throw new LatchkeyError('secret_required', 'Set LATCHKEY_EXPORT_PASSWORD or run in a terminal to enter the export file’s password.');
  return ask('Password of the export file: ', { hidden: true });
}
