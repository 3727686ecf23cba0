/**
 * Migration 0011: device enrollments (docs/protocol.md §24.7). One row is one CPace run between
 * a new device and a trusted device of the same account, relayed by the server: who the two
 * devices are, the four messages as opaque base64url (each written once, in order), and an
 * expiry 10 minutes after the request. The row is deleted when the new device takes message 4,
 * by one `DELETE … RETURNING`, so the bundle is handed out at most once. The server cannot read
 * any of the messages: the code never reaches it. Plain SQL both databases accept.
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table device_enrollments (
      id text primary key,
      user_id text not null references users(id) on delete cascade,
      new_device_id text not null,
      trusted_device_id text,
      message_1 text,
      message_2 text,
      message_3 text,
      message_4 text,
      created_at timestamptz not null default ${now},
      expires_at timestamptz not null,
      check (trusted_device_id is null or trusted_device_id <> new_device_id)
    )`.execute(db);
  await sql`create index device_enrollments_user on device_enrollments (user_id, expires_at)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table device_enrollments`.execute(db);
}
