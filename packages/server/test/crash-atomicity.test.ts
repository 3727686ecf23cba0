/**
 * SPEC §5 invariant 5 for password change and Secret Key change: a credential swap is atomic.
 * After a crash at any point the account opens with the old or the new credentials, never
 * neither, and no item is lost.
 *
 * A real server runs as a child process (`latchkey server`). A user changes their password or
 * Secret Key through the SDK, and the server is SIGKILLed at one point of the change: after the
 * client got the confirmation, as the new OPAQUE registration starts, right as the swap request
 * is sent, and at delays into the swap request that bisect towards the moment it commits (learnt
 * from the earlier rounds, so they land around the commit on any machine); on PostgreSQL one
 * kill lands for certain inside the swap transaction, held half-way by a row lock. The server is
 * restarted on the same data and the test checks that
 *   - the account opens with exactly the credentials the crash point allows (old before the
 *     swap was sent, new once it was confirmed, one of the two in between), signing in with a
 *     fresh client and explicit credentials;
 *   - the user's own device (its store keeps a new Secret Key as *pending* until the server
 *     confirms) signs in with only the password;
 *   - every item is there with the same version and decrypted content.
 * A last test kills the server in the middle of a burst of item writes: every acknowledged
 * write must survive, and unacknowledged ones land whole or not at all.
 * On PGlite every kill also exercises the embedded database's crash recovery on restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatchkeyClient } from '@latchkey/client/client';
import type { Fetch } from '@latchkey/client/http';
import { accountKey, MemoryStore } from '@latchkey/client/local-store';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ItemFields } from '@latchkey/core/item';
import { createEmptyPostgresDatabase, testDatabaseKind } from './helpers/test-database.ts';
import { startServerProcess, stopAllServerProcesses, type ServerProcess } from './helpers/server-process.ts';
import { sdkClient, signUpThroughOutbox, type SignedUpAccount } from './helpers/sdk-account.ts';

const FINISH = '/api/account/credentials/finish';

type Outcome = 'old' | 'new';

/** Where in the change the server dies. `delay` (ms after the request is sent) may use what earlier rounds measured. */
interface KillPoint {
  readonly label: string;
  readonly path: string;
  readonly when: 'request' | 'response';
  readonly delay: (timing: SwapTiming) => number;
  /**
   * PostgreSQL only: the test holds a row lock on the user's keyset, so the swap transaction
   * stops half-way (users row updated, keyset not yet) and the kill lands inside it for certain.
   */
  readonly insideTransaction?: true;
  /** What must open afterwards. */
  readonly allowed: readonly Outcome[];
}

/**
 * What the rounds learn about the swap request on this machine, so the kills close in on the
 * moment it commits: the round trip of a completed swap on a freshly started server, the longest
 * kill delay after which the old credentials were still live, and the shortest after which the
 * new ones were. Bisecting between the last two puts kills right around the commit.
 */
class SwapTiming {
  roundTripMs = 0;
  oldUpToMs = 0;
  newFromMs = Number.POSITIVE_INFINITY;

  record(point: KillPoint, delayMs: number, outcome: Outcome): void {
    if (point.path !== FINISH || point.when !== 'request') return;
    if (outcome === 'old') this.oldUpToMs = Math.max(this.oldUpToMs, delayMs);
    else this.newFromMs = Math.min(this.newFromMs, delayMs);
  }

  bisect(): number {
    // Timing jitters between restarts: when the bounds cross, widen the upper one to the round trip.
    const upper = this.newFromMs > this.oldUpToMs ? Math.min(this.newFromMs, this.roundTripMs) : this.roundTripMs;
    return (this.oldUpToMs + upper) / 2;
  }
}

const BISECTION = (i: number): KillPoint => ({
  label: `while the swap request is handled (bisection ${i})`,
  path: FINISH,
  when: 'request',
  delay: (timing) => timing.bisect(),
  allowed: ['old', 'new'],
});

const KILL_POINTS: readonly KillPoint[] = [
  // First, so it measures the swap request's round trip for the bisection below.
  { label: 'after the client got the confirmation', path: FINISH, when: 'response', delay: () => 0, allowed: ['new'] },
  { label: 'as the new OPAQUE registration starts', path: '/api/account/credentials/start', when: 'request', delay: () => 0, allowed: ['old'] },
  { label: 'right as the swap request is sent', path: FINISH, when: 'request', delay: () => 0, allowed: ['old', 'new'] },
  BISECTION(1),
  BISECTION(2),
  BISECTION(3),
  testDatabaseKind() === 'postgres'
    ? { label: 'inside the swap transaction (blocked on a row lock)', path: FINISH, when: 'request', delay: () => 0, insideTransaction: true, allowed: ['old'] }
    : BISECTION(4),
];
// Seven rounds per kind of change keep the sign-ins of one email (2–3 per round) under the
// server's limit of 20 per 5 minutes (RATE_LIMITS.signInPerEmail).

/**
 * A fetch for the SDK that SIGKILLs the server at an armed point: `delayMs` after a request to
 * `path` is sent, or right after its response was fully received.
 */
class KillSwitch {
  #armed: { point: KillPoint; wait: () => Promise<void> } | undefined;
  /** Resolves once the armed kill was sent (set when the armed request goes out). */
  killed: Promise<void> | undefined;
  /** Round trip of the last request to FINISH that completed through this switch. */
  lastFinishRoundTripMs: number | undefined;

  constructor(private readonly server: ServerProcess) {}

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
    if (url.pathname === FINISH && response.ok) this.lastFinishRoundTripMs = performance.now() - started;
    return response;
  }
}

interface ExpectedItem {
  readonly id: string;
  readonly vaultId: string;
  readonly version: number;
  readonly fields: ItemFields;
}

const ITEM_FIXTURES: readonly ItemFields[] = [
  { kind: 'login', title: 'Bank', username: 'alice', password: 'correct horse battery staple', urls: ['https://bank.example'], notes: 'PIN is elsewhere' },
  { kind: 'login', title: 'Mail', username: 'alice@example.com', password: 'ü-Ünïcødé-🔑', totp: 'otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP&issuer=Mail' },
  { kind: 'note', title: 'Wi-Fi at home', notes: 'SSID: latchkey\npassword: hunter2hunter2' },
  { kind: 'password', title: 'Safe combination', password: '12-34-56' },
  { kind: 'login', title: 'Work VPN', username: 'a.smith', password: 'vpn-secret', urls: ['https://vpn.work.example', 'https://sso.work.example'] },
  { kind: 'note', title: 'Recovery notes', notes: 'x'.repeat(4_000) },
];

function fieldsOf(item: ItemFields & { id?: string; vaultId?: string; version?: number; updatedAt?: string }): ItemFields {
  const { id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields } = item;
  return fields;
}

async function snapshotItems(client: LatchkeyClient): Promise<ExpectedItem[]> {
  const items = await client.items.list();
  return items.map((i) => ({ id: i.id, vaultId: i.vaultId, version: i.version, fields: fieldsOf(i) })).sort((a, b) => a.id.localeCompare(b.id));
}

const isCredentialRefusal = (error: unknown): boolean =>
  error instanceof LatchkeyError && (error.code === 'wrong_password' || error.code === 'wrong_secret_key' || error.code === 'invalid_credentials');

describe(`credential changes are atomic across a SIGKILL of the server (${testDatabaseKind()})`, () => {
  let dataDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  let server: ServerProcess;
  let killSwitch: KillSwitch;
  const summary: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-crash-'));
    if (testDatabaseKind() === 'postgres') {
      const database = await createEmptyPostgresDatabase();
      databaseUrl = database.databaseUrl;
      dropDatabase = database.drop;
    }
    server = await startServerProcess({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    killSwitch = new KillSwitch(server);
  });

  afterAll(async () => {
    await stopAllServerProcesses();
    await dropDatabase?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (summary.length > 0) console.info(`crash rounds (${testDatabaseKind()}):\n  ${summary.join('\n  ')}`);
  });

  /** Signs a user up through the SDK on the child server and fills two vaults with items. */
  async function userWithItems(label: string): Promise<{ account: SignedUpAccount; items: ExpectedItem[] }> {
    if (!server.running) await server.restart(); // an earlier test may have failed between kill and restart
    const account = await signUpThroughOutbox({ server: server.url, dataDir, name: label, fetch: killSwitch.fetch });
    const vaults = await account.client.vaults.list();
    const personal = vaults.find((v) => v.kind === 'personal');
    expect(personal).toBeDefined();
    const work = await account.client.vaults.create('Work');
    for (const [index, fields] of ITEM_FIXTURES.entries()) {
      await account.client.items.create(index % 2 === 0 ? personal!.id : work.id, fields);
    }
    const items = await snapshotItems(account.client);
    expect(items).toHaveLength(ITEM_FIXTURES.length);
    // A kill while idle loses nothing either; and every round then starts on a freshly started
    // (cold) server, so the round trip measured in round 0 is the one the later kill delays hit.
    server.kill();
    await server.restart();
    expect(await snapshotItems(account.client)).toEqual(items);
    return { account, items };
  }

  /**
   * Signs in with a fresh client (no device memory) and explicit credentials; the client is
   * signed in and unlocked on success, undefined when the server/OPAQUE refuses them.
   */
  async function opensWith(email: string, password: string, secretKey: string): Promise<LatchkeyClient | undefined> {
    const client = sdkClient(server.url);
    try {
      await client.signIn({ email, password, secretKey });
      return client;
    } catch (error) {
      if (isCredentialRefusal(error)) return undefined;
      throw error;
    }
  }

  /**
   * Kills the server at `point` during `change` and restarts it; reports whether the client saw
   * the change confirmed. `userId` names the account whose keyset row an `insideTransaction` point locks.
   */
  async function crashDuring(point: KillPoint, timing: SwapTiming, userId: string, change: () => Promise<unknown>): Promise<{ confirmed: boolean; delayMs: number }> {
    const delayMs = point.delay(timing);
    const blocker = point.insideTransaction ? await lockKeysetRow(userId) : undefined;
    killSwitch.arm(point, blocker ? () => blocker.swapIsWaiting() : () => sleep(delayMs));
    let confirmed = false;
    try {
      await change();
      confirmed = true;
    } catch (error) {
      // The only acceptable failure is the server vanishing under the request.
      expect(error, `change failed with something other than the crash: ${String(error)}`).toBeInstanceOf(LatchkeyError);
      expect((error as LatchkeyError).code).toBe('network_error');
    } finally {
      killSwitch.disarm();
    }
    try {
      expect(killSwitch.killed, `kill point "${point.label}" was never reached`).toBeDefined();
      // A kill timed late may come after the client already got its answer (then it must be 'new').
      await killSwitch.killed;
    } finally {
      await blocker?.release();
    }
    const exit = await server.exited;
    expect(exit.signal).toBe('SIGKILL');
    await server.restart();
    return { confirmed, delayMs };
  }

  /** PostgreSQL: holds `FOR UPDATE` on the user's keyset row from a separate connection, so the swap transaction blocks half-way. */
  async function lockKeysetRow(userId: string): Promise<{ swapIsWaiting(): Promise<void>; release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('begin');
    const locked = await client.query('select id from keysets where owner_user_id = $1 for update', [userId]);
    expect(locked.rowCount).toBe(1);
    return {
      async swapIsWaiting() {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const waiting = await client.query(
            'select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))',
          );
          if ((waiting.rows[0] as { n: number }).n > 0) return;
          if (Date.now() > deadline) {
            const activity = await client.query(`select pid, state, wait_event_type, wait_event, left(query, 80) as query from pg_stat_activity where datname = current_database()`);
            throw new Error(`the swap transaction never reached the locked keyset row; sessions: ${JSON.stringify(activity.rows)}`);
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

  function checkOutcome(point: KillPoint, confirmed: boolean, outcome: Outcome): void {
    expect(point.allowed, `crash ${point.label}: the account opened with the ${outcome} credentials`).toContain(outcome);
    // A confirmed swap must have been durable: the client already threw the old credentials away.
    if (confirmed) expect(outcome, `crash ${point.label}: the client saw the change confirmed, yet the old credentials are live`).toBe('new');
  }

  it('password change: after a crash at any point the account opens with the old or the new password, and every item is intact', async () => {
    const { account, items } = await userWithItems('Password Changer');
    const deviceStore = account.store;
    const key = accountKey(server.url, account.email);
    let device: LatchkeyClient = account.client;
    let password = account.password;
    const timing = new SwapTiming();

    for (const [round, point] of KILL_POINTS.entries()) {
      const oldPassword = password;
      const newPassword = `${account.password}-round-${round}`;
      const { confirmed, delayMs } = await crashDuring(point, timing, account.userId, () => device.account.changePassword(oldPassword, newPassword));
      if (round === 0) timing.roundTripMs = killSwitch.lastFinishRoundTripMs ?? 0;

      // Fresh client, explicit credentials: try first what the client believes is live, then the other.
      const tries: Array<[Outcome, string]> = confirmed ? [['new', newPassword], ['old', oldPassword]] : [['old', oldPassword], ['new', newPassword]];
      let outcome: Outcome | undefined;
      let opened: LatchkeyClient | undefined;
      for (const [which, candidate] of tries) {
        opened = await opensWith(account.email, candidate, account.secretKey);
        if (opened !== undefined) {
          outcome = which;
          break;
        }
      }
      expect(outcome, `crash ${point.label}: the account opens with neither the old nor the new password`).toBeDefined();
      checkOutcome(point, confirmed, outcome!);
      timing.record(point, delayMs, outcome!);
      password = outcome === 'new' ? newPassword : oldPassword;
      expect(await snapshotItems(opened!)).toEqual(items);

      // The user's own device: remembered Secret Key, only the (live) password typed.
      device = sdkClient(server.url, { store: deviceStore, fetch: killSwitch.fetch });
      await device.signIn({ email: account.email, password });
      expect((await deviceStore.read()).secretKeys?.[key]).toBe(account.secretKey);
      expect(await snapshotItems(device)).toEqual(items);
      summary.push(`password   round ${round}: kill ${point.label} (+${delayMs.toFixed(1)} ms; round trip ${timing.roundTripMs.toFixed(1)} ms) -> ${outcome}${confirmed ? ' (confirmed)' : ''}`);
    }
  }, 150_000);

  it('Secret Key change: after a crash at any point the account opens with the old or the new Secret Key (the device tries its pending key), and every item is intact', async () => {
    const { account, items } = await userWithItems('Secret Key Changer');
    const deviceStore: MemoryStore = account.store;
    const key = accountKey(server.url, account.email);
    let device: LatchkeyClient = account.client;
    let secretKey = account.secretKey;
    const timing = new SwapTiming();

    for (const [round, point] of KILL_POINTS.entries()) {
      const oldKey = secretKey;
      const { confirmed, delayMs } = await crashDuring(point, timing, account.userId, () => device.account.changeSecretKey(account.password));
      if (round === 0) timing.roundTripMs = killSwitch.lastFinishRoundTripMs ?? 0;

      const stored = await deviceStore.read();
      // Confirmed: the device already holds the new key as its Secret Key; otherwise it may hold it as pending.
      const newKey = confirmed ? stored.secretKeys?.[key] : stored.pendingSecretKeys?.[key];
      if (confirmed) {
        expect(stored.pendingSecretKeys?.[key]).toBeUndefined();
        expect(newKey).not.toBe(oldKey);
      } else {
        expect(stored.secretKeys?.[key]).toBe(oldKey);
      }
      // Killed before the new key existed: only the old one can be live.
      if (newKey === undefined) expect(point.allowed).toContain('old');

      const tries: Array<[Outcome, string]> = [];
      if (newKey !== undefined) tries.push(['new', newKey]);
      if (confirmed) tries.push(['old', oldKey]);
      else tries.unshift(['old', oldKey]);
      let outcome: Outcome | undefined;
      let opened: LatchkeyClient | undefined;
      for (const [which, candidate] of tries) {
        opened = await opensWith(account.email, account.password, candidate);
        if (opened !== undefined) {
          outcome = which;
          break;
        }
      }
      expect(outcome, `crash ${point.label}: the account opens with neither the old nor the new Secret Key`).toBeDefined();
      checkOutcome(point, confirmed, outcome!);
      timing.record(point, delayMs, outcome!);
      secretKey = outcome === 'new' ? newKey! : oldKey;
      expect(await snapshotItems(opened!)).toEqual(items);
      expect(opened!.isUnlocked).toBe(true);

      // The user's own device, password only: it tries its remembered key and then the pending one.
      device = sdkClient(server.url, { store: deviceStore, fetch: killSwitch.fetch });
      await device.signIn({ email: account.email, password: account.password });
      const after = await deviceStore.read();
      expect(after.secretKeys?.[key], 'the device remembers the live Secret Key').toBe(secretKey);
      expect(after.pendingSecretKeys?.[key]).toBeUndefined();
      expect(await snapshotItems(device)).toEqual(items);
      summary.push(`secret key round ${round}: kill ${point.label} (+${delayMs.toFixed(1)} ms; round trip ${timing.roundTripMs.toFixed(1)} ms) -> ${outcome}${confirmed ? ' (confirmed)' : ''}`);
    }
  }, 150_000);
  it('items acknowledged before a SIGKILL in the middle of a burst of writes are all there afterwards, intact', async () => {
    const { account, items: before } = await userWithItems('Burst Writer');
    const personal = (await account.client.vaults.list()).find((v) => v.kind === 'personal')!;
    let expected = before;
    for (const round of [1, 2]) {
      const acknowledged: ExpectedItem[] = [];
      const sent = Array.from({ length: 40 }, (_, i): ItemFields => ({ kind: 'login', title: `burst ${round} #${i}`, username: `u${i}`, password: `p-${round}-${i}-${'z'.repeat(i * 50)}` }));
      // Kill once a quarter of the writes were confirmed; the rest are in flight or not yet sent.
      const results = await Promise.allSettled(
        sent.map((fields) =>
          account.client.items.create(personal.id, fields).then((item) => {
            acknowledged.push({ id: item.id, vaultId: item.vaultId, version: item.version, fields });
            if (acknowledged.length === sent.length / 4) server.kill();
          }),
        ),
      );
      expect(results.some((r) => r.status === 'rejected'), 'the kill came after every write was done').toBe(true);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as LatchkeyError).code).toBe('network_error');
      expect((await server.exited).signal).toBe('SIGKILL');
      await server.restart();

      // The session and the unlocked keys outlive the server; list everything again.
      const after = await snapshotItems(account.client);
      const byId = new Map(after.map((i) => [i.id, i]));
      for (const item of [...expected, ...acknowledged]) expect(byId.get(item.id), `item "${item.fields.title}" was lost`).toEqual(item);
      const known = new Set([...expected, ...acknowledged].map((i) => i.id));
      // Writes in flight at the kill may or may not have landed, but only whole and only as sent.
      for (const extra of after.filter((i) => !known.has(i.id))) {
        expect(sent).toContainEqual(extra.fields);
        expect(extra.version).toBe(1);
      }
      summary.push(`burst      round ${round}: ${acknowledged.length} acknowledged, ${after.length - known.size} more landed unacknowledged, ${sent.length - (after.length - expected.length)} never landed`);
      expected = after;
    }
  }, 120_000);
});
