/** `latchkey session list | revoke`. */
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { parseSessionId } from '@latchkey/core/ids';
import type { Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

export function sessionCommands(program: Command, run: Run): void {
  const session = program.command('session').description('List and end sessions');
  session
    .command('list')
    .description('List the sessions of your account')
    .action(() =>
      run(async (cli) => {
        const sessions = await (await cli.client()).sessions.list();
        cli.out.result(sessions, () =>
          sessions
            .map(
              (s) =>
                `${s.id}  ${s.deviceName} (${s.platform})  last used ${s.lastUsedAt}${s.ip !== null ? `  signed in from ${s.ip}` : ''}${s.current ? '  [this one]' : ''}`,
            )
            .join('\n'),
        );
      }),
    );
  session
    .command('revoke')
    .description('End one session by id, or every other session with --all-others')
    .argument('[id]', 'session id')
    .option('--all-others', 'sign out everywhere except here')
    .action((id: string | undefined, opts: { allOthers?: boolean }) =>
      run(async (cli) => {
        const client = await cli.client();
        if (opts.allOthers) {
          const revoked = await client.sessions.revokeOthers();
          cli.out.result({ revoked }, () => `Signed out ${revoked} other session(s).`);
          return;
        }
        if (id === undefined) throw new LatchkeyError('invalid_request', 'Give a session id or --all-others.');
        await client.sessions.revoke(parseSessionId(id));
        cli.out.result({ revoked: 1 }, () => `Session ${id} ended.`);
      }),
    );
}
