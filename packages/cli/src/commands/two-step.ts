/** `latchkey two-step …`: authenticator app (TOTP) and backup codes. Security keys need a browser: use the web app. */
import type { Command } from 'commander';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { factorProofOptions, requireFactorProof, withFactorProof, type ProofOptions } from '../factor-proof.ts';
import { SECRETS, requireSecret, secretOption } from '../secret-input.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const codesText = (codes: string[]) =>
  codes.length === 0
    ? 'Your existing backup codes stay valid.'
    : ['Backup codes (each works once; shown only now — store them safely):', ...codes.map((c) => `  ${c}`)].join('\n');

export function twoStepCommands(program: Command, run: Run): void {
  const tf = program.command('two-step').alias('2fa').description('Two-step verification: authenticator app and backup codes');

  tf.command('status')
    .description('Show which two-step methods are on and how many backup codes remain')
    .action(() =>
      run(async (cli) => {
        const s = await (await cli.client()).twoStep.status();
        cli.out.result(
          { totp: s.totp, securityKeys: s.securityKeys.length, backupCodesRemaining: s.backupCodesRemaining, regenerateBackupCodes: s.regenerateBackupCodes },
          () =>
            [
              `Authenticator app: ${s.totp ? 'on' : 'off'}`,
              `Security keys: ${s.securityKeys.length}`,
              `Backup codes remaining: ${s.backupCodesRemaining}`,
              s.regenerateBackupCodes ? 'Few backup codes remain: run `latchkey two-step backup-codes regenerate`.' : '',
            ]
              .filter(Boolean)
              .join('\n'),
        );
      }),
    );

  const totp = tf.command('totp').description('Authenticator app (TOTP)');
  factorProofOptions(
    totp.command('enable').description('Start setting up an authenticator app (then confirm with a first code)'),
    'needed if two-step verification is already on',
  ).action((opts: ProofOptions) =>
    run(async (cli) => {
      const client = await unlockedClient(cli);
      const { secret, uri } = await withFactorProof(opts, (proof) => client.twoStep.enableTotp(proof));
      cli.out.result(
        { secret, uri },
        () =>
          `Add this to your authenticator app (scan in the web app, or enter the key):\n  key: ${secret}\n  ${uri}\nThen run: latchkey two-step totp confirm (it asks for the code, or give --otp -)`,
      );
    }),
  );
  secretOption(
    totp
      .command('confirm')
      .description(
        'Confirm the authenticator app with its current code (within 10 minutes of enable; asks for your password again); prints backup codes when two-step verification is turned on',
      ),
    SECRETS.otp,
    'the 6-digit code your app shows now',
  ).action((opts: { otp?: string }) =>
    run(async (cli) => {
      const otp = (await requireSecret(SECRETS.otp, opts.otp)).value;
      const backupCodes = await (await unlockedClient(cli)).twoStep.confirmTotp(otp);
      cli.out.result({ backupCodes }, () => `Authenticator app turned on.\n${codesText(backupCodes)}`);
    }),
  );
  factorProofOptions(totp.command('disable').description('Turn the authenticator app off (needs a current code or a backup code)'), 'always needed').action(
    (opts: ProofOptions) =>
      run(async (cli) => {
        const proof = await requireFactorProof(opts, 'Give --otp (or --backup-code) to turn the authenticator app off.');
        await (await unlockedClient(cli)).twoStep.disableTotp(proof);
        cli.out.result({}, () => 'Authenticator app turned off.');
      }),
  );

  factorProofOptions(
    tf
      .command('backup-codes')
      .description('Backup codes')
      .command('regenerate')
      .description('Create 10 new backup codes; every old one stops working (needs a current code or a backup code)'),
    'always needed',
  ).action((opts: ProofOptions) =>
    run(async (cli) => {
      const proof = await requireFactorProof(opts, 'Give --otp (or --backup-code) to create new backup codes.');
      const backupCodes = await (await unlockedClient(cli)).twoStep.regenerateBackupCodes(proof);
      cli.out.result({ backupCodes }, () => codesText(backupCodes));
    }),
  );
}
