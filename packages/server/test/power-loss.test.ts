/**
 * Issue 14, "Must hold": writes the server acknowledged before it was killed are all there
 * after the restart — also when, on SQLite, the kill lands in the middle of a WAL checkpoint
 * (SQLite copying the write-ahead log back into the database file, which the committing
 * request does itself every ~1000 pages).
 *
 * A real server runs as a child process. Clients write large items concurrently (each commit
 * fsynced, `synchronous=FULL`); the server is SIGKILLed, restarted, and every acknowledged item
 * must come back exactly as sent, and unacknowledged ones whole or not at all.
 *
 * The checkpoint kill is not timed: a worker thread watches the checkpoint bookkeeping in the
 * `latchkey.db-shm` file, which SQLite updates before it copies the first page
 * (`nBackfillAttempted`, offset 128) and after the last one is synced (`nBackfill`, offset 96),
 * and kills the server the moment a checkpoint has begun and not finished. After the kill the
 * same two fields show whether it really died mid-checkpoint; the test requires that it did.
 *
 * What a SIGKILL cannot show: a power cut also loses what the operating system had not yet
 * written to disk. That part rests on fsync (`synchronous=FULL`, checked in storage.test.ts):
 * SQLite acknowledges a commit only after the log is fsynced, and recovery after a crash (kill
 * or power cut alike) replays exactly the fsynced, checksummed frames.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import type { LatchkeyClient } from '@latchkey/client/client';
import type { LatchkeyError } from '@latchkey/core/errors';
import type { ItemFields } from '@latchkey/core/item';
import { sqliteDatabasePath } from '../src/storage/sqlite-file.ts';
import {
  createEmptyPostgresDatabase,
  type ServerProcess,
  signUpUser,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
  type TestUser,
} from '@latchkey/server/testing';
import { snapshotItems, type ExpectedItem } from './helpers/crash-rounds.ts';

/** ~60 kB of notes: about 20 database pages per item, so a checkpoint comes every ~50 items. */
const bigNote = (label: string): ItemFields => ({ kind: 'note', title: label, notes: `${label} `.repeat(60_000 / (label.length + 1)) });

interface Burst {
  readonly acknowledged: ExpectedItem[];
  readonly sent: ItemFields[];
}

/** Writes items with `parallel` writers until the server dies (or `max` were sent); every write that fails must fail because the server vanished. */
async function writeUntilKilled(
  client: LatchkeyClient,
  vaultId: VaultId,
  round: string,
  parallel: number,
  max: number,
  onAck?: (n: number) => void,
): Promise<Burst> {
  const acknowledged: ExpectedItem[] = [];
  const sent: ItemFields[] = [];
  let dead = false;
  const writer = async (w: number) => {
    for (let i = 0; !dead && sent.length < max; i++) {
      const fields = bigNote(`${round} w${w} #${i}`);
      sent.push(fields);
      try {
        const item = await client.items.create(vaultId, fields);
        acknowledged.push({ id: item.id, vaultId: item.vaultId, version: item.version, fields });
        onAck?.(acknowledged.length);
      } catch (error) {
        expect((error as LatchkeyError).code, `a write failed with something other than the crash: ${String(error)}`).toBe('network_error');
        dead = true;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, w) => writer(w)));
  return { acknowledged, sent };
}

/** Every acknowledged item is there as sent; any other item is one that was sent, whole. */
async function expectSurvived(client: LatchkeyClient, earlier: readonly ExpectedItem[], burst: Burst): Promise<ExpectedItem[]> {
  const after = await snapshotItems(client);
  const byId = new Map(after.map((i) => [i.id, i]));
  for (const item of [...earlier, ...burst.acknowledged]) expect(byId.get(item.id), `acknowledged item "${item.fields.title}" was lost`).toEqual(item);
  const known = new Set([...earlier, ...burst.acknowledged].map((i) => i.id));
  for (const extra of after.filter((i) => !known.has(i.id))) {
    expect(burst.sent).toContainEqual(extra.fields);
    expect(extra.version).toBe(1);
  }
  return after;
}

describe(`acknowledged writes survive a SIGKILL of the server (${testDatabaseKind()})`, () => {
  let dir: string;
  let dataDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let server: ServerProcess;
  let account: TestUser;
  let vaultId: VaultId;
  let expected: ExpectedItem[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'latchkey-power-loss-'));
    dataDir = path.join(dir, 'data');
    let databaseUrl: string | undefined;
    if (testDatabaseKind() === 'postgres') ({ databaseUrl, drop: dropDatabase } = await createEmptyPostgresDatabase());
    server = await startServerProcess({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), startTimeoutMs: 90_000 });
    account = await signUpUser({ url: server.url, dataDir });
    vaultId = (await account.client.vaults.list()).find((v) => v.kind === 'personal')!.id;
  }, 180_000);

  afterAll(async () => {
    await stopAllServerProcesses();
    await dropDatabase?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('killed at an arbitrary moment of a burst of concurrent writes: every acknowledged write is there', async () => {
    for (const round of [1, 2]) {
      // Somewhere between the 5th and the 24th acknowledgement, with writes in flight.
      const killAt = 5 + Math.floor(Math.random() * 20);
      const burst = await writeUntilKilled(account.client, vaultId, `burst ${round}`, 4, 200, (n) => {
        if (n === killAt) server.kill();
      });
      expect((await server.exited).signal).toBe('SIGKILL');
      expect(burst.acknowledged.length).toBeGreaterThanOrEqual(killAt);
      await server.restart();
      expected = await expectSurvived(account.client, expected, burst);
    }
  }, 600_000);

  it.runIf(testDatabaseKind() === 'sqlite')(
    'killed while a WAL checkpoint runs: every acknowledged write is there',
    async () => {
      const shm = `${sqliteDatabasePath(dataDir)}-shm`;
      let midCheckpointKills = 0;
      const notes: string[] = [];
      for (let round = 1; round <= 4 && midCheckpointKills < 2; round++) {
        const watcher = watchForCheckpoint(shm, server.pid);
        const burst = await writeUntilKilled(account.client, vaultId, `checkpoint ${round}`, 4, 300);
        if (server.running) watcher.stop();
        const seen = await watcher.result;
        expect(seen.killed, `round ${round}: no checkpoint began during ${burst.sent.length} writes`).toBe(true);
        expect((await server.exited).signal).toBe('SIGKILL');
        // Read back from the -shm file the dead server left: did the checkpoint finish?
        const after = checkpointState(readFileSync(shm));
        const interrupted = after.attempted > after.backfilled;
        if (interrupted) midCheckpointKills++;
        notes.push(
          `round ${round}: ${burst.acknowledged.length} acknowledged; killed with frames ${seen.backfilled}..${seen.attempted} of ${seen.mxFrame} being copied; afterwards ${after.backfilled}/${after.attempted} -> ${interrupted ? 'mid-checkpoint' : 'checkpoint had finished'}`,
        );
        await server.restart();
        expected = await expectSurvived(account.client, expected, burst);
      }
      console.info(`checkpoint kills:\n  ${notes.join('\n  ')}`);
      expect(midCheckpointKills, notes.join('\n')).toBeGreaterThanOrEqual(1);
    },
    900_000,
  );
});

interface CheckpointState {
  readonly mxFrame: number;
  readonly backfilled: number;
  readonly attempted: number;
}

/** The WAL index header's last frame and the checkpoint info (wal.c: WalIndexHdr at 0, WalCkptInfo at 96). */
function checkpointState(shm: Buffer): CheckpointState {
  return { mxFrame: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96), attempted: shm.readUInt32LE(128) };
}

/**
 * In a worker thread (so the SDK's writes in this thread cannot delay it): waits until no
 * checkpoint is in progress in the -shm file, then SIGKILLs `pid` as soon as one begins
 * (nBackfillAttempted > nBackfill). Gives up after five minutes.
 */
function watchForCheckpoint(shm: string, pid: number): { result: Promise<CheckpointState & { killed: boolean }>; stop(): void } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const buf = Buffer.alloc(136);
    const deadline = Date.now() + 300000;
    let fd;
    let settled = false;
    let result = { killed: false, mxFrame: 0, backfilled: 0, attempted: 0 };
    while (Date.now() < deadline) {
      if (fd === undefined) { try { fd = fs.openSync(workerData.shm, 'r'); } catch { continue; } }
      if (fs.readSync(fd, buf, 0, 136, 0) < 136) continue;
      const state = { mxFrame: buf.readUInt32LE(16), backfilled: buf.readUInt32LE(96), attempted: buf.readUInt32LE(128) };
      // After a restart SQLite's recovery leaves attempted > backfilled until the next checkpoint completes.
      if (!settled) { settled = state.attempted <= state.backfilled; continue; }
      if (state.attempted > state.backfilled) {
        process.kill(workerData.pid, 'SIGKILL');
        result = { killed: true, ...state };
        break;
      }
    }
    if (fd !== undefined) fs.closeSync(fd);
    parentPort.postMessage(result);
  `;
  const worker = new Worker(code, { eval: true, workerData: { shm, pid } });
  const result = new Promise<CheckpointState & { killed: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', () => resolve({ killed: false, mxFrame: 0, backfilled: 0, attempted: 0 }));
  });
  return { result, stop: () => void worker.terminate() };
}
