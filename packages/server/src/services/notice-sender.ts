/**
 * Delivers the notices queued in the outbox table (notice-outbox.ts) through the mailer (SMTP or
 * the file outbox), with retries, once per notice across every instance on the database.
 *
 * - When: right after a commit that queued a notice (the in-process wake-up), on start-up (what
 *   a crash or a stop left behind), and every `pollIntervalMs` (another instance's leftovers,
 *   retries that have come due). A wake-up that arrives while a pass runs makes the pass go
 *   round once more, so a notice committed just after the pass looked is never left waiting
 *   for the next poll.
 * - Once: an instance claims a few due rows for `leaseMs` (repositories/outbox.ts) and sends
 *   them. The lease outlasts the slowest SMTP delivery (mailer.ts bounds it), so no second
 *   instance sends a row while the first is still at it; a claim left by an instance that died
 *   runs out and any instance sends the row then. Each notice keeps one Message-ID over all its
 *   attempts, so the rare duplicate — an SMTP server that took a message but failed before
 *   saying so, or a crash between sending and recording it — can be recognised by the receiver.
 * - Retries: a failed attempt is retried after 30 s, 1 min, 2 min, … (doubling, at most an hour
 *   apart); after `maxAttempts` the notice is marked failed and logged as an error
 *   (docs/operations.md §3 says how to inspect and re-queue failed notices).
 * - Stopping: `close()` stops claiming, waits for the sends under way, and gives back claims it
 *   had not yet started on. After it resolves, nothing is sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ServerContext } from '../context.ts';
import { claimDueNotices, markNoticeAttemptFailed, markNoticeSent, releaseNoticeClaims, type ClaimedNotice } from '../repositories/outbox.ts';
import { pausePoint } from '../testing/pause-points.ts';
import { renderSecurityNotice, type SecurityNotice } from './notifications.ts';

export interface NoticeDeliveryOptions {
  /** How often to look for due notices besides the wake-ups. */
  readonly pollIntervalMs: number;
  /** How long a claim lasts: longer than the slowest delivery (mailer.ts `SMTP_TIMEOUTS_MS`). */
  readonly leaseMs: number;
  /** Notices claimed, and sent concurrently, at a time. */
  readonly batchSize: number;
  /** Attempts before a notice is marked failed. */
  readonly maxAttempts: number;
  /** Wait after the first failed attempt; it doubles after each one, up to `retryMaxMs`. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

export const NOTICE_DELIVERY: NoticeDeliveryOptions = {
  pollIntervalMs: 5_000,
  leaseMs: 5 * 60_000,
  batchSize: 5,
  // 30 s + 1 + 2 + 4 + 8 + 16 + 32 min + 4 × 1 h: about five hours of a mail server being down.
  maxAttempts: 12,
  retryBaseMs: 30_000,
  retryMaxMs: 60 * 60_000,
};

/** What a committed change uses to have its notices sent now. */
export interface NoticeWaker {
  wake(): void;
}

export interface NoticeSender extends NoticeWaker {
  /** Names this process in `outbox.claimed_by`. */
  readonly instance: string;
  /** Starts the poll and sends what is due already. */
  start(ctx: ServerContext): void;
  close(): Promise<void>;
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelayMs(options: Pick<NoticeDeliveryOptions, 'retryBaseMs' | 'retryMaxMs'>, attempts: number): number {
  return Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/** The notice's Message-ID: the same on every attempt and from every instance. */
export function noticeMessageId(noticeId: string, publicUrl: string): string {
  return `<notice.${noticeId}@${new URL(publicUrl).hostname || 'latchkey'}>`;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createNoticeSender(overrides: Partial<NoticeDeliveryOptions> = {}): NoticeSender {
  const options: NoticeDeliveryOptions = { ...NOTICE_DELIVERY, ...overrides };
  const instance = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  let ctx: ServerContext | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** The pass under way, if any. */
  let pass: Promise<void> | undefined;
  /** A wake-up came while the pass ran: go round again before stopping. */
  let again = false;

  async function deliver(c: ServerContext, token: string, row: ClaimedNotice): Promise<void> {
    const messageId = noticeMessageId(row.id, c.config.publicUrl);
    try {
      const email = renderSecurityNotice({ kind: row.kind, ...row.data } as unknown as SecurityNotice, c.config.publicUrl);
      await c.mailer.send({ to: row.recipient, subject: email.subject, text: email.text, messageId });
    } catch (error) {
      const now = c.clock();
      const giveUp = row.attempts >= options.maxAttempts;
      const retryAt = giveUp ? null : new Date(now.getTime() + retryDelayMs(options, row.attempts));
      const fields = { notice: row.id, kind: row.kind, to: row.recipient, attempts: row.attempts, error: message(error) };
      if (giveUp) c.log.error(fields, 'notice delivery failed for good; it stays in the outbox table with status failed');
      else c.log.warn({ ...fields, retryAt: retryAt!.toISOString() }, 'notice delivery failed; will retry');
      await markNoticeAttemptFailed(c.db, { id: row.id, token, error: message(error), retryAt, now });
      return;
    }
    if (!(await markNoticeSent(c.db, { id: row.id, token, now: c.clock() }))) {
      c.log.warn({ notice: row.id, kind: row.kind, messageId }, 'notice sent after its claim ran out: another instance may send it again (same Message-ID)');
    }
  }

  /** Claims and sends until nothing is due; returns early when closed. */
  async function drain(c: ServerContext): Promise<void> {
    while (!closed) {
      await pausePoint('notices:before-claim');
      const token = randomUUID();
      const now = c.clock();
      const batch = await c.db
        .transaction()
        .execute((tx) => claimDueNotices(tx, { instance, token, now, leaseUntil: new Date(now.getTime() + options.leaseMs), limit: options.batchSize }));
      if (batch.length === 0) return;
      if (closed) {
        await releaseNoticeClaims(c.db, { token, ids: batch.map((row) => row.id) });
        return;
      }
      await Promise.all(
        batch.map((row) =>
          deliver(c, token, row).catch((error: unknown) => c.log.error({ notice: row.id, error: message(error) }, 'recording a notice delivery failed')),
        ),
      );
    }
  }

  async function run(c: ServerContext): Promise<void> {
    do {
      again = false;
      try {
        await drain(c);
      } catch (error) {
        // The database is unreachable or similar: the next poll tries again.
        c.log.warn({ error: message(error) }, 'notice sender pass failed');
        return;
      }
    } while (again && !closed);
  }

  const sender: NoticeSender = {
    instance,
    wake() {
      if (closed || ctx === undefined) return; // before start: start() drains anyway
      if (pass !== undefined) {
        again = true;
        return;
      }
      const c = ctx;
      pass = run(c).finally(() => {
        pass = undefined;
        // A wake-up between the last look and this line.
        if (again && !closed) sender.wake();
      });
    },
    start(context) {
      if (ctx !== undefined || closed) return;
      ctx = context;
      timer = setInterval(() => sender.wake(), options.pollIntervalMs);
      timer.unref();
      sender.wake();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      while (pass !== undefined) await pass;
    },
  };
  return sender;
}
