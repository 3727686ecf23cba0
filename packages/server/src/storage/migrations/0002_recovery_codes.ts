/**
 * Migration 0002: recovery codes (docs/protocol.md §14.3). A user has at most one pending and one active code
 * (enforced by a unique index, so concurrent setups cannot leave two), a counter of consecutive
 * failed recovery attempts with a lock, single-use challenges, and single-use recovery grants.
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table recovery_codes (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      status text not null check (status in ('pending', 'active')),
      auth_public_key text not null,
      wrapped_symmetric_key text not null,
      created_at timestamptz not null default ${now},
      confirmed_at timestamptz,
      last_checked_at timestamptz
    )`.execute(db);
  await sql`create unique index recovery_codes_one_per_status on recovery_codes (user_id, status)`.execute(db);

  await sql`alter table users add column recovery_failures integer not null default 0`.execute(db);
  await sql`alter table users add column recovery_locked_at timestamptz`.execute(db);

  await sql`
    create table challenges (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      purpose text not null,
      challenge text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default ${now}
    )`.execute(db);

  await sql`
    create table recovery_grants (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      token_hash text not null unique,
      method text not null check (method in ('recovery-code')),
      expires_at timestamptz not null,
      consumed_at timestamptz,
      created_at timestamptz not null default ${now}
    )`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table recovery_grants`.execute(db);
  await sql`drop table challenges`.execute(db);
  await sql`alter table users drop column recovery_locked_at`.execute(db);
  await sql`alter table users drop column recovery_failures`.execute(db);
  await sql`drop table recovery_codes`.execute(db);
}
