/**
 * Migration 0012: passkey accounts and trusted devices (docs/protocol.md §24.9–24.11).
 * `users.unlock_method` tells a passkey account (no password; its only self-service recovery is
 * the recovery code) from a password account. `passkeys` are an account's WebAuthn credentials
 * for unlocking (user verification required; unlike `security_keys`, a first step). A
 * `trusted_devices` row is one device that may unlock with a passkey: its sealed credential
 * bundle (a sealed box under the device's own key, which the server never sees) and what the
 * device list shows. Plain SQL both databases accept.
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`alter table users add column unlock_method text not null default 'password' check (unlock_method in ('password', 'passkey'))`.execute(db);
  await sql`
    create table passkeys (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      public_key text not null,
      counter integer not null default 0,
      transports text not null default '',
      created_at timestamptz not null default ${now},
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index passkeys_user on passkeys (user_id)`.execute(db);
  await sql`
    create table trusted_devices (
      user_id text not null references users(id) on delete cascade,
      device_id text not null,
      name text not null,
      platform text not null,
      sealed_bundle text not null,
      created_at timestamptz not null default ${now},
      last_used_at timestamptz not null default ${now},
      primary key (user_id, device_id)
    )`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table trusted_devices`.execute(db);
  await sql`drop table passkeys`.execute(db);
  await sql`alter table users drop column unlock_method`.execute(db);
}
