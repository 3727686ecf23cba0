/** `latchkey recovery-code …` (signed in) and `latchkey recover …` (from the sign-in side, no session). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parseRecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode } from '@latchkey/core/recovery-shares';
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';
import { createEmergencyKitPdf } from '@latchkey/client/emergency-kit';
import { createRecoveryKitPdf, createRecoveryKitText } from '@latchkey/client/recovery-kit';
import { createShareCardPdf, createShareCardText } from '@latchkey/client/share-cards';
import { recoveryCodeOf } from '@latchkey/client/recovery';
import type { RecoveryGrant } from '@latchkey/client/recovery-grant';
import type { LatchkeyClient } from '@latchkey/client/client';
import type { SecretKey } from '@latchkey/core/secret-key';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { isInteractive, newPassword, newPasswordPrompted, requireNewPasswordAvailable } from '../prompt.ts';
import { factorProofOptions, withFactorProof, type ProofOptions } from '../factor-proof.ts';
import {
  SECRETS,
  STDIN,
  givenSecret,
  promptSecret,
  requireSecret,
  retryWhilePrompted,
  secretOption,
  secretRequired,
  type GivenSecret,
} from '../secret-input.ts';
import { restOfStdin } from '../stdin-lines.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const intOption = (name: string) => (value: string) => {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || String(n) !== value.trim()) throw new LatchkeyError('invalid_request', `${name} must be a whole number.`);
  return n;
};

/**
 * The shares in a text: each block that starts with a line "S1-…" and runs to the next blank
 * line (text cards wrap the share over several lines; joined, they give it back).
 */
function sharesIn(lines: readonly string[]): string[] {
  const shares: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*S1-/i.test(lines[i]!)) continue;
    const block: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== ''; i++) block.push(lines[i]!.trim());
    shares.push(block.join(''));
  }
  return shares;
}

/** A share card's text from a file (its first share), or, for `-`, every share on the rest of stdin. */
async function readShares(files: readonly string[]): Promise<string[]> {
  const shares: string[] = [];
  for (const file of files) {
    const found = file === STDIN ? sharesIn(await restOfStdin()) : sharesIn((await readFile(file, 'utf8')).split(/\r?\n/)).slice(0, 1);
    if (found.length === 0)
      throw new LatchkeyError('share_invalid', `${file === STDIN ? 'stdin' : file} holds no recovery share (a line starting with "S1-").`);
    shares.push(...found);
  }
  return shares;
}

/** Failures after which a typed emailed code may be typed again (the server allows 5 guesses). */
const EMAIL_CODE_RETRY: ReadonlySet<ErrorCode> = new Set(['invalid_code']);
/** Failures after which a typed recovery code may be typed again: the ticket stays live. */
const RECOVERY_CODE_RETRY: ReadonlySet<ErrorCode> = new Set(['invalid_recovery_code', 'recovery_code_typo', 'recovery_code_malformed']);

/**
 * `recover` with the emailed code in hand, one step at a time (docs/protocol.md §14.5): the
 * emailed code is checked first, then the recovery code is proven (asked again after a wrong
 * one, with the same emailed code), and only then is the new password asked for. Secrets a
 * script gives are all checked for presence, and the code for typos, before the first request,
 * so a missing or mistyped one costs no emailed code.
 */
async function recoverWithEmailCode(
  client: LatchkeyClient,
  email: string,
  emailCode: GivenSecret,
  opts: { recoveryCode?: string; shares?: string[] },
): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
  const shares = opts.shares ? await readShares(opts.shares) : undefined;
  // On a terminal, `--recovery-code -` is a prompt: asked in its place, after the emailed code is checked.
  const codeFlag = opts.recoveryCode?.trim() === STDIN && process.stdin.isTTY ? undefined : opts.recoveryCode;
  const givenCode = shares ? undefined : await givenSecret(SECRETS.recoveryCode, codeFlag);
  if (shares === undefined && givenCode === undefined && !isInteractive()) throw secretRequired(SECRETS.recoveryCode);
  await requireNewPasswordAvailable([email, client.server]);
  // Checked on this device before any request: a typo or a bad card costs nothing.
  const known = shares
    ? await recoveryCodeOf({ shares })
    : givenCode && givenCode.from !== 'prompt'
      ? await recoveryCodeOf({ recoveryCode: givenCode.value })
      : undefined;

  const emailCodeSpec = { ...SECRETS.emailCode, label: `Code from the email sent to ${email}` };
  const ticket = await retryWhilePrompted(emailCodeSpec, emailCode, EMAIL_CODE_RETRY, (code) => client.recovery.verifyEmail({ email, emailCode: code }));
  const grant: RecoveryGrant = known
    ? await client.recovery.prove(ticket, { recoveryCode: known })
    : await retryWhilePrompted(SECRETS.recoveryCode, givenCode ?? (await promptSecret(SECRETS.recoveryCode)), RECOVERY_CODE_RETRY, (code) =>
        client.recovery.prove(ticket, { recoveryCode: code }),
      );
  if (newPasswordPrompted()) process.stderr.write('Your recovery code is right. Choose a new account password; this device then makes your new Secret Key.\n');
  try {
    for (;;) {
      try {
        return await grant.setCredentials(await newPassword([email, client.server]));
      } catch (error) {
        // A typed password that differs or is refused by the rule is asked for again: the grant is still good.
        if (
          !(
            newPasswordPrompted() &&
            !grant.spent &&
            error instanceof LatchkeyError &&
            (error.code === 'invalid_request' || error.code === 'password_too_short' || error.code === 'password_too_weak')
          )
        )
          throw error;
        process.stderr.write(`${error.message} Try again.\n`);
      }
    }
  } finally {
    grant.discard();
  }
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
      const { recoveryCode, status } = await withFactorProof(opts, (proof) => client.recoveryCode.create(proof));
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
          '  latchkey recovery-code confirm   (asks for it; or --code -, or LATCHKEY_RECOVERY_CODE)',
        ].join('\n'),
      );
    }),
  );

  secretOption(
    rc.command('confirm').description('Confirm the new recovery code by entering it: only then does it replace the old one'),
    SECRETS.code,
    'the new recovery code',
  ).action((opts: { code?: string }) =>
    run(async (cli) => {
      const client = await cli.client();
      const status = await client.recoveryCode.confirm((await requireSecret(SECRETS.code, opts.code)).value);
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
            status.reminder === 'check' ? 'Reminder: you have not checked your recovery code for a year (latchkey recovery-code check).' : '',
            status.locked ? `Recovery is locked after ${status.failedAttempts} wrong codes; check your code to unlock it.` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  secretOption(rc.command('check').description('Test a recovery code without recovering anything'), SECRETS.code, 'the recovery code to test').action(
    (opts: { code?: string }) =>
      run(async (cli) => {
        const client = await cli.client();
        const valid = await client.recoveryCode.check((await requireSecret(SECRETS.code, opts.code)).value);
        cli.out.result({ valid }, () => (valid ? 'This recovery code works.' : 'This is NOT your current recovery code.'));
      }),
  );

  factorProofOptions(rc.command('delete').description('Delete your recovery code (it stops working at once)')).action((opts: ProofOptions) =>
    run(async (cli) => {
      const client = await unlockedClient(cli);
      const status = await withFactorProof(opts, (proof) => client.recoveryCode.delete(proof));
      cli.out.result({ status: status.status }, () => 'Recovery code deleted.');
    }),
  );

  secretOption(
    rc.command('split').description('Split a recovery code into share cards, any THRESHOLD of which rebuild it (done entirely on this device)'),
    SECRETS.code,
    'the recovery code',
  )
    .requiredOption('--shares <n>', 'how many share cards to make', intOption('--shares'))
    .requiredOption('--threshold <k>', 'how many cards are needed to rebuild the code', intOption('--threshold'))
    .requiredOption('--out <dir>', 'the folder to write the cards to')
    .option('--email <email>', 'the account email printed on the cards (default: the signed-in account)')
    .action((opts: { code?: string; shares: number; threshold: number; out: string; email?: string }) =>
      run(async (cli) => {
        const code = parseRecoveryCode((await requireSecret(SECRETS.code, opts.code)).value);
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
        cli.out.result(
          { files, threshold: opts.threshold, shares: opts.shares },
          () => `Wrote ${shares.length} share cards (any ${opts.threshold} rebuild the code):\n${files.join('\n')}`,
        );
      }),
    );

  const recover = program
    .command('recover')
    .description(
      'Recover your account with your recovery code: sends an email code; with it, checks it, proves the recovery code, and only then asks for a new password (LATCHKEY_NEW_PASSWORD in scripts)',
    )
    .requiredOption('--server <url>', 'the Latchkey server')
    .requiredOption('--email <email>', 'your account email');
  secretOption(recover, SECRETS.emailCode, 'the code from the recovery email; given nowhere, the email is sent first', {
    asked: 'on a terminal after sending it',
  });
  secretOption(recover, SECRETS.recoveryCode, 'your recovery code', { asked: 'on a terminal, again after a wrong code', after: '--email-code' })
    .option(
      '--shares <files...>',
      'share card files to rebuild the recovery code from, instead of it (the names are not secret; "-" reads every card on the rest of stdin, after --email-code, separated by blank lines)',
    )
    .option('--emergency-kit <file.pdf>', 'save the new Emergency Kit PDF to this file')
    .action((opts: { server: string; email: string; emailCode?: string; recoveryCode?: string; shares?: string[]; emergencyKit?: string }) =>
      run(async (cli) => {
        const client = await cli.client(opts.server);
        let emailCode = await givenSecret(SECRETS.emailCode, opts.emailCode);
        if (emailCode === undefined) {
          await client.recovery.start(opts.email);
          if (!isInteractive()) {
            cli.out.result(
              { status: 'verification_sent' },
              () => `A code was sent to ${opts.email}. Run this command again with it (--email-code - reads it from stdin, or set LATCHKEY_EMAIL_CODE).`,
            );
            return;
          }
          emailCode = await promptSecret({ ...SECRETS.emailCode, label: `Code from the email sent to ${opts.email}` });
        }
        const result = await recoverWithEmailCode(client, opts.email, emailCode, opts);
        if (opts.emergencyKit !== undefined) {
          await writeFile(opts.emergencyKit, await createEmergencyKitPdf({ signInAddress: client.server, email: opts.email, secretKey: result.secretKey }), {
            mode: 0o600,
          });
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
