/** `latchkey unlock [--raw] [--idle-timeout MIN]` and `latchkey lock`: unlocked sessions for scripts. */
import type { Command } from 'commander';
import { updateStore } from '@latchkey/client/local-store';
import { DEFAULT_IDLE_TIMEOUT_MINUTES } from '@latchkey/client/unlocked-session';
import type { Cli } from '../cli-context.ts';
import { currentPassword } from '../prompt.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

export function unlockCommands(program: Command, run: Run): void {
  program
    .command('unlock')
    .description('Unlock once and print a session token: with LATCHKEY_SESSION set, later commands need no password')
    .option('--raw', 'print only the token (export LATCHKEY_SESSION=$(latchkey unlock --raw))')
    .option('--idle-timeout <minutes>', `lock after this many minutes unused (default ${DEFAULT_IDLE_TIMEOUT_MINUTES})`, (v) => Number(v))
    .action((opts: { raw?: boolean; idleTimeout?: number }) =>
      run(async (cli) => {
        const client = await cli.client();
        const started = await client.unlockedSession.start(await currentPassword(), { idleTimeoutMinutes: opts.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MINUTES });
        if (opts.raw && !cli.out.json) {
          process.stdout.write(`${started.token}\n`);
          return;
        }
        cli.out.result({ token: started.token, idleTimeoutMinutes: started.idleTimeoutMinutes }, () =>
          [
            'Unlocked. To use it in this shell, run:',
            '',
            `  export LATCHKEY_SESSION="${started.token}"`,
            '',
            `Commands with it need no password. It locks after ${started.idleTimeoutMinutes} minutes unused, on \`latchkey lock\`, on sign-out, or when the session ends.`,
          ].join('\n'),
        );
      }),
    );

  program
    .command('lock')
    .description('End the unlocked session on this device: every session token for it stops working')
    .action(() =>
      run(async (cli) => {
        // No server call: locking works offline and without a session, and ends every token at once.
        let ended = false;
        await updateStore(cli.store, (s) => {
          ended = s.unlocked !== undefined;
          delete s.unlocked;
        });
        cli.out.result({ locked: true, wasUnlocked: ended }, () => (ended ? 'Locked. The session token no longer works.' : 'Nothing was unlocked.'));
      }),
    );
}
