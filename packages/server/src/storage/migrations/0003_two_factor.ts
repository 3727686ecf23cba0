/**
 * Migration 0003: two-factor authentication (docs/protocol.md §16.4). A TOTP factor per user (secret encrypted
 * with a server key held outside the database), WebAuthn security keys, hashed one-time backup
 * codes, per-factor failure counters, and sessions that wait for their second factor.
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table totp_factors (
      user_id text not null references users(id) on delete cascade,
      status text not null check (status in ('pending', 'active')),
      encrypted_secret text not null,
      last_used_step bigint not null default 0,
      failures integer not null default 0,
      created_at timestamptz not null default ${now},
      confirmed_at timestamptz,
      primary key (user_id, status)
    )`.execute(db);

  await sql`
    create table security_keys (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      name text not null,
      public_key text not null,
      counter bigint not null default 0,
      transports text not null default '',
      created_at timestamptz not null default ${now},
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index security_keys_user on security_keys (user_id)`.execute(db);

  await sql`
    create table backup_codes (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      created_at timestamptz not null default ${now}
    )`.execute(db);
  await sql`create unique index backup_codes_user_hash on backup_codes (user_id, code_hash)`.execute(db);

  await sql`alter table users add column backup_code_salt text`.execute(db);
  await sql`alter table users add column backup_code_failures integer not null default 0`.execute(db);
  await sql`alter table users add column security_key_failures integer not null default 0`.execute(db);
  await sql`alter table sessions add column second_factor_pending boolean not null default false`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`alter table sessions drop column second_factor_pending`.execute(db);
  await sql`alter table users drop column security_key_failures`.execute(db);
  await sql`alter table users drop column backup_code_failures`.execute(db);
  await sql`alter table users drop column backup_code_salt`.execute(db);
  await sql`drop table backup_codes`.execute(db);
  await sql`drop table security_keys`.execute(db);
  await sql`drop table totp_factors`.execute(db);
}
