/**
 * `latchkey server …`: the same as `npm start`. Flags are parsed by the server's own configuration.
 * bin/latchkey.js runs src/server-main.ts instead of the whole CLI when `server` comes first; this
 * command is for the help and for global options written before it.
 */
import type { Command } from 'commander';
import { runServer } from '../server-run.ts';

export function serverCommand(program: Command): void {
  program
    .command('server')
    .description(
      'Run the Latchkey server and web app (flags: --data-dir, --port, --host, --public-url, --database-url, --smtp-url, --smtp-from, --log-level, --server-keys-file, --trust-proxy)',
    )
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[flags...]')
    .action((flags: string[]) => runServer(flags));
}
