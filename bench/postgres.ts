/**
 * A fresh, empty PostgreSQL database for one benchmark run, created through an admin URL and
 * dropped afterwards. BENCH_POSTGRES_URL overrides the default admin URL (the machine's
 * PostgreSQL with trust auth).
 */
import { createEmptyPostgresDatabase } from '@latchkey/server/testing';

export const DEFAULT_ADMIN_URL = 'postgres://root@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Throws when PostgreSQL cannot be reached (callers report that as "skipped"). */
export async function createFreshDatabase(adminUrl = process.env.BENCH_POSTGRES_URL || DEFAULT_ADMIN_URL): Promise<FreshDatabase> {
  const database = await createEmptyPostgresDatabase({ adminUrl, prefix: 'latchkey_bench' });
  return { url: database.databaseUrl, drop: database.drop };
}
