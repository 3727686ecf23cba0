/**
 * Migration 0018: organizer recovery (docs/protocol.md §22.8, "Organizer recovery").
 *
 * - `organizer_recoveries`: one row per recovery a Recovery Group member started for a member.
 *   `status` moves `awaiting_member` → `waiting` → `completed`, or to `cancelled` from the first
 *   two, each move one conditional update. The emailed link's token is kept as a hash only. The
 *   policy in force at the start (`approvals_required`, `waiting_period_seconds`) is copied onto
 *   the row, so changing the organization's policy later does not shorten a running recovery.
 *   The `pending_*` columns hold the member's new credentials (OPAQUE record, Secret Key
 *   verifier, keyset, acceptance) beside the old ones until completion swaps them in; they are
 *   public or encrypted values, as in `users`, and are cleared on cancellation.
 *   At most one open recovery per member (a partial unique index, which SQLite and PostgreSQL
 *   both support): a second start is `conflict`, and every cancellation path has one row to end.
 * - `organizer_recovery_approvals`: who approved, one row per approver.
 * - `organizations.recovery_waiting_seconds` (default 24 h, 0 allowed) and
 *   `organizations.recovery_approvals_required` (1, or 2 for teams).
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table organizer_recoveries (
      id text primary key,
      organization_id text not null references organizations(id) on delete cascade,
      member_user_id text not null references users(id) on delete cascade,
      started_by text not null,
      status text not null check (status in ('awaiting_member', 'waiting', 'completed', 'cancelled')),
      token_hash text not null unique,
      token_used_at timestamptz,
      approvals_required integer not null check (approvals_required in (1, 2)),
      waiting_period_seconds integer not null check (waiting_period_seconds >= 0),
      waiting_until timestamptz,
      pending_opaque_record text,
      pending_secret_key_verifier text,
      pending_encrypted_symmetric_key text,
      pending_keyset jsonb,
      pending_acceptance jsonb,
      released_to text,
      released_at timestamptz,
      ended_by text,
      end_reason text,
      created_at timestamptz not null default ${now},
      updated_at timestamptz not null default ${now},
      ended_at timestamptz
    )`.execute(db);
  await sql`create index organizer_recoveries_organization on organizer_recoveries (organization_id)`.execute(db);
  await sql`create unique index organizer_recoveries_one_open on organizer_recoveries (member_user_id) where status in ('awaiting_member', 'waiting')`.execute(
    db,
  );
  await sql`
    create table organizer_recovery_approvals (
      recovery_id text not null references organizer_recoveries(id) on delete cascade,
      approver_user_id text not null,
      approved_at timestamptz not null default ${now},
      primary key (recovery_id, approver_user_id)
    )`.execute(db);
  await sql`alter table organizations add column recovery_waiting_seconds integer not null default 86400`.execute(db);
  await sql`alter table organizations add column recovery_approvals_required integer not null default 1`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table organizer_recovery_approvals`.execute(db);
  await sql`drop table organizer_recoveries`.execute(db);
  await sql`alter table organizations drop column recovery_waiting_seconds`.execute(db);
  await sql`alter table organizations drop column recovery_approvals_required`.execute(db);
}
