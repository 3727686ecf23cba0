/**
 * Account passwords for the CLI: from the environment for scripts (`LATCHKEY_PASSWORD`,
 * `LATCHKEY_NEW_PASSWORD`), otherwise from a prompt on the terminal with echo turned off.
 * Never from a command-line flag, where other users could read it in the process list. Other
 * secrets (codes, Secret Keys) are resolved by secret-input.ts.
 */
import { createInterface } from 'node:readline';
import { requireLongEnoughPassword } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';

export const isInteractive = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY);

export async function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (!isInteractive()) throw new LatchkeyError('invalid_request', `${question.replace(/:\s*$/, '')} is needed; run in a terminal or pass it as an option.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (options.hidden) {
    // Echo nothing while the secret is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
  }
  try {
    // Ctrl-C or Ctrl-D ends the prompt with an error instead of leaving the command waiting.
    const cancelled = () => new LatchkeyError('invalid_request', 'Cancelled: nothing was entered.');
    return await new Promise<string>((resolve, reject) => {
      rl.once('close', () => reject(cancelled()));
      rl.once('SIGINT', () => reject(cancelled()));
      rl.question(question, resolve);
    });
  } finally {
    rl.close();
    if (options.hidden) process.stderr.write('\n');
  }
}

export async function currentPassword(): Promise<string> {
  const fromEnv = process.env.LATCHKEY_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!isInteractive()) throw new LatchkeyError('invalid_request', 'Set LATCHKEY_PASSWORD or run in a terminal to enter your account password.');
  return ask('Account password: ', { hidden: true });
}

/** Whether `newPassword()` can get an answer (from the environment or a terminal) without asking yet. */
export const newPasswordAvailable = (): boolean => (process.env.LATCHKEY_NEW_PASSWORD ?? '') !== '' || isInteractive();

/** Whether `newPassword()` asks on the terminal (so a refused answer can be asked for again). */
export const newPasswordPrompted = (): boolean => (process.env.LATCHKEY_NEW_PASSWORD ?? '') === '' && isInteractive();

/**
 * Checks, before a flow spends anything single-use, that a new password can be had and that one
 * given in LATCHKEY_NEW_PASSWORD passes the account-password rule (core/account-password-strength.ts).
 * @throws `secret_required` (no environment variable and no terminal), `password_too_short`, `password_too_weak`.
 */
export async function requireNewPasswordAvailable(userInputs: readonly string[] = []): Promise<void> {
  if (!newPasswordAvailable())
    throw new LatchkeyError('secret_required', 'A new account password is needed: set LATCHKEY_NEW_PASSWORD or run in a terminal to choose one.');
  const fromEnv = process.env.LATCHKEY_NEW_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    requireLongEnoughPassword(fromEnv);
    (await passwordStrength()).requireGoodAccountPassword(fromEnv, userInputs);
  }
}

/** The strength estimate and its dictionaries, loaded only by the commands that choose a password (not at every start). */
const passwordStrength = () => import('@latchkey/core/account-password-strength');

const STRENGTH_WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/** How many times a refused password is asked for again on a terminal before giving up. */
const NEW_PASSWORD_TRIES = 5;

/**
 * A new account password: from LATCHKEY_NEW_PASSWORD, or typed twice on a terminal. A typed one
 * that the rule refuses is asked for again at once, with the reason (the SDK checks again).
 * `userInputs`: the person's details (email, name, server), which the password must not lean on.
 * @throws `invalid_request` when the two typed passwords differ, `password_too_short`, `password_too_weak`.
 */
export async function newPassword(userInputs: readonly string[] = []): Promise<string> {
  const fromEnv = process.env.LATCHKEY_NEW_PASSWORD;
  const { checkAccountPassword, requireGoodAccountPassword } = await passwordStrength();
  if (fromEnv !== undefined && fromEnv !== '') {
    requireGoodAccountPassword(fromEnv, userInputs);
    return fromEnv;
  }
  if (!isInteractive()) throw new LatchkeyError('invalid_request', 'Set LATCHKEY_NEW_PASSWORD or run in a terminal to choose an account password.');
  for (let tries = 1; ; tries++) {
    const first = await ask('New account password: ', { hidden: true });
    const check = checkAccountPassword(first, userInputs);
    if (!check.ok) {
      if (tries >= NEW_PASSWORD_TRIES) requireGoodAccountPassword(first, userInputs);
      process.stderr.write(`${check.reason} Try again.\n`);
      continue;
    }
    process.stderr.write(`Strength: ${STRENGTH_WORDS[check.score]}.\n`);
    const second = await ask('Repeat the new account password: ', { hidden: true });
    if (first !== second) throw new LatchkeyError('invalid_request', 'The two passwords differ.');
    return first;
  }
}
