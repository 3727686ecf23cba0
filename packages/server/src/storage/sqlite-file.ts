/**
 * Where the embedded database lives in a data directory, and how its file is opened: the
 * settings durability depends on, applied on every open (the server, the backup command, the
 * PGlite import).
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Sqlite from 'better-sqlite3';

/** The embedded database file of a data directory. */
export function sqliteDatabasePath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'latchkey.db');
}

/** Where the embedded PGlite database of earlier versions lived (see pglite-import.ts). */
export function legacyPgliteDirectory(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'db');
}

/** How long a statement waits for another process's write lock (e.g. a running backup) before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens (creating when absent) the SQLite file with the settings durability depends on. The
 * file is created owner-only before SQLite touches it; its -wal and -shm files inherit that.
 */
export async function openSqliteFile(file: string): Promise<Sqlite.Database> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const sqlite = new Sqlite(file);
  try {
    // WAL: readers never block the writer and a commit appends to one file. FULL: each commit
    // fsyncs the WAL before it returns, so an acknowledged write survives a power loss.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    const mode = sqlite.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL mode for ${file} (journal_mode is ${String(mode)})`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return sqlite;
}
