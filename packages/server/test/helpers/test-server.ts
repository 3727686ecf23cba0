/**
 * Test helper: a real Latchkey server on a fresh private database (SQLite or PostgreSQL, as the
 * vitest project says), listening on a random loopback port, with every log line captured and a
 * clock tests can move forward. Plus `signUpUser`, which signs a user up through the SDK by
 * reading the emailed code from the outbox, as a person would.
 *
 *   const server = await startTestServer();
 *   const alice = await signUpUser(server);
 *   await alice.client.items.create(...);
 *   await server.close();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LatchkeyClient } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { NoticeDeliveryOptions } from '../../src/services/notice-sender.ts';
import { createEmptyPostgresDatabase, testDatabaseKind } from './test-database.ts';
import { extractCode, waitForEmail } from './outbox.ts';

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

let counter = 0;

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
  const config = loadConfig(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', ...(databaseUrl ? ['--database-url', databaseUrl] : []), ...(options.args ?? [])], {});
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
      return new LatchkeyClient({ server: running.url, store, device: { name: `test device ${++counter}`, platform: 'vitest' } });
    },
    async close() {
      await running.close();
      if (dropDatabase) await dropDatabase();
      // maxRetries: an email sent in the background may still be landing in the outbox.
      if (ownDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

export interface TestUser {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly secretKey: string;
  readonly client: LatchkeyClient;
  readonly store: MemoryStore;
}

export const uniqueEmail = (label = 'user'): string => `${label}-${Date.now().toString(36)}-${++counter}@example.com`;

/** Signs a user up through the SDK, reading the code from the outbox. The returned client is signed in and unlocked. */
export async function signUpUser(server: TestServer, params: { email?: string; password?: string; name?: string } = {}): Promise<TestUser> {
  const email = params.email ?? uniqueEmail();
  const password = params.password ?? `pw-${Math.random().toString(36).slice(2)}-long`;
  const name = params.name ?? 'Test User';
  const store = new MemoryStore();
  const client = server.client(store);
  const started = Date.now();
  await client.signup.start(email);
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: started - 1000 });
  const { secretKey } = await client.signup.complete({ email, name, password, code: extractCode(mail.text) });
  return { email, password, name, secretKey, client, store };
}
