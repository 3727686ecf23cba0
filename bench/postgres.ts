/**
 * A fresh, empty PostgreSQL database for one benchmark run, created through an admin URL and
 * dropped afterwards. BENCH_POSTGRES_URL overrides the default admin URL (the machine's
 * PostgreSQL with trust auth).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_ADMIN_URL = 'postgres://root@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function withAdmin(adminUrl: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** Throws when PostgreSQL cannot be reached (callers report that as "skipped"). */
export async function createFreshDatabase(adminUrl = process.env.BENCH_POSTGRES_URL || DEFAULT_ADMIN_URL): Promise<FreshDatabase> {
  const name = `latchkey_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`)),
  };
}
