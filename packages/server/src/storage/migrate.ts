/**
 * Brings the schema up to date, on SQLite (the embedded default) and PostgreSQL alike.
 *
 * Protects against: two server instances starting together against one PostgreSQL and both
 * trying to create the same tables (one would fail half-way). A session-level advisory lock
 * makes the second instance wait until the first has finished, after which it finds nothing
 * left to do. SQLite has no advisory locks and needs none: all migrations run in one
 * `BEGIN IMMEDIATE` transaction, which holds the database's write lock. Migrations are listed
 * in code, not discovered on disk, so what runs is exactly what was reviewed and bundled.
 *
 * Conventions for every migration (one file runs on both databases):
 * - Write it with Kysely's schema builder, or plain SQL that both accept, taking the database
 *   as `Kysely<unknown>` (migrations describe history; never import the `Database` type).
 * - Column types: `text`; `integer` (32-bit on PostgreSQL; use `bigint` only for counters that
 *   can pass 2^31 — read back as a JS number on both); `boolean` (0/1 on SQLite, converted to
 *   true/false by the driver); `jsonb` (JSON text on SQLite, parsed by the driver; write it as a
 *   `JSON.stringify`ed string); `timestamptz` for every point in time. No other types: the
 *   SQLite driver converts results by these declared type names (see sqlite-dialect.ts).
 * - Timestamps: declared `timestamptz`; the domain code reads and writes JS `Date`s on both.
 *   SQLite stores ISO-8601 UTC text with milliseconds (`2026-01-31T12:00:00.000Z`), which
 *   compares and sorts correctly as text. Defaults use `now(db)` from migration-sql.ts, never
 *   `now()` or `current_timestamp` written out (SQLite's is second-precision text in another
 *   format).
 * - Auto-numbered keys: `identityColumn(db)` from migration-sql.ts.
 * - No PostgreSQL-only syntax: no `::` casts, no `gen_random_uuid()`, no `serial`, no partial
 *   or expression indexes that SQLite does not support; `default false`, `check (...)`,
 *   `references ... on delete cascade`, unique and composite primary keys are fine on both.
 *   `alter table ... add column` is fine; other `alter table` forms are not portable (SQLite
 *   cannot alter a column's type or constraints): create a new table and copy instead.
 * - Where a difference is unavoidable, branch on `isSqlite(db)` inside the migration.
 * - Ids, not names, are the contract: never rename or edit an applied migration; add one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { isSqlite } from './migration-sql.ts';
import * as initial from './migrations/0001_initial.ts';
import * as recoveryCodes from './migrations/0002_recovery_codes.ts';
import * as twoStep from './migrations/0003_two_factor.ts';
import * as signedKeyWraps from './migrations/0006_signed_key_wraps.ts';
import * as loginAttemptSource from './migrations/0007_login_attempt_source.ts';
import * as factorSetups from './migrations/0008_factor_setups.ts';
import * as organizations from './migrations/0009_organizations.ts';
import * as outbox from './migrations/0010_outbox.ts';
import * as deviceEnrollments from './migrations/0011_device_enrollments.ts';
import * as passkeyAccounts from './migrations/0012_passkey_accounts.ts';
import * as itemTrash from './migrations/0013_item_trash.ts';
import * as recoveryEscrow from './migrations/0014_recovery_escrow.ts';
import * as loginAttemptIndexes from './migrations/0016_login_attempt_indexes.ts';
import * as enrollmentSessions from './migrations/0017_enrollment_sessions.ts';
import * as organizerRecovery from './migrations/0018_organizer_recovery.ts';

/** Every migration, in order. Names sort lexically; never rename or edit an applied one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_recovery_codes': recoveryCodes,
  '0003_two_factor': twoStep,
  '0006_signed_key_wraps': signedKeyWraps,
  '0007_login_attempt_source': loginAttemptSource,
  '0008_factor_setups': factorSetups,
  '0009_organizations': organizations,
  '0010_outbox': outbox,
  '0011_device_enrollments': deviceEnrollments,
  '0012_passkey_accounts': passkeyAccounts,
  '0013_item_trash': itemTrash,
  '0014_recovery_escrow': recoveryEscrow,
  '0016_login_attempt_indexes': loginAttemptIndexes,
  '0017_enrollment_sessions': enrollmentSessions,
  '0018_organizer_recovery': organizerRecovery,
};

export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Arbitrary constant naming "Latchkey schema migration" among advisory locks on the database. */
const MIGRATION_LOCK_KEY = 0x1a7c4e1;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'migration_failed';
  constructor(
    readonly migrationName: string | undefined,
    options: { cause?: unknown },
  ) {
    super(`Database migration ${migrationName ?? '(setup)'} failed`, options);
  }
}

/**
 * Applies every pending migration; a no-op when the schema is current.
 * @throws MigrationError (with the driver error as `cause`) when a migration fails; the failed
 * migration's transaction is rolled back.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) return runMigrations(db);
  // One connection for lock, migrations and unlock: advisory locks belong to a session.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    try {
      await runMigrations(conn);
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    }
  });
}

async function runMigrations(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, { cause: error });
  }
}
