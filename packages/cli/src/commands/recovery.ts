/** `latchkey recovery-code …` (signed in) and `latchkey recover …` (from the sign-in side, no session). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parseRecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode } from '@latchkey/core/recovery-shares';
import { LatchkeyError } from '@latchkey/core/errors';
import { createEmergencyKitPdf } from '@latchkey/client/emergency-kit';
import { createRecoveryKitPdf, createRecoveryKitText } from '@latchkey/client/recovery-kit';
import { createShareCardPdf, createShareCardText } from '@latchkey/client/share-cards';
import type { Cli } from '../cli-context.ts';
import { ask, isInteractive, newPassword } from '../prompt.ts';
import { unlockedClient } from './vault.ts';
import { factorProofOptions, proofFrom, type ProofOptions } from '../factor-proof.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const intOption = (name: string) => (value: string) => {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || String(n) !== value.trim()) throw new LatchkeyError('invalid_request', `${name} must be a whole number.`);
  return n;
};

/**
 * Reads a share card's text from a file: the block that starts with "S1-" and runs to the next
 * blank line (text cards wrap the share over several lines; joined, they give it back).
 */
async function readShareFile(file: string): Promise<string> {
  const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s*S1-/i.test(l));
  if (start < 0) throw new LatchkeyError('share_invalid', `${file} holds no recovery share (a line starting with "S1-").`);
  const block: string[] = [];
  for (let i = start; i < lines.length && lines[i]!.trim() !== ''; i++) block.push(lines[i]!.trim());
  return block.join('');
}

export function recoveryCommands(program: Command, run: Run): void {
  const rc = program.command('recovery-code').description('Set up, confirm, check, split or delete your recovery code');

  factorProofOptions(
    rc
      .command('create')
      .description('Create a new recovery code (pending until you confirm it within 30 minutes; your current code keeps working until then)')
      .option('--save <file>', 'also save the code as text to this file (nothing is saved unless you ask)')
      .option('--print <file.pdf>', 'also save a printable Recovery Kit PDF to this file'),
  ).action((opts: ProofOptions & { save?: string; print?: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const { recoveryCode, status } = await client.recoveryCode.create(proofFrom(opts));
        const account = await client.whoami();
        const kit = { email: account.email, signInAddress: client.server, recoveryCode };
        if (opts.save !== undefined) await writeFile(opts.save, createRecoveryKitText(kit), { mode: 0o600 });
        if (opts.print !== undefined) await writeFile(opts.print, await createRecoveryKitPdf(kit), { mode: 0o600 });
        cli.out.result({ recoveryCode, status: status.status === 'active' ? 'pending' : status.status, pendingReplacement: status.pendingReplacement }, () =>
          [
            'Your new recovery code (shown once):',
            '',
            `  ${recoveryCode}`,
            '',
            'Store it offline, somewhere safe. It stays valid after use.',
            'It does not count until you confirm it:',
            '  latchkey recovery-code confirm --code "<the code>"',
          ].join('\n'),
        );
      }),
    );

  rc.command('confirm')
    .description('Confirm the new recovery code by entering it: only then does it replace the old one')
    .requiredOption('--code <code>', 'the new recovery code')
    .action((opts: { code: string }) =>
      run(async (cli) => {
        const status = await (await cli.client()).recoveryCode.confirm(opts.code);
        cli.out.result({ status: status.status }, () => 'Recovery code confirmed and active. Any previous code no longer works.');
      }),
    );

  rc.command('status')
    .description('Show whether a recovery code is set up, and reminders')
    .action(() =>
      run(async (cli) => {
        const status = await (await cli.client()).recoveryCode.status();
        cli.out.result(status, () =>
          [
            `Recovery code: ${status.status}${status.pendingReplacement ? ' (a new code waits for confirmation)' : ''}`,
            status.reminder === 'set-up' ? 'Reminder: set up a recovery code (latchkey recovery-code create).' : '',
            status.reminder === 'check' ? 'Reminder: you have not checked your recovery code for a year (latchkey recovery-code check --code …).' : '',
            status.locked ? `Recovery is locked after ${status.failedAttempts} wrong codes; check your code to unlock it.` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  rc.command('check')
    .description('Test a recovery code without recovering anything')
    .requiredOption('--code <code>', 'the recovery code to test')
    .action((opts: { code: string }) =>
      run(async (cli) => {
        const valid = await (await cli.client()).recoveryCode.check(opts.code);
        cli.out.result({ valid }, () => (valid ? 'This recovery code works.' : 'This is NOT your current recovery code.'));
      }),
    );

  factorProofOptions(rc.command('delete').description('Delete your recovery code (it stops working at once)')).action((opts: ProofOptions) =>
      run(async (cli) => {
        const status = await (await unlockedClient(cli)).recoveryCode.delete(proofFrom(opts));
        cli.out.result({ status: status.status }, () => 'Recovery code deleted.');
      }),
    );

  rc.command('split')
    .description('Split a recovery code into share cards, any THRESHOLD of which rebuild it (done entirely on this device)')
    .requiredOption('--code <code>', 'the recovery code')
    .requiredOption('--shares <n>', 'how many share cards to make', intOption('--shares'))
    .requiredOption('--threshold <k>', 'how many cards are needed to rebuild the code', intOption('--threshold'))
    .requiredOption('--out <dir>', 'the folder to write the cards to')
    .option('--email <email>', 'the account email printed on the cards (default: the signed-in account)')
    .action((opts: { code: string; shares: number; threshold: number; out: string; email?: string }) =>
      run(async (cli) => {
        const code = parseRecoveryCode(opts.code);
        const session = (await cli.store.read()).session;
        const email = opts.email ?? session?.email ?? '';
        const signInAddress = session?.server ?? '';
        const shares = await splitRecoveryCode(code, { total: opts.shares, threshold: opts.threshold });
        await mkdir(opts.out, { recursive: true, mode: 0o700 });
        const files: string[] = [];
        for (const share of shares) {
          const base = path.join(opts.out, `recovery-share-${share.index}-of-${share.total}`);
          await writeFile(`${base}.txt`, createShareCardText({ email, signInAddress, share }), { mode: 0o600 });
          await writeFile(`${base}.pdf`, await createShareCardPdf({ email, signInAddress, share }), { mode: 0o600 });
          files.push(`${base}.txt`, `${base}.pdf`);
        }
        cli.out.result({ files, threshold: opts.threshold, shares: opts.shares }, () => `Wrote ${shares.length} share cards (any ${opts.threshold} rebuild the code):\n${files.join('\n')}`);
      }),
    );

  program
    .command('recover')
    .description('Recover your account with your recovery code: first sends an email code, then (with --email-code) sets a new password and Secret Key')
    .requiredOption('--server <url>', 'the Latchkey server')
    .requiredOption('--email <email>', 'your account email')
    .option('--email-code <code>', 'the code from the recovery email')
    .option('--recovery-code <code>', 'your recovery code')
    .option('--shares <files...>', 'share card files to rebuild the recovery code from')
    .option('--emergency-kit <file.pdf>', 'save the new Emergency Kit PDF to this file')
    .action((opts: { server: string; email: string; emailCode?: string; recoveryCode?: string; shares?: string[]; emergencyKit?: string }) =>
      run(async (cli) => {
        const client = await cli.client(opts.server);
        let emailCode = opts.emailCode;
        if (emailCode === undefined) {
          await client.recovery.start(opts.email);
          if (!isInteractive()) {
            cli.out.result({ status: 'verification_sent' }, () => `A code was sent to ${opts.email}. Run this command again with --email-code CODE and --recovery-code (or --shares).`);
            return;
          }
          emailCode = (await ask(`Code from the email sent to ${opts.email}: `)).trim();
        }
        const shares = opts.shares ? await Promise.all(opts.shares.map(readShareFile)) : undefined;
        const recoveryCode = opts.recoveryCode ?? (shares === undefined ? await ask('Recovery code: ', { hidden: true }) : undefined);
        const password = await newPassword();
        const result = await client.recovery.complete({ email: opts.email, emailCode, newPassword: password, ...(recoveryCode ? { recoveryCode } : {}), ...(shares ? { shares } : {}) });
        if (opts.emergencyKit !== undefined) {
          await writeFile(opts.emergencyKit, await createEmergencyKitPdf({ signInAddress: client.server, email: opts.email, secretKey: result.secretKey }), { mode: 0o600 });
        }
        cli.out.result({ secretKey: result.secretKey, signedOutSessions: result.signedOutSessions, recoveryCodeStillValid: true }, () =>
          [
            'Your account is recovered. Every session and device was signed out.',
            '',
            `New Secret Key: ${result.secretKey}`,
            'Save a new Emergency Kit (run again with --emergency-kit FILE.pdf, or write the key down now).',
            '',
            'Your recovery code still works. If anyone else may have seen it, replace it after signing in:',
            '  latchkey recovery-code create',
          ].join('\n'),
        );
      }),
    );
}
