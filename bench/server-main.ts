/**
 * What `latchkey server` does (packages/cli/src/commands/server.ts), without the rest of the CLI:
 * parse the flags with the server's own `loadConfig`, `startServer`, print where it listens.
 * The throughput benchmarks start the server through this file so that unrelated CLI commands
 * cannot affect them; the idle-memory benchmark uses the real CLI, as an operator would.
 */
import { loadConfig, redactConfig } from '@latchkey/server/config';
import { startServer } from '@latchkey/server/server';

const config = loadConfig(process.argv.slice(2), process.env);
const server = await startServer(config);
process.stderr.write(`Latchkey is running at ${server.url} (database: ${redactConfig(config).databaseUrl ?? 'embedded'})\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
