/**
 * Test helper: rounds that SIGKILL a real server (a child process from `server-process.ts`) at
 * one point of a multi-request change and check what opens after the restart — the machinery
 * shared by crash-atomicity.test.ts (password / Secret Key change) and recovery-crash.test.ts
 * (recovery with a recovery code). Each change ends in one "finish" request whose transaction
 * swaps the credentials. Kills inside that transaction are deterministic: the server runs with
 * LATCHKEY_TEST_PAUSE_FILE (src/testing/pause-points.ts), the round arms one pause point, the
 * server stops there with the transaction open and says so, and only then is it killed; a round
 * whose pause point is never reached fails. On PostgreSQL a row lock held from another
 * connection stops the transaction at a table as well. Other kills are timed from the request:
 * the kill switch times the finish request, and the timing bisects kill delays towards the
 * moment it commits.
 *
 *   const rig = await startCrashServer('latchkey-crash-', FINISH);   // in beforeAll; rig.stop() in afterAll
 *   const timing = new FinishTiming(FINISH);
 *   const { confirmed } = await killDuring(rig, point, point.delay(timing), undefined, 'change', () => change());
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ItemId, VaultId } from '@latchkey/core/ids';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { expect } from 'vitest';
import type { LatchkeyClient } from '@latchkey/client/client';
import type { Fetch } from '@latchkey/client/http';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemFields } from '@latchkey/core/item';
import { PAUSE_FILE_ENV, type PausePoint } from '../../src/testing/pause-points.ts';
import {
  createEmptyPostgresDatabase,
  sdkClient,
  type ServerProcess,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
} from '@latchkey/server/testing';

/** Which credentials open the account after a crash. */
export type Outcome = 'old' | 'new';

/** A table whose rows of the user a PostgreSQL kill point locks, so the finish transaction stops there. */
export type LockTable = 'keysets' | 'sessions';

/** Where in the change the server dies. `delay` (ms after the request is sent) may use what earlier rounds measured. */
export interface KillPoint {
  readonly label: string;
  readonly path: string;
  readonly when: 'request' | 'response';
  readonly delay: (timing: FinishTiming) => number;
  /** PostgreSQL only: a row lock held from another connection stops the finish transaction at this table, and the kill lands there for certain. */
  readonly lockTable?: LockTable;
  /** The server stops at this pause point inside the finish transaction, and the kill lands there for certain (`delay` is ignored). */
  readonly pauseAt?: PausePoint;
  /** What must open afterwards. */
  readonly allowed: readonly Outcome[];
}

/**
 * What the rounds learn about the finish request on this machine, so the kills close in on the
 * moment it commits: its round trip (set by the caller from a completed finish), the longest kill
 * delay after which the old credentials were still live, and the shortest after which the new ones
 * were. Bisecting between the last two puts kills right around the commit.
 */
export class FinishTiming {
  roundTripMs = 0;
  oldUpToMs = 0;
  newFromMs = Number.POSITIVE_INFINITY;

  constructor(private readonly finishPath: string) {}

  record(point: KillPoint, delayMs: number, outcome: Outcome): void {
    if (point.path !== this.finishPath || point.when !== 'request' || point.lockTable !== undefined || point.pauseAt !== undefined) return;
    if (outcome === 'old') this.oldUpToMs = Math.max(this.oldUpToMs, delayMs);
    else this.newFromMs = Math.min(this.newFromMs, delayMs);
  }

  bisect(): number {
    // Timing jitters between restarts: when the bounds cross, widen the upper one to the round trip.
    const upper = this.newFromMs > this.oldUpToMs ? Math.min(this.newFromMs, this.roundTripMs) : this.roundTripMs;
    return (this.oldUpToMs + upper) / 2;
  }
}

/**
 * A fetch for the SDK that SIGKILLs the server at an armed point: once `wait()` resolves after a
 * request to `point.path` was sent, or right after its response was fully received (before the SDK sees it).
 */
export class KillSwitch {
  #armed: { point: KillPoint; wait: () => Promise<void> } | undefined;
  /** Resolves once the armed kill was sent (set when the armed request goes out). */
  killed: Promise<void> | undefined;
  /** Round trip of the last request to the finish path that completed through this switch. */
  lastFinishRoundTripMs: number | undefined;

  constructor(
    private readonly server: ServerProcess,
    private readonly finishPath: string,
  ) {}

  /** The next request to `point.path` kills the server: once `wait()` resolves after it was sent, or right after its response. */
  arm(point: KillPoint, wait: () => Promise<void>): void {
    this.#armed = { point, wait };
    this.killed = undefined;
  }

  disarm(): void {
    this.#armed = undefined;
  }

  readonly fetch: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const armed = this.#armed;
    if (armed === undefined || url.pathname !== armed.point.path) return this.#timed(url, input, init);
    this.#armed = undefined;
    if (armed.point.when === 'request') {
      const pending = this.#timed(url, input, init);
      this.killed = armed.wait().finally(() => this.server.kill());
      return pending;
    }
    let killed!: () => void;
    this.killed = new Promise((resolve) => (killed = resolve));
    try {
      const response = await this.#timed(url, input, init);
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } finally {
      // Before the SDK sees the answer: the server dies right after it confirmed.
      this.server.kill();
      killed();
    }
  };

  async #timed(url: URL, input: Parameters<Fetch>[0], init: Parameters<Fetch>[1]): Promise<Response> {
    const started = performance.now();
    const response = await fetch(input, init);
    if (url.pathname === this.finishPath && response.ok) this.lastFinishRoundTripMs = performance.now() - started;
    return response;
  }
}

/** The server under test, its data and its kill switch. */
export interface CrashServer {
  readonly dataDir: string;
  /** PostgreSQL runs only; undefined on SQLite (embedded under `dataDir`). */
  readonly databaseUrl: string | undefined;
  /** The file the server reads its armed pause points from (one name per line; absent = none). */
  readonly pauseFile: string;
  readonly server: ServerProcess;
  readonly killSwitch: KillSwitch;
  /** Stops every server process, drops the PostgreSQL database and removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a server process on a fresh data directory (named `tmpPrefix…`) and, on PostgreSQL, a
 * fresh empty database; cleans up what it made when starting fails.
 */
export async function startCrashServer(tmpPrefix: string, finishPath: string): Promise<CrashServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), tmpPrefix));
  let database: { databaseUrl: string; drop(): Promise<void> } | undefined;
  const stop = async (): Promise<void> => {
    await stopAllServerProcesses();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (testDatabaseKind() === 'postgres') database = await createEmptyPostgresDatabase();
    const databaseUrl = database?.databaseUrl;
    // Outside the data directory, so nothing the server keeps there is mistaken for it.
    const pauseFile = `${dataDir}.pause-points`;
    // Restarts come many per test; on a loaded shared machine a cold start can take longer than the default allows.
    const server = await startServerProcess({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), env: { [PAUSE_FILE_ENV]: pauseFile }, startTimeoutMs: 90_000 });
    const stopAndClean = async () => {
      await stop();
      await rm(pauseFile, { force: true });
    };
    return { dataDir, databaseUrl, pauseFile, server, killSwitch: new KillSwitch(server, finishPath), stop: stopAndClean };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An item as it must come back after a crash. */
export interface ExpectedItem {
  readonly id: ItemId;
  readonly vaultId: VaultId;
  readonly version: number;
  readonly fields: ItemFields;
}

export const ITEM_FIXTURES: readonly ItemFields[] = [
  { kind: 'login', title: 'Bank', username: 'alice', password: 'correct horse battery staple', urls: ['https://bank.example'], notes: 'PIN is elsewhere' },
  {
    kind: 'login',
    title: 'Mail',
    username: 'alice@example.com',
    password: 'ü-Ünïcødé-🔑',
    totp: 'otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP&issuer=Mail',
  },
  { kind: 'note', title: 'Wi-Fi at home', notes: 'SSID: latchkey\npassword: hunter2hunter2' },
  { kind: 'password', title: 'Safe combination', password: '12-34-56' },
  { kind: 'login', title: 'Work VPN', username: 'a.smith', password: 'vpn-secret', urls: ['https://vpn.work.example', 'https://sso.work.example'] },
  { kind: 'note', title: 'Recovery notes', notes: 'x'.repeat(4_000) },
];

export function fieldsOf(item: ItemFields & { id?: string; vaultId?: string; version?: number; updatedAt?: string }): ItemFields {
  const { id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields } = item;
  return fields;
}

/** Every item the client sees, sorted by id. */
export async function snapshotItems(client: LatchkeyClient): Promise<ExpectedItem[]> {
  const items = await client.items.list();
  return items.map((i) => ({ id: i.id, vaultId: i.vaultId, version: i.version, fields: fieldsOf(i) })).sort((a, b) => a.id.localeCompare(b.id));
}

/** Fills the personal vault and a new "Work" vault with `fixtures`, alternating; returns the snapshot. */
export async function fillTwoVaults(client: LatchkeyClient, fixtures: readonly ItemFields[]): Promise<ExpectedItem[]> {
  const personal = (await client.vaults.list()).find((v) => v.kind === 'personal');
  expect(personal).toBeDefined();
  const work = await client.vaults.create('Work');
  for (const [index, fields] of fixtures.entries()) await client.items.create(index % 2 === 0 ? personal!.id : work.id, fields);
  const items = await snapshotItems(client);
  expect(items).toHaveLength(fixtures.length);
  return items;
}

const isCredentialRefusal = (error: unknown): boolean =>
  error instanceof LatchkeyError && (error.code === 'wrong_password' || error.code === 'wrong_secret_key' || error.code === 'invalid_credentials');

/**
 * Signs in with a fresh client (no device memory) and explicit credentials; the client is
 * signed in and unlocked on success, undefined when the server/OPAQUE refuses them.
 */
export async function opensWith(serverUrl: string, email: string, password: string, secretKey: string): Promise<LatchkeyClient | undefined> {
  const client = sdkClient(serverUrl);
  try {
    await client.signIn({ email, password, secretKey });
    return client;
  } catch (error) {
    if (isCredentialRefusal(error)) return undefined;
    throw error;
  }
}

/** A `FOR UPDATE` lock on a user's rows, held from a separate connection until released. */
export interface RowLock {
  /** How many rows it locked. */
  readonly rowCount: number | null;
  /** Resolves once another session (the finish transaction) waits on the lock; throws after 15 s. */
  untilWaitedOn(): Promise<void>;
  release(): Promise<void>;
}

/** PostgreSQL: holds `FOR UPDATE` on the user's rows of `table` from a separate connection, so the finish transaction blocks there. */
export async function lockRows(databaseUrl: string | undefined, table: LockTable, userId: string): Promise<RowLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('begin');
  const column = table === 'keysets' ? 'owner_user_id' : 'user_id';
  const locked = await client.query(`select id from ${table} where ${column} = $1 for update`, [userId]);
  return {
    rowCount: locked.rowCount,
    async untilWaitedOn() {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const waiting = await client.query('select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
        if ((waiting.rows[0] as { n: number }).n > 0) return;
        if (Date.now() > deadline) {
          const activity = await client.query(
            `select pid, state, wait_event_type, wait_event, left(query, 80) as query from pg_stat_activity where datname = current_database()`,
          );
          throw new Error(`the finish transaction never reached the locked ${table} rows; sessions: ${JSON.stringify(activity.rows)}`);
        }
        await sleep(5);
      }
    },
    async release() {
      await client.query('rollback');
      await client.end();
    },
  };
}

/**
 * Arms the kill switch at `point` (killing `delayMs` after the request is sent, once the
 * finish transaction waits on `blocker`, or once the server stopped at `point.pauseAt`), runs
 * `change`, and restarts the server once it died.
 * Reports whether the client saw the change confirmed and how long the restart took. `what`
 * names the change in the failure message: the only acceptable failure is the server vanishing.
 */
export async function killDuring(
  rig: Pick<CrashServer, 'server' | 'killSwitch' | 'pauseFile'>,
  point: KillPoint,
  delayMs: number,
  blocker: RowLock | undefined,
  what: string,
  change: () => Promise<unknown>,
): Promise<{ confirmed: boolean; restartMs: number }> {
  const { server, killSwitch, pauseFile } = rig;
  const pauseAt = point.pauseAt;
  if (pauseAt !== undefined) await writeFile(pauseFile, `${pauseAt}\n`);
  const paused = (): Promise<void> => server.nextLine(new RegExp(`^latchkey-test-pause: ${pauseAt}$`), 30_000).then(() => undefined);
  killSwitch.arm(point, blocker ? () => blocker.untilWaitedOn() : pauseAt !== undefined ? paused : () => sleep(delayMs));
  let confirmed = false;
  try {
    await change();
    confirmed = true;
  } catch (error) {
    // The only acceptable failure is the server vanishing under the request.
    expect(error, `${what} failed with something other than the crash: ${String(error)}`).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code, `${what} failed with something other than the crash: ${String(error)}`).toBe('network_error');
  } finally {
    killSwitch.disarm();
  }
  try {
    expect(killSwitch.killed, `kill point "${point.label}" was never reached`).toBeDefined();
    // A kill timed late may come after the client already got its answer (then it must be 'new').
    await killSwitch.killed;
  } finally {
    await blocker?.release();
    // Disarmed before the restart, so the restarted server runs through.
    await rm(pauseFile, { force: true });
  }
  expect((await server.exited).signal).toBe('SIGKILL');
  const restartStarted = performance.now();
  await server.restart();
  return { confirmed, restartMs: performance.now() - restartStarted };
}
