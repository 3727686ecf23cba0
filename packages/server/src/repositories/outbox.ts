/**
 * The notice outbox (migration 0010): notices owed by committed changes, until delivered.
 *
 * Claiming is the one step several instances race on. It is a single conditional UPDATE over
 * rows picked by `SELECT … FOR UPDATE SKIP LOCKED`: on PostgreSQL a row another instance is
 * claiming at that moment is skipped, and one it claimed a moment ago no longer matches (its
 * lease is unexpired), so each row goes to one instance. On SQLite the row-lock clauses are
 * dropped (sqlite-dialect.ts) and the caller runs the UPDATE under BEGIN IMMEDIATE, which holds
 * the database's write lock. Every later write names the claim token, so an instance whose
 * lease ran out (and whose row someone else claimed since) changes nothing.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.ts';
import type { JsonObject } from '../storage/schema.ts';

export interface NewOutboxNotice {
  readonly id: string;
  readonly recipient: string;
  readonly kind: string;
  readonly data: JsonObject;
  readonly dedupeKey: string | null;
  readonly now: Date;
}

export interface ClaimedNotice {
  readonly id: string;
  readonly recipient: string;
  readonly kind: string;
  readonly data: JsonObject;
  /** This attempt included. */
  readonly attempts: number;
  readonly createdAt: Date;
}

/** Queues a notice; false when a notice with the same dedupe key exists already. */
export async function insertOutboxNotice(db: Tx, notice: NewOutboxNotice): Promise<boolean> {
  const row = await db
    .insertInto('outbox')
    .values({
      id: notice.id,
      recipient: notice.recipient,
      kind: notice.kind,
      data: JSON.stringify(notice.data),
      dedupe_key: notice.dedupeKey,
      created_at: notice.now,
      next_attempt_at: notice.now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims up to `limit` queued notices that are due and not under an unexpired claim, for
 * `instance` until `leaseUntil`, counting one attempt on each. Run it in a transaction (on
 * SQLite that is what makes it exclusive).
 */
export async function claimDueNotices(
  db: Tx,
  params: { instance: string; token: string; now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedNotice[]> {
  const { now } = params;
  const claimable = db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'queued')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', now)]))
    .orderBy('next_attempt_at')
    .limit(params.limit)
    .forUpdate()
    .skipLocked();
  const rows = await db
    .updateTable('outbox')
    .set({ claimed_by: params.instance, claim_token: params.token, claim_expires_at: params.leaseUntil, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', claimable)
    // The same conditions again: whatever the plan, a row under someone else's live claim is never taken.
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('claim_expires_at', 'is', null), eb('claim_expires_at', '<=', now)]))
    .returning(['id', 'recipient', 'kind', 'data', 'attempts', 'created_at as createdAt'])
    .execute();
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Records a delivery; false when the claim was lost meanwhile (the lease ran out and another instance claimed the row). */
export async function markNoticeSent(db: Tx, params: { id: string; token: string; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: params.now, claim_expires_at: null, last_error: null })
    .where('id', '=', params.id)
    .where('claim_token', '=', params.token)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records a failed attempt and gives the claim up: the notice is tried again from `retryAt`,
 * or, with `retryAt` null, marked failed for good.
 */
export async function markNoticeAttemptFailed(db: Tx, params: { id: string; token: string; error: string; retryAt: Date | null; now: Date }): Promise<boolean> {
  const giveUp = params.retryAt === null;
  const result = await db
    .updateTable('outbox')
    .set({
      status: giveUp ? 'failed' : 'queued',
      failed_at: giveUp ? params.now : null,
      next_attempt_at: params.retryAt ?? params.now,
      last_error: params.error,
      claimed_by: null,
      claim_token: null,
      claim_expires_at: null,
    })
    .where('id', '=', params.id)
    .where('claim_token', '=', params.token)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives back claimed notices that were never attempted (the sender is stopping): they are due again at once, the attempt uncounted. */
export async function releaseNoticeClaims(db: Tx, params: { token: string; ids: readonly string[] }): Promise<number> {
  if (params.ids.length === 0) return 0;
  const result = await db
    .updateTable('outbox')
    .set({ claimed_by: null, claim_token: null, claim_expires_at: null, attempts: sql<number>`attempts - 1` })
    .where('claim_token', '=', params.token)
    .where('id', 'in', [...params.ids])
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes sent and failed notices created before `olderThan` (housekeeping). */
export async function deleteFinishedNotices(db: Tx, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('outbox').where('status', 'in', ['sent', 'failed']).where('created_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
