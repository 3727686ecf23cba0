/**
 * Brings the schema up to date, on PGlite and PostgreSQL alike.
 *
 * Protects against: two server instances starting together against one PostgreSQL and both
 * trying to create the same tables (one would fail half-way). A session-level advisory lock
 * makes the second instance wait until the first has finished, after which it finds nothing
 * left to do. Migrations are listed in code, not discovered on disk, so what runs is exactly
 * what was reviewed and bundled.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import * as initial from './migrations/0001_initial.ts';
import * as recoveryCodes from './migrations/0002_recovery_codes.ts';
import * as twoFactor from './migrations/0003_two_factor.ts';
import * as signedKeyWraps from './migrations/0006_signed_key_wraps.ts';
import * as loginAttemptSource from './migrations/0007_login_attempt_source.ts';

/** Every migration, in order. Names sort lexically; never rename or edit an applied one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_recovery_codes': recoveryCodes,
  '0003_two_factor': twoFactor,
  '0006_signed_key_wraps': signedKeyWraps,
  '0007_login_attempt_source': loginAttemptSource,
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
  // One connection for lock, migrations and unlock: advisory locks belong to a session.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    try {
      const migrator = new Migrator({ db: conn, provider: new StaticMigrationProvider() });
      const { error, results } = await migrator.migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error');
        throw new MigrationError(failed?.migrationName, { cause: error });
      }
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    }
  });
}
