/**
 * Migration 0017: enrollment sessions (docs/protocol.md §24.7). A new device of a passkey account
 * has no credential bundle yet, so it cannot sign in with OPAQUE; a passkey assertion gives it a
 * session of kind `enrollment` instead, which the server accepts only on the enrollment relay's
 * endpoints (everything else is `device_not_trusted`). Every existing session is `full`.
 * Plain SQL both databases accept.
 */
import { type Kysely, sql } from 'kysely';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await sql`alter table sessions add column kind text not null default 'full'`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`alter table sessions drop column kind`.execute(db);
}
