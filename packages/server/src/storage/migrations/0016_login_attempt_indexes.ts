/**
 * Migration 0016: indexes for the two ways pending sign-ins are looked up besides their id
 * (repositories/login-attempts.ts). A credential swap deletes the user's attempts and a sign-in
 * sweeps the user's expired ones (`user_id`, then `expires_at`); the periodic sweep takes every
 * expired attempt (`expires_at`). Without them each of those statements scans the whole table,
 * which grows with every sign-in started and not finished. Plain `create index`: the same on
 * SQLite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await sql`create index login_attempts_user on login_attempts (user_id, expires_at)`.execute(db);
  await sql`create index login_attempts_expires_at on login_attempts (expires_at)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index login_attempts_expires_at`.execute(db);
  await sql`drop index login_attempts_user`.execute(db);
}
