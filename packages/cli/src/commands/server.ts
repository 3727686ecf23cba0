/** `latchkey server …`: the same as `npm start`. Flags are parsed by the server's own configuration. */
import type { Command } from 'commander';
import { ConfigError, loadConfig, redactConfig, type ServerConfig } from '@latchkey/server/config';
import { startServer } from '@latchkey/server/server';

export function serverCommand(program: Command): void {
  program
    .command('server')
    .description(
      'Run the Latchkey server and web app (flags: --data-dir, --port, --host, --public-url, --database-url, --smtp-url, --smtp-from, --log-level, --server-keys-file, --trust-proxy)',
    )
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[flags...]')
    .action(async (flags: string[]) => {
      let config: ServerConfig;
      try {
        config = loadConfig(flags, process.env);
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`Error: ${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      const server = await startServer(config);
      const shown = redactConfig(config);
      process.stderr.write(
        `Latchkey is running at ${server.url} (database: ${shown.databaseUrl ?? `embedded SQLite, ${shown.dataDir}/latchkey.db`}; email: ${shown.smtpUrl ?? `outbox ${shown.dataDir}/outbox`})\n`,
      );
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
