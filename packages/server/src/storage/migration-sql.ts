/**
 * The few pieces of SQL that differ between SQLite and PostgreSQL, for migrations. Everything
 * else in a migration is written once, in types both databases understand (see the conventions
 * at the top of migrate.ts).
 */
import { type ColumnDefinitionBuilder, type Kysely, type RawBuilder, SqliteAdapter, sql } from 'kysely';

/** True when `db` runs on the embedded SQLite database. */
export function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * The current time as a column default. On SQLite it is ISO-8601 UTC text with milliseconds
 * (`2026-01-31T12:00:00.000Z`), the same text the driver writes for a JS Date, so stored times
 * compare and sort correctly as text; on PostgreSQL `now()`.
 */
export function now(db: Kysely<unknown>): RawBuilder<unknown> {
  return isSqlite(db) ? sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))` : sql`now()`;
}

/**
 * Adds an auto-numbered primary key column `name`: `integer primary key autoincrement` on
 * SQLite (a rowid alias; numbers are never reused), `bigint generated always as identity` on
 * PostgreSQL. Read back as a JS number on both.
 */
export function identityColumn(db: Kysely<unknown>): { type: 'integer' | 'bigint'; define: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder } {
  if (isSqlite(db)) return { type: 'integer', define: (c) => c.primaryKey().autoIncrement() };
  return { type: 'bigint', define: (c) => c.primaryKey().generatedAlwaysAsIdentity() };
}
