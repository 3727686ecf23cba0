/**
 * Migration 0007: the source address of a pending sign-in, so that one left unfinished (a
 * password guess whose envelope did not open on the guesser's side) is logged with where it
 * came from when it is swept (services/sign-in-failures.ts). Plain `text`: the same on SQLite and
 * PostgreSQL.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('login_attempts').addColumn('ip', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('login_attempts').dropColumn('ip').execute();
}
