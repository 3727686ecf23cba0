/**
 * Operator commands on the server's storage, run on the server machine with the server's own
 * flags (`--data-dir`, `--database-url`, `--server-keys-file`; see docs/operations.md):
 *   latchkey backup FILE       a consistent online copy of the embedded SQLite database
 *   latchkey migrate-storage   the one-time import of a PGlite data directory into SQLite
 */
import type { Command } from 'commander';
import { ConfigError, loadConfig, type ServerConfig } from '@latchkey/server/config';
import { BackupError, backupSqliteDatabase } from '@latchkey/server/storage/backup';
import { importPgliteDataDir } from '@latchkey/server/storage/pglite-import';

function configOrExit(flags: string[]): ServerConfig {
  try {
    return loadConfig(flags, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

export function storageCommands(program: Command): void {
  program
    .command('backup')
    .description('Copy the embedded database to FILE while the server may run (server flags: --data-dir, --server-keys-file). PostgreSQL: use pg_dump.')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('<file>')
    .argument('[flags...]')
    .action(async (file: string, flags: string[]) => {
      const config = configOrExit(flags);
      if (config.databaseUrl !== undefined) {
        process.stderr.write('Error: this server uses PostgreSQL; back it up with pg_dump (docs/operations.md, "Backups and restore").\n');
        process.exit(2);
      }
      try {
        const result = await backupSqliteDatabase(config.dataDir, file);
        process.stdout.write(`Backed up ${result.bytes} bytes to ${result.file}\n`);
        process.stderr.write(
          `The server keyring is not in the backup, on purpose. Keep a copy of ${config.serverKeysFile} as well, stored apart from database backups: without it two-step secrets cannot be opened after a restore.\n`,
        );
      } catch (error) {
        if (error instanceof BackupError) {
          process.stderr.write(`Error: ${error.message}\n`);
          process.exit(1);
        }
        throw error;
      }
    });

  program
    .command('migrate-storage')
    .description('Import a PGlite data directory (<data-dir>/db) into SQLite (<data-dir>/latchkey.db), once; the server also does this at start-up')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[flags...]')
    .action(async (flags: string[]) => {
      const config = configOrExit(flags);
      const result = await importPgliteDataDir(config.dataDir, (message) => process.stderr.write(`${message}\n`));
      if (result === undefined) process.stdout.write(`Nothing to import in ${config.dataDir} (no PGlite database, or latchkey.db already exists).\n`);
      else
        process.stdout.write(
          `Imported into ${config.dataDir}/latchkey.db; the PGlite directory ${config.dataDir}/db was left as it was and can be removed once you have checked the server.\n`,
        );
    });
}
