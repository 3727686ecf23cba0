/** Runs the server from its flags, for `latchkey server` (src/server-main.ts, or the CLI's own `server` command). */
import { ConfigError, loadConfig, redactConfig, type ServerConfig } from '@latchkey/server/config';
import { startServer } from '@latchkey/server/server';

export async function runServer(flags: readonly string[]): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig([...flags], process.env);
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
}
