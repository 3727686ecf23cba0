/**
 * Queuing the security notices a change owes, in the change's own transaction: the change and
 * its notice commit together or not at all, so a crash right after the commit delays the email
 * (the next start, or another instance, sends it) but cannot lose it (docs/protocol.md §13.3). The notice
 * sender (notice-sender.ts) is woken right after the commit.
 *
 * Only `SecurityNotice`s go this way, never an email with a one-time code (notifications.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ServerContext, Tx } from '../context.ts';
import { insertOutboxNotice } from '../repositories/outbox.ts';
import type { JsonObject } from '../storage/schema.ts';
import { pausePoint } from '../testing/pause-points.ts';
import type { SecurityNotice } from './notifications.ts';

declare const owesNotices: unique symbol;

/** A transaction opened by `transactionWithNotices`: the only kind `queueNotice` accepts, so no notice is queued without its wake-up. */
export type NoticeTx = Tx & { readonly [owesNotices]: true };

/** How many notices each open notice transaction queued. */
const queuedIn = new WeakMap<Tx, { count: number }>();

/**
 * Runs `work` in one transaction; once it commits, the sender is woken for the notices `work`
 * queued. Nothing is sent when it rolls back.
 */
export async function transactionWithNotices<T>(ctx: ServerContext, work: (tx: NoticeTx) => Promise<T>): Promise<T> {
  const ledger = { count: 0 };
  const result = await ctx.db.transaction().execute((tx) => {
    queuedIn.set(tx, ledger);
    return work(tx as unknown as NoticeTx);
  });
  if (ledger.count > 0) {
    await pausePoint('notices:after-commit');
    ctx.noticeSender.wake();
  }
  return result;
}

/**
 * Queues `notice` for `to` in `tx`. With `dedupeKey`, a notice already queued (or sent) under
 * the same key makes this a no-op: one notice per occasion, whoever gets there first.
 * @returns false when the dedupe key was taken.
 */
export async function queueNotice(
  ctx: ServerContext,
  tx: NoticeTx,
  to: string,
  notice: SecurityNotice,
  options: { dedupeKey?: string } = {},
): Promise<boolean> {
  const ledger = queuedIn.get(tx);
  if (ledger === undefined) throw new Error('queueNotice needs a transaction opened by transactionWithNotices');
  const { kind, ...data } = notice;
  const queued = await insertOutboxNotice(tx, {
    id: randomUUID(),
    recipient: to,
    kind,
    data: data as JsonObject,
    dedupeKey: options.dedupeKey ?? null,
    now: ctx.clock(),
  });
  if (queued) ledger.count++;
  return queued;
}
