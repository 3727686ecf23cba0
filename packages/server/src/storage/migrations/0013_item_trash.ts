/**
 * Migration 0013: the Trash (docs/protocol.md §8.4). An item moved to the Trash keeps its row,
 * with `deleted_at` set and a ciphertext the client re-sealed as trashed under a new version;
 * listings of live items skip it, the Trash lists it, a restore clears `deleted_at`, and a purge
 * (on demand, or 30 days after `deleted_at`) deletes the row. The index serves the age purge.
 */
import { type Kysely, sql } from 'kysely';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  await sql`alter table items add column deleted_at timestamptz`.execute(db);
  await sql`create index items_deleted_at on items (deleted_at)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop index items_deleted_at`.execute(db);
  await sql`alter table items drop column deleted_at`.execute(db);
}
