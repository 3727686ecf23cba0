/**
 * `latchkey backup FILE`: a consistent copy of the embedded SQLite database, taken online
 * (the server may keep running and writing) through SQLite's backup API.
 *
 * Protects against: a torn copy. Copying `latchkey.db` with `cp` while the server runs can
 * miss transactions still in the -wal file or catch pages from two moments; the backup API
 * copies every page from one read snapshot (all pages in one step, so a write in between
 * cannot make it start over), and the copy is checked (`pragma integrity_check`) and renamed
 * into place only when whole, so FILE never names a partial backup.
 *
 * Not in the copy: the server keyring (`--server-keys-file`), on purpose: secrets sealed with
 * it must not be readable from a database backup alone. Back it up separately
 * (docs/operations.md, "Backups and restore").
 */
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { openSqliteFile, sqliteDatabasePath } from './sqlite-file.ts';

export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    readonly code: 'backup_target_exists' | 'no_database' | 'backup_postgres' | 'backup_corrupt',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BackupResult {
  readonly file: string;
  readonly pages: number;
  readonly bytes: number;
}

/**
 * Copies `<dataDir>/latchkey.db` to `file` (which must not exist), consistently, while the
 * server may be running.
 * @throws BackupError when `file` exists, there is no database, or the copy fails its check.
 */
export async function backupSqliteDatabase(dataDir: string, file: string): Promise<BackupResult> {
  const target = path.resolve(file);
  if (existsSync(target)) throw new BackupError('backup_target_exists', `${target} already exists; a backup never overwrites a file.`);
  const source = sqliteDatabasePath(dataDir);
  if (!existsSync(source)) throw new BackupError('no_database', `There is no database at ${source} (wrong --data-dir?).`);

  const partial = `${target}.partial`;
  const leftovers = [partial, `${partial}-wal`, `${partial}-shm`];
  for (const leftover of leftovers) await rm(leftover, { force: true });
  // Owner-only from the first byte: the copy holds everything the database holds.
  closeSync(openSync(partial, 'wx', 0o600));
  const db = await openSqliteFile(source);
  try {
    const { totalPages } = await db.backup(partial, { progress: () => 0x7fffffff });
    const copy = new Sqlite(partial);
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new BackupError('backup_corrupt', `The copy failed its integrity check: ${String(check)}`);
      // Self-contained: no -wal beside it, whatever mode the copy was left in.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    await rename(partial, target);
    return { file: target, pages: totalPages, bytes: statSync(target).size };
  } catch (error) {
    for (const leftover of leftovers) await rm(leftover, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
