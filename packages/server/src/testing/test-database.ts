/**
 * Test helper: a fresh, private, migrated database for one test file (or one test).
 *
 * Which back end is chosen by the environment the vitest project sets:
 *   LATCHKEY_TEST_DB=sqlite   (default) embedded SQLite in a new temp data directory;
 *   LATCHKEY_TEST_DB=postgres a new database `latchkey_t_<random>` created through the admin
 *                             URL in LATCHKEY_TEST_POSTGRES_URL (e.g.
 *                             postgres://root@127.0.0.1:5432/test) and dropped on cleanup.
 * Test files therefore never share state and may run in parallel.
 *
 * Usage:
 *   let t: TestStorage;
 *   beforeAll(async () => { t = await createTestStorage(); });
 *   afterAll(() => t.cleanup());
 *   // t.storage.db for queries; t.dataDir / t.databaseUrl to start a server or CLI on the same data.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseIntrospector } from 'kysely';
import pg from 'pg';
import { openDatabase, type Storage } from '../storage/database.ts';

export interface TestStorage {
  /** Open, migrated storage. `cleanup()` closes it; closing it earlier yourself is fine too. */
  readonly storage: Storage;
  /** Set for PostgreSQL: pass as `databaseUrl` to a server/CLI that should see the same data. */
  readonly databaseUrl?: string;
  /** A fresh temp directory (also for PostgreSQL, e.g. for the email outbox). */
  readonly dataDir: string;
  /** Closes the storage, drops the PostgreSQL database, deletes the temp directory. */
  cleanup(): Promise<void>;
}

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.LATCHKEY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

/** Every base table of the database (migration bookkeeping included), on SQLite and PostgreSQL alike. */
export async function listTables(db: { readonly introspection: DatabaseIntrospector }): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables
    .filter((t) => !t.isView)
    .map((t) => t.name)
    .sort();
}

/** The admin URL; throws if the postgres project runs without one. */
export function testPostgresAdminUrl(): string {
  const url = process.env.LATCHKEY_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    throw new Error('LATCHKEY_TEST_DB=postgres needs LATCHKEY_TEST_POSTGRES_URL, e.g. postgres://root@127.0.0.1:5432/test');
  }
  return url;
}

/**
 * Creates an empty PostgreSQL database (no migrations) and returns its URL and a drop function.
 * Useful for tests that must open the database themselves, e.g. through a server process.
 */
export async function createEmptyPostgresDatabase(
  options: { adminUrl?: string; prefix?: string } = {},
): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const adminUrl = options.adminUrl ?? testPostgresAdminUrl();
  // Lowercase hex only, so the name never needs quoting beyond the identifier quotes below.
  const name = `${options.prefix ?? 'latchkey_t'}_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    drop: () => withAdminClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`)),
  };
}

export async function createTestStorage(): Promise<TestStorage> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-test-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });

  if (testDatabaseKind() === 'sqlite') {
    const storage = await openDatabase({ dataDir });
    return {
      storage,
      dataDir,
      cleanup: async () => {
        await storage.close();
        await removeDir();
      },
    };
  }

  const database = await createEmptyPostgresDatabase();
  const storage = await openDatabase({ dataDir, databaseUrl: database.databaseUrl });
  return {
    storage,
    databaseUrl: database.databaseUrl,
    dataDir,
    cleanup: async () => {
      await storage.close();
      await database.drop();
      await removeDir();
    },
  };
}

async function withAdminClient(adminUrl: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
