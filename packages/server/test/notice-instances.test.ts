/**
 * SPEC §3.1 "several server instances on one PostgreSQL must behave as one server", for the
 * notice outbox: two real server processes on one database, sharing one data directory (and so
 * one file outbox, as instances share a mail relay), drain a burst of notices — a backlog of
 * queued rows plus the new-device notices of sign-ins landing on both instances at once, so both
 * instances are claiming at the same time. Every notice is delivered exactly once (its
 * Message-ID is in the file outbox once), and both instances took part. Several instances need
 * PostgreSQL (docs/operations.md §2), so this runs on PostgreSQL only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOutboxNotice } from '../src/repositories/outbox.ts';
import { openDatabase, type Storage } from '../src/storage/database.ts';
import {
  createEmptyPostgresDatabase,
  readOutbox,
  sdkClient,
  type ServerProcess,
  signUpUser,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
} from '@latchkey/server/testing';

const BACKLOG = 120;
const SIGN_INS_PER_INSTANCE = 6;

describe.skipIf(testDatabaseKind() !== 'postgres')('two instances on one PostgreSQL database deliver a burst of notices once each', () => {
  let dataDir: string;
  let database: { databaseUrl: string; drop(): Promise<void> };
  let storage: Storage;
  let servers: ServerProcess[];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-notice-instances-'));
    database = await createEmptyPostgresDatabase();
    // One at a time, so the first creates the keyring and the OPAQUE setup the second reads.
    const first = await startServerProcess({ dataDir, databaseUrl: database.databaseUrl, startTimeoutMs: 90_000 });
    const second = await startServerProcess({ dataDir, databaseUrl: database.databaseUrl, startTimeoutMs: 90_000 });
    servers = [first, second];
    storage = await openDatabase({ dataDir, databaseUrl: database.databaseUrl });
  }, 180_000);

  afterAll(async () => {
    await stopAllServerProcesses();
    await storage?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('each notice is sent by one instance, once', async () => {
    const accounts = await Promise.all(servers.map((s) => signUpUser({ url: s.url, dataDir })));
    const now = new Date();
    for (let i = 0; i < BACKLOG; i++) {
      await insertOutboxNotice(storage.db, {
        id: randomUUID(),
        recipient: `burst-${i}@example.test`,
        kind: 'recovery-proved',
        data: { at: now.toISOString(), ip: null },
        dedupeKey: null,
        now,
      });
    }
    // New-device sign-ins on both instances at once: each commit wakes its own instance, and both
    // set about the same backlog.
    await Promise.all(
      servers.flatMap((s, n) =>
        Array.from({ length: SIGN_INS_PER_INSTANCE }, () =>
          sdkClient(s.url).signIn({ email: accounts[n]!.email, password: accounts[n]!.password, secretKey: accounts[n]!.secretKey }),
        ),
      ),
    );

    const deadline = Date.now() + 60_000;
    let rows = await storage.db.selectFrom('outbox').selectAll().execute();
    while (rows.some((r) => r.status !== 'sent') && Date.now() < deadline) {
      await sleep(100);
      rows = await storage.db.selectFrom('outbox').selectAll().execute();
    }
    expect(rows).toHaveLength(BACKLOG + servers.length * SIGN_INS_PER_INSTANCE);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    // Time for a second delivery, were there one.
    await sleep(1_000);

    const byMessageId = new Map<string, number>();
    for (const mail of await readOutbox(dataDir)) byMessageId.set(mail.messageId, (byMessageId.get(mail.messageId) ?? 0) + 1);
    const twice = rows.filter((r) => byMessageId.get(`<notice.${r.id}@localhost>`) !== 1);
    expect(twice.map((r) => `${r.recipient}: ${byMessageId.get(`<notice.${r.id}@localhost>`) ?? 0}`)).toEqual([]);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    const senders = new Map<string, number>();
    for (const row of rows) senders.set(row.claimed_by!, (senders.get(row.claimed_by!) ?? 0) + 1);
    expect(senders.size, `senders: ${JSON.stringify([...senders])}`).toBe(2);
  }, 180_000);
});
