/**
 * Opens the server's database: embedded PGlite under the data directory by default, or
 * PostgreSQL when a DATABASE_URL is configured. Either way the schema is migrated before the
 * handle is returned, so the rest of the server never sees an out-of-date schema.
 *
 * Protects against: storage-specific behaviour leaking into the domain code (both back ends
 * hand back the same types: bigint counts as numbers, timestamptz as Date, jsonb as objects)
 * and concurrent use of PGlite's single connection (see pglite-dialect.ts).
 */
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type StorageKind = 'pglite' | 'postgres';

export interface Storage {
  readonly db: Kysely<Database>;
  readonly kind: StorageKind;
  /** Closes the pool or the embedded database; waits for in-flight work on PGlite. */
  close(): Promise<void>;
}

export interface DatabaseConfig {
  /** PostgreSQL URL; absent means embedded PGlite. */
  readonly databaseUrl?: string;
  /** The server data directory; PGlite lives in `<dataDir>/db`. */
  readonly dataDir: string;
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
  const storage = config.databaseUrl === undefined ? await openPGlite(config.dataDir) : openPostgres(config.databaseUrl);
  try {
    await migrateToLatest(storage.db as unknown as Kysely<unknown>);
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

/**
 * A self-hosted family server's database is small: PostgreSQL's defaults (128 MB of shared
 * buffers) would dominate an idle server's memory for nothing.
 */
const PGLITE_SETTINGS = ['shared_buffers = 16MB', 'work_mem = 2MB', 'temp_buffers = 2MB', 'wal_buffers = 1MB'];

async function openPGlite(dataDir: string): Promise<Storage> {
  const dir = path.join(path.resolve(dataDir), 'db');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const options = { parsers: { [INT8_OID]: parseInt8 }, postgresqlconf: PGLITE_SETTINGS };
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    // First start: initdb leaves hundreds of MiB of WebAssembly memory behind that one instance
    // never returns. Initialize, close, and open a fresh instance for the server's lifetime.
    await (await PGlite.create(dir, options)).close();
  }
  const pglite = await PGlite.create(dir, options);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', close: once(() => db.destroy()) };
}

function openPostgres(databaseUrl: string): Storage {
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
