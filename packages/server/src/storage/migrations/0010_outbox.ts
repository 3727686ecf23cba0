/**
 * Migration 0010: the notice outbox. A security notice owed by a committed change (a recovery,
 * a backup code used, a password changed) is written here in the same transaction as the change
 * and delivered afterwards by the notice sender (services/notice-sender.ts), so a crash right
 * after the commit delays the email but never loses it.
 *
 * A row holds the notice's kind and the facts its text is built from (times, addresses, counts,
 * names), never a secret: emailed one-time codes do not go through this table (protocol.md §13.1).
 * `claimed_by`, `claim_token` and `claim_expires_at` are a lease: the instance holding an
 * unexpired claim is the only one that may send the row, and once the lease runs out (the
 * instance died) any instance may claim it again. `dedupe_key`, when set, makes a second notice
 * for the same occasion (one per account and hour, say) a no-op. Plain SQL both databases accept.
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table outbox (
      id text primary key,
      recipient text not null,
      kind text not null,
      data jsonb not null,
      dedupe_key text unique,
      status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
      created_at timestamptz not null default ${now},
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default ${now},
      claimed_by text,
      claim_token text,
      claim_expires_at timestamptz,
      sent_at timestamptz,
      failed_at timestamptz,
      last_error text
    )`.execute(db);
  // What the sender asks for: queued rows whose next attempt is due, oldest first.
  await sql`create index outbox_due on outbox (status, next_attempt_at)`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table outbox`.execute(db);
}
