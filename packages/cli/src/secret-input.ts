/**
 * Where the CLI takes a secret from: a recovery code, a Secret Key, an emailed code, a code from
 * the authenticator app, a backup code, an item's password. A value given in a flag is visible
 * to every local user (`ps`, /proc/<pid>/cmdline) and stays in shell history, so every secret
 * flag also takes `-`, an environment variable or a prompt, with one precedence for all:
 *
 *   1. `--flag VALUE`   that value (kept for scripts; visible to other local users)
 *   2. `--flag -`       the next line of stdin; on a terminal, a prompt with echo off
 *   3. `LATCHKEY_…`     the environment variable (SECRETS below), when set and not empty
 *   4. a prompt         with echo off, when stdin and stderr are terminals and the command needs it
 *   5. none of these    `secret_required` at once, naming the ways to give it: never a wait
 *
 * Several `-` flags read successive lines of stdin, in the order the command needs them (its
 * `--help` says which). Values are trimmed; an empty one counts as not given. Account passwords
 * are not flags at all (prompt.ts).
 */
import type { Command } from 'commander';
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';
import { ask, isInteractive } from './prompt.ts';
import { nextStdinLine } from './stdin-lines.ts';

export interface SecretSpec {
  /** The flag, e.g. `--recovery-code`: named in errors and help. */
  readonly flag: string;
  /** The environment variable; none for item fields, which an exported variable must not fill in unasked. */
  readonly env?: string;
  /** What the prompt asks for, e.g. `Recovery code`. */
  readonly label: string;
}

/** Every secret flag of the CLI, with its environment variable. */
export const SECRETS = {
  secretKey: { flag: '--secret-key', env: 'LATCHKEY_SECRET_KEY', label: 'Secret Key (from your Emergency Kit)' },
  emailCode: { flag: '--email-code', env: 'LATCHKEY_EMAIL_CODE', label: 'Code from the email' },
  recoveryCode: { flag: '--recovery-code', env: 'LATCHKEY_RECOVERY_CODE', label: 'Recovery code' },
  /** `recovery-code confirm | check | split --code`. */
  code: { flag: '--code', env: 'LATCHKEY_RECOVERY_CODE', label: 'Recovery code' },
  otp: { flag: '--otp', env: 'LATCHKEY_OTP', label: 'Code from your authenticator app' },
  backupCode: { flag: '--backup-code', env: 'LATCHKEY_BACKUP_CODE', label: 'Backup code' },
  itemPassword: { flag: '--password', label: "The item's password" },
  itemTotp: { flag: '--totp', label: 'TOTP secret or otpauth:// URI' },
  cardNumber: { flag: '--card-number', label: 'Card number' },
  cardCode: { flag: '--card-code', label: 'Card security code' },
  cardPin: { flag: '--card-pin', label: 'Card PIN' },
} as const satisfies Record<string, SecretSpec>;

export const STDIN = '-';

export type SecretOrigin = 'flag' | 'stdin' | 'env' | 'prompt';

export interface GivenSecret {
  readonly value: string;
  /** Only a prompted secret can be asked for again after a wrong answer. */
  readonly from: SecretOrigin;
}

export function secretRequired(spec: SecretSpec): LatchkeyError {
  const ways = [`${spec.flag} - (one line on stdin)`, ...(spec.env ? [`the ${spec.env} environment variable`] : []), 'a terminal to be asked on'];
  return new LatchkeyError('secret_required', `${spec.label} is needed: give it with ${ways.join(', or ')}.`, {
    details: { flag: spec.flag, ...(spec.env ? { env: spec.env } : {}) },
  });
}

/** Steps 1–3: the secret given by flag, `-` or environment, or undefined (nothing is asked). */
export async function givenSecret(spec: SecretSpec, flagValue: string | undefined): Promise<GivenSecret | undefined> {
  const flag = flagValue?.trim();
  if (flag === STDIN) return process.stdin.isTTY ? promptSecret(spec) : stdinSecret(spec);
  if (flag) return { value: flag, from: 'flag' };
  const env = spec.env === undefined ? undefined : process.env[spec.env]?.trim();
  if (env) return { value: env, from: 'env' };
  return undefined;
}

/** Steps 1–5: the given secret, else a prompt on a terminal, else `secret_required`. */
export async function requireSecret(spec: SecretSpec, flagValue: string | undefined): Promise<GivenSecret> {
  return (await givenSecret(spec, flagValue)) ?? promptSecret(spec);
}

/** Asks on the terminal with echo off (again while nothing is typed); `secret_required` without one. */
export async function promptSecret(spec: SecretSpec): Promise<GivenSecret> {
  if (!isInteractive()) throw secretRequired(spec);
  for (;;) {
    const value = (await ask(`${spec.label}: `, { hidden: true })).trim();
    if (value !== '') return { value, from: 'prompt' };
  }
}

/**
 * Runs `use` with the secret. When it was typed at the prompt and `use` fails with one of
 * `retryOn` (a wrong or mistyped code), says why on the terminal and asks again; a secret from
 * a flag, stdin or the environment fails at once, so a script gets the error.
 */
export async function retryWhilePrompted<T>(
  spec: SecretSpec,
  first: GivenSecret,
  retryOn: ReadonlySet<ErrorCode>,
  use: (value: string) => Promise<T>,
): Promise<T> {
  for (let secret = first; ; secret = await promptSecret(spec)) {
    try {
      return await use(secret.value);
    } catch (error) {
      if (!(secret.from === 'prompt' && error instanceof LatchkeyError && retryOn.has(error.code))) throw error;
      process.stderr.write(`${error.message}\n`);
    }
  }
}

async function stdinSecret(spec: SecretSpec): Promise<GivenSecret> {
  const line = (await nextStdinLine())?.trim();
  if (!line) {
    throw new LatchkeyError(
      'secret_required',
      `${spec.flag} - reads ${spec.label.toLowerCase()} from stdin, but ${line === undefined ? 'stdin ended first' : 'its line was empty'}.`,
      {
        details: { flag: spec.flag },
      },
    );
  }
  return { value: line, from: 'stdin' };
}

/**
 * Adds a secret flag with its `--help` text: what it is, the other ways to give it, and that a
 * value in the flag is visible to other local users. `asked` says when the command asks for it
 * on a terminal if it is given nowhere (false: never, absent means "not given"); `after` names
 * the secrets read from stdin before this one.
 */
export function secretOption(
  command: Command,
  spec: SecretSpec,
  what: string,
  { asked = 'on a terminal', after }: { asked?: string | false; after?: string } = {},
): Command {
  const stdin = after === undefined ? '"-" reads one line from stdin' : `"-" reads a line of stdin, after any for ${after}`;
  const ways = [stdin, ...(spec.env ? [`else $${spec.env}`] : []), ...(asked ? [`else asked ${asked}`] : [])];
  return command.option(`${spec.flag} <value>`, `${what} (${ways.join(', ')}; a value given here is visible to other local users)`);
}
