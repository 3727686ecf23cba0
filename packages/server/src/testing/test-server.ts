/**
 * Test harness: a real Latchkey server on a fresh private database (SQLite or PostgreSQL, as the
 * vitest project says), listening on a random loopback port, with every log line captured and a
 * clock tests can move forward. Sign users up on it with `signUpUser` (accounts.ts).
 *
 *   const server = await startTestServer();
 *   const alice = await signUpUser(server);
 *   await alice.client.items.create(...);
 *   await server.close();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LatchkeyClient } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { loadConfig } from '../config.ts';
import { startServer, type RunningServer } from '../server.ts';
import type { NoticeDeliveryOptions } from '../services/notice-sender.ts';
import { sdkClient } from './accounts.ts';
import { createEmptyPostgresDatabase, testDatabaseKind } from './test-database.ts';

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly running: RunningServer;
  /** Every log line the server wrote (JSON, one per entry). */
  readonly logs: string[];
  /** Moves the server's clock forward. */
  advanceClock(ms: number): void;
  /** A fresh SDK client with its own in-memory device state. */
  client(store?: MemoryStore): LatchkeyClient;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    databaseUrl?: string;
    dataDir?: string;
    /** Extra `latchkey server` flags, e.g. `['--trust-proxy', '127.0.0.1']`. */
    args?: readonly string[];
    /** Notice sender settings (faster polls and retries, fewer attempts). */
    noticeDelivery?: Partial<NoticeDeliveryOptions>;
  } = {},
): Promise<TestServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'latchkey-test-')));
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined && testDatabaseKind() === 'postgres') {
    const created = await createEmptyPostgresDatabase();
    databaseUrl = created.databaseUrl;
    dropDatabase = created.drop;
  }
  const config = loadConfig(
    ['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', ...(databaseUrl ? ['--database-url', databaseUrl] : []), ...(options.args ?? [])],
    {},
  );
  const logs: string[] = [];
  let offset = 0;
  const running = await startServer(config, {
    clock: () => new Date(Date.now() + offset),
    logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
    ...(options.noticeDelivery ? { noticeDelivery: options.noticeDelivery } : {}),
  });
  return {
    url: running.url,
    dataDir,
    databaseUrl,
    running,
    logs,
    advanceClock(ms) {
      offset += ms;
    },
    client(store = new MemoryStore()) {
      return sdkClient(running.url, { store });
    },
    async close() {
      await running.close();
      if (dropDatabase) await dropDatabase();
      // maxRetries: an email sent in the background may still be landing in the outbox.
      if (ownDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
