/** Account commands: signup, signin, signout, whoami, password and Secret Key changes, security log. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createEmergencyKitPdf, createEmergencyKitText } from '@latchkey/client/emergency-kit';
import { accountKey } from '@latchkey/client/local-store';
import type { TwoStepProof } from '@latchkey/client/client';
import type { Cli, GlobalOptions } from '../cli-context.ts';
import { ask, currentPassword, isInteractive, newPassword } from '../prompt.ts';
import { factorProofOptions, givenProof, promptProof, withFactorProof, type ProofOptions } from '../factor-proof.ts';
import { SECRETS, givenSecret, promptSecret, secretOption } from '../secret-input.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

export function accountCommands(program: Command, run: Run): void {
  const signup = program
    .command('signup')
    .description('Create an account: first sends a verification code to the email, then (with --email-code) creates the account')
    .requiredOption('--server <url>', 'the Latchkey server, e.g. http://127.0.0.1:8080')
    .requiredOption('--email <email>', 'your email address')
    .option('--name <name>', 'your name');
  secretOption(signup, SECRETS.emailCode, 'the code from the verification email; given nowhere, the email is sent first', {
    asked: 'on a terminal after sending it',
  })
    .option('--emergency-kit <file.pdf>', 'save the Emergency Kit PDF to this file (nothing is saved unless you ask)')
    .action((opts: { server: string; email: string; name?: string; emailCode?: string; emergencyKit?: string }) =>
      run(async (cli) => {
        const client = await cli.client(opts.server);
        let code = (await givenSecret(SECRETS.emailCode, opts.emailCode))?.value;
        if (code === undefined) {
          await client.signup.start(opts.email);
          if (!isInteractive()) {
            cli.out.result(
              { status: 'verification_sent' },
              () => `A verification code was sent to ${opts.email}. Run this command again with --email-code - (the code on stdin) or LATCHKEY_EMAIL_CODE.`,
            );
            return;
          }
          code = (await promptSecret({ ...SECRETS.emailCode, label: `Code from the email sent to ${opts.email}` })).value;
        }
        const name = opts.name ?? (await ask('Your name: '));
        const password = await newPassword([opts.email, name, client.server]);
        const { secretKey, email } = await client.signup.complete({ email: opts.email, name, code, password });
        const kit = { signInAddress: client.server, email, name, secretKey };
        if (opts.emergencyKit !== undefined) await writeFile(opts.emergencyKit, await createEmergencyKitPdf(kit), { mode: 0o600 });
        cli.out.result({ email, secretKey, ...(opts.emergencyKit ? { emergencyKit: opts.emergencyKit } : {}) }, () =>
          [
            `Account created for ${email}; you are signed in.`,
            '',
            createEmergencyKitText(kit),
            opts.emergencyKit
              ? `Emergency Kit saved to ${opts.emergencyKit}.`
              : 'Save this Emergency Kit (or run with --emergency-kit FILE.pdf next time you need a PDF).',
          ].join('\n'),
        );
      }),
    );

  const signin = program
    .command('signin')
    .description('Sign in; on a new device give the Secret Key (--secret-key -, LATCHKEY_SECRET_KEY, or enter it when asked)')
    .requiredOption('--server <url>', 'the Latchkey server')
    .requiredOption('--email <email>', 'your email address');
  secretOption(signin, SECRETS.secretKey, 'your Secret Key from the Emergency Kit, remembered on this device afterwards', {
    asked: 'on a terminal when this device does not know it',
  });
  factorProofOptions(signin, 'needed if two-step verification is on', '--secret-key').action(
    (opts: { server: string; email: string; secretKey?: string } & ProofOptions) =>
      run(async (cli) => {
        const client = await cli.client(opts.server);
        // Asked in the order the sign-in form has them: Secret Key (only on a device that does not know it), password, second step.
        let secretKey = (await givenSecret(SECRETS.secretKey, opts.secretKey))?.value;
        const given = await givenProof(opts);
        const state = await cli.store.read();
        const key = accountKey(client.server, opts.email);
        const known = state.secretKeys?.[key] !== undefined || state.pendingSecretKeys?.[key] !== undefined;
        if (secretKey === undefined && !known && isInteractive()) secretKey = (await promptSecret(SECRETS.secretKey)).value;
        const password = await currentPassword();
        // Without a given code, a terminal is asked only if the account wants one (the SDK asks again after a wrong code).
        let asked = 0;
        const askForCode = async (): Promise<TwoStepProof> => {
          if (asked++ > 0) process.stderr.write('That code is not right, or it was already used. Try again.\n');
          return promptProof();
        };
        const twoStep: TwoStepProof | (() => Promise<TwoStepProof>) | undefined =
          given.otp !== undefined
            ? { otp: given.otp }
            : given.backupCode !== undefined
              ? { backupCode: given.backupCode }
              : isInteractive()
                ? askForCode
                : undefined;
        const account = await client.signIn({ email: opts.email, password, ...(secretKey ? { secretKey } : {}), ...(twoStep ? { twoStep } : {}) });
        cli.out.result({ email: account.email, name: account.name }, () => `Signed in as ${account.email}.`);
      }),
  );

  program
    .command('signout')
    .description('End this session and forget it on this device')
    .action(() =>
      run(async (cli) => {
        const state = await cli.store.read();
        if (state.session !== undefined) await (await cli.client()).signOut();
        cli.out.result({ status: 'signed_out' }, () => 'Signed out.');
      }),
    );

  program
    .command('whoami')
    .description('Show the signed-in account')
    .action(() =>
      run(async (cli) => {
        const account = await (await cli.client()).whoami();
        cli.out.result({ email: account.email, name: account.name, id: account.id }, () => `${account.name} <${account.email}>`);
      }),
    );

  const account = program.command('account').description('Change credentials and read the security log');
  factorProofOptions(
    account
      .command('change-password')
      .description('Change the account password (current from LATCHKEY_PASSWORD, new from LATCHKEY_NEW_PASSWORD); other sessions are signed out'),
  ).action((opts: ProofOptions) =>
    run(async (cli) => {
      const client = await cli.client();
      const current = await currentPassword();
      const next = await newPassword();
      const result = await withFactorProof(opts, (proof) => client.account.changePassword(current, next, proof));
      cli.out.result(
        { status: 'changed', signedOutSessions: result.signedOutSessions },
        () => `Password changed; ${result.signedOutSessions} other session(s) signed out.`,
      );
    }),
  );
  factorProofOptions(
    account
      .command('change-secret-key')
      .description('Replace the Secret Key; prints the new one (and saves a new Emergency Kit if asked)')
      .option('--emergency-kit <file.pdf>', 'save the new Emergency Kit PDF to this file'),
  ).action((opts: ProofOptions & { emergencyKit?: string }) =>
    run(async (cli) => {
      const client = await cli.client();
      const password = await currentPassword();
      const result = await withFactorProof(opts, (proof) => client.account.changeSecretKey(password, proof));
      const profile = await client.whoami();
      const kit = { signInAddress: client.server, email: profile.email, name: profile.name, secretKey: result.secretKey };
      if (opts.emergencyKit !== undefined) await writeFile(opts.emergencyKit, await createEmergencyKitPdf(kit), { mode: 0o600 });
      cli.out.result(
        { secretKey: result.secretKey, signedOutSessions: result.signedOutSessions },
        () => `Secret Key changed.\n\n${createEmergencyKitText(kit)}`,
      );
    }),
  );
  account
    .command('log')
    .description('Show the security log of the account')
    .action(() =>
      run(async (cli) => {
        const events = await (await cli.client()).securityLog();
        cli.out.result(events, () => events.map((e) => `${e.createdAt}  ${e.type}${e.ip ? `  from ${e.ip}` : ''}`).join('\n') || 'No events.');
      }),
    );
}

export type { GlobalOptions };
