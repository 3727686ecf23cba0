/**
 * The `--otp` / `--backup-code` options every command takes that changes what could lock the
 * owner out while two-step verification is on (factors, credentials, the recovery code). Each
 * is a secret (secret-input.ts): a value, `-`, `LATCHKEY_OTP` / `LATCHKEY_BACKUP_CODE`, or, on a
 * terminal, a prompt once the server says a proof is needed. Security keys need a browser: use
 * the web app for a security-key proof.
 */
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { isInteractive } from './prompt.ts';
import { SECRETS, givenSecret, promptSecret, secretOption } from './secret-input.ts';

export interface ProofOptions {
  otp?: string;
  backupCode?: string;
}

export type FactorProof = { otp?: string; backupCode?: string };

const MAX_PROMPTED_CODES = 5;

/** The proof given by flag, `-` or environment (`--otp` first when both read stdin); empty when neither. */
export async function givenProof(opts: ProofOptions): Promise<FactorProof> {
  const otp = await givenSecret(SECRETS.otp, opts.otp);
  const backupCode = await givenSecret(SECRETS.backupCode, opts.backupCode);
  return { ...(otp ? { otp: otp.value } : {}), ...(backupCode ? { backupCode: backupCode.value } : {}) };
}

const isEmpty = (proof: FactorProof) => proof.otp === undefined && proof.backupCode === undefined;

/** Asks on the terminal for a code from the app or a backup code, told apart by their shape. */
export async function promptProof(): Promise<{ otp: string } | { backupCode: string }> {
  const { value } = await promptSecret({ ...SECRETS.otp, label: 'Code from your authenticator app, or a backup code' });
  const digits = value.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? { otp: digits } : { backupCode: value };
}

const hasCode = (error: unknown, code: string) => error instanceof LatchkeyError && error.code === code;

/**
 * Runs `action` with the given proof. When none was given and the server wants one
 * (`second_factor_required`), asks on a terminal and runs it again, asking again after a wrong
 * code (up to 5). Without a terminal the server's `second_factor_required` is the answer.
 */
export async function withFactorProof<T>(opts: ProofOptions, action: (proof: FactorProof) => Promise<T>): Promise<T> {
  const given = await givenProof(opts);
  try {
    return await action(given);
  } catch (error) {
    if (!(hasCode(error, 'second_factor_required') && isEmpty(given) && isInteractive())) throw error;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(await promptProof());
    } catch (error) {
      if (!(hasCode(error, 'invalid_code') && attempt < MAX_PROMPTED_CODES)) throw error;
      process.stderr.write('That code is not right, or it was already used. Try again.\n');
    }
  }
}

/** For commands that always need a proof: the given one, else asked for on a terminal, else `second_factor_required`. */
export async function requireFactorProof(opts: ProofOptions, missing: string): Promise<FactorProof> {
  const given = await givenProof(opts);
  if (!isEmpty(given)) return given;
  if (!isInteractive()) throw new LatchkeyError('second_factor_required', missing);
  return promptProof();
}

/** Adds `--otp` and `--backup-code`; `need` says when the command needs one. */
export function factorProofOptions(command: Command, need = 'needed when two-step verification is on', after?: string): Command {
  secretOption(command, SECRETS.otp, `a code from your authenticator app, ${need}`, { asked: 'on a terminal when needed', ...(after ? { after } : {}) });
  return secretOption(command, SECRETS.backupCode, 'a backup code instead of --otp', {
    asked: 'on a terminal when needed',
    after: after ? `${after} and --otp` : '--otp',
  });
}
