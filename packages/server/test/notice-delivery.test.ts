/**
 * SPEC §2.8 "every email that a committed change owes is sent even if the server crashes right
 * after the commit (a durable outbox, retried)": the notice sender of a real server
 * (services/notice-sender.ts), on SQLite and PostgreSQL, with the file outbox or a real local SMTP
 * server (helpers/smtp-sink.ts) that refuses or holds messages as each test needs.
 *
 * Most servers here poll only once an hour, so whatever arrives promptly was sent by the start-up
 * pass or by the wake-up after a commit, never by the poll. Kills of a real server process right
 * after a commit are in notice-outbox-crash.test.ts; two instances on one database in
 * notice-instances.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { insertOutboxNotice } from '../src/repositories/outbox.ts';
import { queueNotice, transactionWithNotices } from '../src/services/notice-outbox.ts';
import { retryDelayMs } from '../src/services/notice-sender.ts';
import type { Database } from '../src/storage/schema.ts';
import { removeMember } from '../src/services/memberships.ts';
import { addConfirmedMember, createTestOrganization, createTestUser, orgTestContext } from './helpers/org-fixture.ts';
import { createTestStorage, readOutbox, signUpUser, startTestServer, testDatabaseKind, type TestServer, uniqueEmail } from '@latchkey/server/testing';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

const HOUR = 3_600_000;
const PROVED = 'Your Latchkey recovery code was used';

/** A notice as a committed change would queue it (the kind a recovery proof owes). */
const proved = () => ({ kind: 'recovery-proved' as const, at: new Date().toISOString(), ip: '203.0.113.9' });

/** Queues one notice the way services do: in a transaction that wakes the sender once it commits. */
async function queue(server: TestServer, to: string, options: { dedupeKey?: string } = {}): Promise<boolean> {
  const ctx = server.running.context;
  return transactionWithNotices(ctx, (tx) => queueNotice(ctx, tx, to, proved(), options));
}

const rowsFor = (db: Kysely<Database>, recipient: string) => db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).execute();

/** How many files of the file outbox carry each Message-ID. */
async function fileDeliveries(dataDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const mail of await readOutbox(dataDir)) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
  return counts;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Signs up through the SDK, reading the code from the SMTP sink. */
async function signUpThroughSink(server: TestServer, sink: SmtpSink, email = uniqueEmail('smtp')) {
  const client = server.client();
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  await client.signup.start(email);
  const mail = await sink.waitFor((m) => m.to === email && m.subject.includes('verification code') && m.accepted);
  const code = mail.text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^\d{6,8}$/.test(l))!;
  const { secretKey } = await client.signup.complete({ email, name: 'Smtp User', password, code });
  return { client, email, password, secretKey };
}

describe(`notice delivery (${testDatabaseKind()})`, () => {
  it('sends at start-up what was left queued while no server ran, and leaves a live claim alone until its lease runs out', async () => {
    const storage = await createTestStorage();
    let server: TestServer | undefined;
    try {
      const db = storage.storage.db;
      const now = new Date();
      const ids = { queued: ['left-1', 'left-2', 'left-3'], deadClaim: 'dead-claim', liveClaim: 'live-claim' };
      for (const id of [...ids.queued, ids.deadClaim, ids.liveClaim]) {
        await insertOutboxNotice(db, {
          id: randomUUID(),
          recipient: `${id}@example.test`,
          kind: 'recovery-proved',
          data: { at: now.toISOString(), ip: null },
          dedupeKey: null,
          now,
        });
      }
      // A sender that died after claiming (its lease has run out), and one still at work (lease for 3 s more).
      await db
        .updateTable('outbox')
        .set({ claimed_by: 'dead-host/1/aa', claim_token: 't-dead', claim_expires_at: new Date(now.getTime() - 1_000), attempts: 1 })
        .where('recipient', '=', `${ids.deadClaim}@example.test`)
        .execute();
      await db
        .updateTable('outbox')
        .set({ claimed_by: 'busy-host/2/bb', claim_token: 't-live', claim_expires_at: new Date(now.getTime() + 3_000), attempts: 1 })
        .where('recipient', '=', `${ids.liveClaim}@example.test`)
        .execute();

      server = await startTestServer({
        dataDir: storage.dataDir,
        ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : {}),
        noticeDelivery: { pollIntervalMs: HOUR },
      });
      const sentTo = async () => new Set((await readOutbox(storage.dataDir)).map((m) => m.to));
      await until('the start-up pass', async () => ((await sentTo()).size >= 4 ? true : undefined), 5_000);
      expect([...(await sentTo())].sort()).toEqual([...ids.queued, ids.deadClaim].map((id) => `${id}@example.test`).sort());

      // Once the live lease has run out, the next pass (here the wake-up of a new commit) takes it.
      await sleep(Math.max(0, now.getTime() + 3_100 - Date.now()));
      await queue(server, 'after-lease@example.test');
      await until('the expired claim', async () => ((await sentTo()).has(`${ids.liveClaim}@example.test`) ? true : undefined), 5_000);
      await until('the new notice', async () => ((await sentTo()).has('after-lease@example.test') ? true : undefined), 5_000);

      const rows = await db.selectFrom('outbox').selectAll().execute();
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
      const deliveries = await fileDeliveries(storage.dataDir);
      expect(deliveries.size).toBe(rows.length);
      for (const row of rows) expect(deliveries.get(`<notice.${row.id}@localhost>`), row.recipient).toBe(1);
      // The taken-over claims count one attempt more; what was never claimed took one.
      expect(Object.fromEntries(rows.map((r) => [r.recipient, r.attempts]))).toMatchObject({
        [`${ids.deadClaim}@example.test`]: 2,
        [`${ids.liveClaim}@example.test`]: 2,
        'left-1@example.test': 1,
      });
    } finally {
      await server?.close();
      await storage.cleanup();
    }
  });

  describe('with a server that polls once an hour', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ noticeDelivery: { pollIntervalMs: HOUR } });
    });
    afterAll(() => server.close());

    it('sends the first notice after start-up as soon as its transaction commits, even one queued long before the commit', async () => {
      const ctx = server.running.context;
      const to = uniqueEmail('first');
      await transactionWithNotices(ctx, async (tx) => {
        await queueNotice(ctx, tx, to, proved());
        // The change goes on after queuing: a sender woken before the commit would find nothing
        // on PostgreSQL (another connection sees only committed rows) and wait for the poll.
        await sleep(300);
        await tx.selectFrom('users').select('id').limit(1).execute();
      });
      const committedAt = Date.now();
      await until('the notice', async () => ((await readOutbox(server.dataDir)).find((m) => m.to === to) ? true : undefined), 5_000);
      expect(Date.now() - committedAt).toBeLessThan(5_000);
      // The mail lands before the sender records it: wait for the record.
      const row = await until('the notice to be marked sent', async () => (await rowsFor(ctx.db, to)).find((r) => r.status === 'sent'), 5_000);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, claimed_by: expect.stringContaining(`/${process.pid}/`) });
      const mail = (await readOutbox(server.dataDir)).find((m) => m.to === to)!;
      expect(mail.messageId).toBe(`<notice.${row.id}@localhost>`);
      expect(mail.subject).toBe(PROVED);
    });

    it('sends the notices of a real change (a new-device sign-in) right after it commits', async () => {
      const user = await signUpUser(server);
      const laptop = server.client();
      await laptop.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
      await until(
        'the new-device notice',
        async () => ((await readOutbox(server.dataDir)).find((m) => m.to === user.email && m.subject.includes('New sign-in')) ? true : undefined),
        5_000,
      );
    });

    it('queues nothing when the transaction rolls back', async () => {
      const ctx = server.running.context;
      const to = uniqueEmail('rolled-back');
      await expect(
        transactionWithNotices(ctx, async (tx) => {
          await queueNotice(ctx, tx, to, proved());
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await rowsFor(ctx.db, to)).toEqual([]);
      await sleep(300);
      expect((await readOutbox(server.dataDir)).filter((m) => m.to === to)).toEqual([]);
    });

    it('queues one notice per dedupe key, however many changes ask for it', async () => {
      const to = uniqueEmail('dedupe');
      const key = `test:${to}`;
      expect(await queue(server, to, { dedupeKey: key })).toBe(true);
      expect(await Promise.all([queue(server, to, { dedupeKey: key }), queue(server, to, { dedupeKey: key })])).toEqual([false, false]);
      await until('the notice', async () => ((await readOutbox(server.dataDir)).find((m) => m.to === to) ? true : undefined), 5_000);
      await sleep(300);
      expect((await readOutbox(server.dataDir)).filter((m) => m.to === to)).toHaveLength(1);
      expect(await rowsFor(server.running.context.db, to)).toHaveLength(1);
    });

    it('refuses a queueNotice outside a notice transaction', async () => {
      const ctx = server.running.context;
      await expect(ctx.db.transaction().execute((tx) => queueNotice(ctx, tx as never, 'x@example.test', proved()))).rejects.toThrow(/transactionWithNotices/);
    });
  });

  it("a member removed from a family is told through the outbox, in the removal's transaction; one who leaves, or a removal refused, queues nothing", async () => {
    const storage = await createTestStorage();
    try {
      const o = await orgTestContext(storage);
      const db = storage.storage.db;
      const organizer = await createTestUser(o.ctx, 'organizer');
      const org = await createTestOrganization(o.ctx, organizer);
      // The last organizer cannot leave: refused, so nothing is owed.
      await expect(removeMember(o.ctx, { userId: organizer.id }, org.id, organizer.id)).rejects.toMatchObject({ code: 'conflict' });
      const removed = await createTestUser(o.ctx, 'removed');
      const leaver = await createTestUser(o.ctx, 'leaver');
      await addConfirmedMember(o, org, removed, 'member');
      await addConfirmedMember(o, org, leaver, 'member');
      await removeMember(o.ctx, { userId: organizer.id }, org.id, removed.id);
      await removeMember(o.ctx, { userId: leaver.id }, org.id, leaver.id);
      await expect.poll(() => o.mail.filter((m) => m.to === removed.email && m.subject.includes('You were removed from'))).toHaveLength(1);
      const [row] = await rowsFor(db, removed.email);
      expect(row).toMatchObject({ kind: 'membership-ended', data: { organizationName: 'The Testers', suspended: false } });
      expect(o.mail.find((m) => m.to === removed.email && m.subject.includes('removed'))?.messageId).toBe(`<notice.${row!.id}@latchkey.example>`);
      expect(await rowsFor(db, leaver.email)).toEqual([]);
      expect(await rowsFor(db, organizer.email)).toEqual([]);
    } finally {
      await storage.cleanup();
    }
  });

  describe('over SMTP', () => {
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await startSmtpSink();
    });
    afterAll(() => sink.close());

    it('a notice committed while a delivery is under way goes out in the same pass, not at the next poll', async () => {
      let release!: () => void;
      const held = new Promise<'accept'>((resolve) => (release = () => resolve('accept')));
      const slow = uniqueEmail('slow');
      sink.policy = (m) => (m.to === slow ? held : 'accept');
      const server = await startTestServer({ args: ['--smtp-url', sink.url], noticeDelivery: { pollIntervalMs: HOUR } });
      try {
        await queue(server, slow);
        await sink.waitFor((m) => m.to === slow);
        const next = uniqueEmail('next');
        await queue(server, next);
        await sleep(200);
        release();
        const mail = await sink.waitFor((m) => m.to === next && m.accepted, 5_000);
        expect(mail.subject).toBe(PROVED);
        expect(sink.offered.filter((m) => m.to === slow).map((m) => m.accepted)).toEqual([true]);
      } finally {
        release();
        sink.policy = () => 'accept';
        await server.close();
      }
    });

    it('retries a refused notice after growing waits and delivers it once under one Message-ID; gives up after the last attempt', async () => {
      const retry = { retryBaseMs: 400, retryMaxMs: 10_000 };
      const server = await startTestServer({ args: ['--smtp-url', sink.url], noticeDelivery: { pollIntervalMs: 50, maxAttempts: 3, ...retry } });
      try {
        const patient = await signUpThroughSink(server, sink);
        const doomed = await signUpThroughSink(server, sink);
        // The mail server is down for the first two attempts at one notice, for good for the other.
        sink.policy = (m) => (m.subject.includes('password was changed') && (m.to === doomed.email || m.attempt <= 2) ? 'refuse' : 'accept');
        await patient.client.account.changePassword(patient.password, `${patient.password}-new`);
        await doomed.client.account.changePassword(doomed.password, `${doomed.password}-new`);

        const delivered = await sink.waitFor((m) => m.to === patient.email && m.subject.includes('password was changed') && m.accepted, 15_000);
        const attempts = sink.offered.filter((m) => m.to === patient.email && m.subject.includes('password was changed'));
        expect(attempts.map((m) => [m.attempt, m.accepted])).toEqual([
          [1, false],
          [2, false],
          [3, true],
        ]);
        expect(new Set(attempts.map((m) => m.messageId))).toEqual(new Set([delivered.messageId]));
        const [first, second, third] = attempts.map((m) => m.at) as [number, number, number];
        // Waits of 400 ms, then 800 ms (give or take the 50 ms poll and the SMTP round trips).
        expect(second - first).toBeGreaterThanOrEqual(retryDelayMs(retry, 1) - 50);
        expect(third - second).toBeGreaterThanOrEqual(retryDelayMs(retry, 2) - 50);
        expect(third - second).toBeGreaterThan(second - first);
        const db = server.running.context.db;
        // The mail server accepts before the sender records it: wait for the record.
        const row = await until(
          'the delivered notice to be marked sent',
          async () => (await rowsFor(db, patient.email)).find((r) => r.kind === 'credentials-changed' && r.status === 'sent'),
          5_000,
        );
        expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
        expect(delivered.messageId).toBe(`<notice.${row.id}@localhost>`);

        const failed = await until(
          'the doomed notice to fail',
          async () => (await rowsFor(db, doomed.email)).find((r) => r.kind === 'credentials-changed' && r.status === 'failed'),
          15_000,
        );
        expect(failed).toMatchObject({ attempts: 3, claim_token: null, sent_at: null });
        expect(failed.failed_at).toBeInstanceOf(Date);
        expect(failed.last_error).toMatch(/451|busy/i);
        await sleep(1_000);
        expect(sink.offered.filter((m) => m.to === doomed.email && m.subject.includes('password was changed')).map((m) => m.accepted)).toEqual([
          false,
          false,
          false,
        ]);

        const logs = server.logs.join('\n');
        expect(logs.match(/notice delivery failed; will retry/g)?.length).toBe(4);
        expect(logs).toMatch(/notice delivery failed for good/);
        expect(logs).toContain(failed.id);
        expect(logs).not.toContain('other session(s) were signed out');
      } finally {
        sink.policy = () => 'accept';
        await server.close();
      }
    });

    it('stops cleanly: close waits for the delivery under way, nothing is sent after it, and the next start sends what was left', async () => {
      const storage = await createTestStorage();
      const dirs = { dataDir: storage.dataDir, ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : {}) };
      let release!: () => void;
      const held = new Promise<'accept'>((resolve) => (release = () => resolve('accept')));
      const slow = uniqueEmail('in-flight');
      const left = uniqueEmail('left-behind');
      sink.policy = (m) => (m.to === slow ? held : 'accept');
      let restarted: TestServer | undefined;
      try {
        const server = await startTestServer({ ...dirs, args: ['--smtp-url', sink.url], noticeDelivery: { pollIntervalMs: HOUR } });
        await queue(server, slow);
        await sink.waitFor((m) => m.to === slow);
        await queue(server, left);
        let closed = false;
        const closing = server.close().then(() => (closed = true));
        await sleep(300);
        expect(closed, 'close returned while a delivery was under way').toBe(false);
        release();
        await closing;
        expect(sink.offered.filter((m) => m.to === slow).map((m) => m.accepted)).toEqual([true]);
        await sleep(500);
        expect(sink.offered.filter((m) => m.to === left)).toEqual([]);

        const db = storage.storage.db;
        expect(await rowsFor(db, slow)).toMatchObject([{ status: 'sent', attempts: 1 }]);
        expect(await rowsFor(db, left)).toMatchObject([{ status: 'queued', attempts: 0, claimed_by: null, claim_expires_at: null }]);

        restarted = await startTestServer({ ...dirs, args: ['--smtp-url', sink.url], noticeDelivery: { pollIntervalMs: HOUR } });
        await sink.waitFor((m) => m.to === left && m.accepted, 5_000);
        await sleep(300);
        expect(sink.offered.filter((m) => m.to === left)).toHaveLength(1);
        expect(sink.offered.filter((m) => m.to === slow)).toHaveLength(1);
      } finally {
        release();
        sink.policy = () => 'accept';
        await restarted?.close();
        await storage.cleanup();
      }
    });
  });
});
