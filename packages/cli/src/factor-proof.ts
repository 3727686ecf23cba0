/**
 * The `--otp` / `--backup-code` options every command takes that changes what could lock the
 * owner out while two-step verification is on (factors, credentials, the recovery code).
 * Security keys need a browser: use the web app for a security-key proof.
 */
import type { Command } from 'commander';

export interface ProofOptions {
  otp?: string;
  backupCode?: string;
}

export const proofFrom = (opts: ProofOptions): { otp?: string; backupCode?: string } => ({
  ...(opts.otp ? { otp: opts.otp } : {}),
  ...(opts.backupCode ? { backupCode: opts.backupCode } : {}),
});

/** Adds `--otp` and `--backup-code`, described for a command needed "if two-step verification is on". */
export function factorProofOptions(command: Command): Command {
  return command
    .option('--otp <code>', 'a code from your authenticator app (needed when two-step verification is on)')
    .option('--backup-code <code>', 'a backup code instead of --otp');
}
