/**
 * Opens the server's database: embedded SQLite in `<data-dir>/latchkey.db` by default, or
 * PostgreSQL when a DATABASE_URL is configured. Either way the schema is migrated before the
 * handle is returned, so the rest of the server never sees an out-of-date schema.
 *
 * Protects against: storage-specific behaviour leaking into the domain code (both back ends
 * hand back the same types: counts and bigints as numbers, timestamptz as Date, booleans as
 * booleans, jsonb as objects; see sqlite-dialect.ts), and acknowledged writes lost in a power
 * cut (SQLite runs with WAL and `synchronous=FULL`: a commit returns only after the WAL is
 * fsynced; the exceptions are in durability.ts).
 */
import { Kysely, PostgresDialect } from 'kysely';
import { migrateToLatest } from './migrate.ts';
import { importPgliteDataDir } from './pglite-import.ts';
import { LatchkeySqliteDialect } from './sqlite-dialect.ts';
import { openSqliteFile, sqliteDatabasePath } from './sqlite-file.ts';
import type { Database } from './schema.ts';

export type StorageKind = 'sqlite' | 'postgres';

export interface Storage {
  readonly db: Kysely<Database>;
  readonly kind: StorageKind;
  /** Closes the pool or the embedded database; waits for in-flight work on SQLite. */
  close(): Promise<void>;
}

export interface DatabaseConfig {
  /** PostgreSQL URL; absent means embedded SQLite. */
  readonly databaseUrl?: string;
  /** The server data directory; SQLite lives in `<dataDir>/latchkey.db`. */
  readonly dataDir: string;
  /** Where to report a one-time import of a PGlite data directory (pglite-import.ts). */
  readonly log?: (message: string) => void;
}

const INT8_OID = 20;

/**
 * Counts (`count(*)`) and bigint ids come back as bigint strings from PostgreSQL. Every such
 * value in this schema stays far below 2^53, so a JS number is exact and easier to use; a value
 * that is not would be silently rounded, hence the check.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

/**
 * Opens and migrates the database described by `config`.
 * @throws MigrationError when the schema cannot be brought up to date; the driver's connection
 * error when PostgreSQL is unreachable.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Storage> {
  // First start after the switch from PGlite: copy the old database over, once.
  if (config.databaseUrl === undefined) await importPgliteDataDir(config.dataDir, config.log);
  const storage = config.databaseUrl === undefined ? await openSqlite(config.dataDir) : await openPostgres(config.databaseUrl);
  try {
    await migrateToLatest(storage.db as unknown as Kysely<unknown>);
    storage.afterMigration?.();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

async function openSqlite(dataDir: string): Promise<Storage & { afterMigration(): void }> {
  const sqlite = await openSqliteFile(sqliteDatabasePath(dataDir));
  const dialect = new LatchkeySqliteDialect(sqlite);
  const db = new Kysely<Database>({ dialect });
  return { db, kind: 'sqlite', close: once(() => db.destroy()), afterMigration: () => dialect.clearStatementCache() };
}

async function openPostgres(databaseUrl: string): Promise<Storage & { afterMigration?: () => void }> {
  // Loaded only here: an embedded-SQLite server never pays the driver's memory (docs/operations.md §1.2).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    // Per-pool parser, so importing this module never changes pg's process-wide defaults.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client dying (server restart, network blip) emits 'error' on the pool; unhandled,
  // that would crash the process. pg already discards the broken client; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: once(() => db.destroy()) };
}

/** Makes close() safe to call twice (e.g. from a test's cleanup and a shutdown hook). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
