/**
 * Scale (SPEC §7): PostgreSQL holding 100,000 accounts, two `latchkey server` instances on it
 * sharing one keyring, driven over loopback: sign-ins per second at saturation, server time at
 * the target rate of 200 sign-ins/s and at half the rate the machine managed, and items syncing between two devices of an account (one
 * writing on one instance, the other listing on the other instance).
 *
 * Every figure has a baseline from the same run: the same measurements on the same database
 * while it holds only the accounts that take part (a few hundred), before the filler accounts
 * are added (filler-accounts.ts); so the table shows what 100,000 accounts cost. The raw
 * server-side OPAQUE rate (sign-in.ts `measureRawOpaque`) gives the per-core ceiling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ClientContext } from '@latchkey/client/context';
import { ApiClient } from '@latchkey/client/http';
import { createItem, listItems } from '@latchkey/client/items';
import { MemoryStore } from '@latchkey/client/local-store';
import { signIn } from '@latchkey/client/sign-in';
import { completeSignup, startSignup } from '@latchkey/client/signup';
import { listVaults } from '@latchkey/client/vaults';
import { BENCH_DEVICE, OutboxCodes, cheapDerivation } from './accounts.ts';
import { insertFillerAccounts, type FillerResult } from './filler-accounts.ts';
import { boundFetch, loopbackAddress } from './http.ts';
import { createFreshDatabase } from './postgres.ts';
import { PostgresCpuWindow } from './postgres-cpu.ts';
import { machineBusySeconds, processCpuSeconds } from './proc.ts';
import { check, row, type Row, type Section } from './report.ts';
import { startServerProcess, type LoggedRequest, type ServerProcess } from './server-process.ts';
import { measureRawOpaque, runPhase, signUpUsers, usersFor, WARMUP_MS, WINDOW_MS, withAddresses, type PhaseResult } from './sign-in.ts';
import { sampleItem } from './sync.ts';
import { fmt, mapConcurrent, pct, percentile, sleep } from './util.ts';
import type { VaultId } from '@latchkey/core/ids';

/** SPEC §7: "on PostgreSQL with 100,000 accounts and two server instances, 200 sign-ins/s with p99 server time < 50 ms". */
const TOTAL_ACCOUNTS = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 100_000);
const TARGET_RATE = 200;
const TARGET_P99_MS = 50;
/** Sizes the user pool of the closed-loop phase (each user signs in at most 19 times in 5 minutes). */
const CAPACITY_MAX = Number(process.env.BENCH_SCALE_MAX ?? 300);
/** Sizes the user pool of the run at half the baseline's closed-loop rate. */
const LIGHT_MAX = CAPACITY_MAX / 2;
const CLOSED_LOOP_CONCURRENCY = 40;
const OPEN_LOOP_MAX_IN_FLIGHT = 100;
/** Items sync: accounts with two devices, one writing, one listing; vault size before the phase. */
const SYNC_PAIRS = 4;
const SYNC_VAULT_ITEMS = Number(process.env.BENCH_SCALE_VAULT_ITEMS ?? 200);
const WRITES_PER_SECOND_PER_WRITER = 10;
/** Items per filler account (copies of the template's). */
const FILLER_ITEMS = Number(process.env.BENCH_SCALE_FILLER_ITEMS ?? 5);

// Loopback /16 blocks, each used by one group of requests so no per-source limit is shared.
// Block 1 is where signUpUsers (sign-in.ts) signs accounts up from.
const BLOCK = { syncAccounts: 9, capacity: [2, 4], atTarget: [3, 5], light: [6, 7] } as const;

// ---------------------------------------------------------------------------------------------
// Where the CPU went during a measurement window

interface WindowUsage {
  readonly seconds: number;
  /** CPU seconds per wall second of each server process. */
  readonly servers: readonly number[];
  /** PostgreSQL backends serving the benchmark database. */
  readonly postgres: number;
  /** PostgreSQL's own background processes (WAL writer, checkpointer, autovacuum, ...), which every database on it keeps busy. */
  readonly postgresShared: number;
  /** Load-generator processes and this benchmark process (SDK clients, request-log parsing). */
  readonly load: number;
  /** Everything else on the machine (other work sharing it). */
  readonly other: number;
  readonly requests: readonly LoggedRequest[];
}

class WindowProbe {
  private loadPids: readonly number[] = [];
  private before = new Map<number, number>();
  private postgresWindow: PostgresCpuWindow | undefined;
  private marks: number[] = [];
  private machine = 0;
  private self = process.cpuUsage();
  private t0 = 0;
  private usage: WindowUsage | undefined;

  constructor(
    private readonly servers: readonly ServerProcess[],
    private readonly db: pg.Client,
  ) {}

  async start(loadPids: readonly number[]): Promise<void> {
    this.loadPids = loadPids;
    this.postgresWindow = await PostgresCpuWindow.open(this.db);
    const pids = [...this.servers.map((s) => s.pid), ...loadPids];
    this.before = new Map(pids.map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
    this.marks = this.servers.map((s) => s.requests.length);
    this.machine = machineBusySeconds();
    this.self = process.cpuUsage();
    this.t0 = performance.now();
  }

  async stop(): Promise<void> {
    const seconds = (performance.now() - this.t0) / 1000;
    const self = process.cpuUsage(this.self);
    const machine = machineBusySeconds() - this.machine;
    const after = new Map<number, number | undefined>();
    const cpu = (pid: number) => {
      if (!after.has(pid)) after.set(pid, processCpuSeconds(pid));
      return after.get(pid);
    };
    // A process that started during the window counts from zero; one that exited took its figure with it (pools keep their connections under load).
    const used = (pid: number) => Math.max(0, (cpu(pid) ?? this.before.get(pid) ?? 0) - (this.before.get(pid) ?? 0));
    const servers = this.servers.map((s) => used(s.pid));
    if (this.postgresWindow === undefined) throw new Error('the measurement window was not opened');
    const { mine: postgres, shared: postgresShared } = await this.postgresWindow.close();
    const load = this.loadPids.reduce((total, pid) => total + used(pid), 0) + (self.user + self.system) / 1e6;
    const serverTotal = servers.reduce((a, b) => a + b, 0);
    const requests = this.servers.flatMap((s, i) => s.requests.slice(this.marks[i], s.requests.length));
    this.usage = {
      seconds,
      servers: servers.map((c) => c / seconds),
      postgres: postgres / seconds,
      postgresShared: postgresShared / seconds,
      load: load / seconds,
      other: Math.max(0, machine - serverTotal - postgres - postgresShared - load) / seconds,
      requests,
    };
  }

  result(): WindowUsage {
    if (this.usage === undefined) throw new Error('the measurement window was not closed');
    return this.usage;
  }
}

const describeCpu = (u: WindowUsage): string =>
  `CPU (share of one core): servers ${u.servers.map((s) => pct(s)).join(' + ')}, PostgreSQL ${pct(u.postgres)} (+ ${pct(u.postgresShared)} its background processes), load generators and benchmark ${pct(u.load)}, other work on the machine ${pct(u.other)}`;

/** p50 and p99 of the server's own `responseTime` for successful requests matching `route`. */
function serverTimes(requests: readonly LoggedRequest[], method: string, route: RegExp): { p50: number; p99: number; n: number } {
  const ms = requests.filter((r) => r.method === method && route.test(r.url) && r.statusCode < 300).map((r) => r.responseTimeMs);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length };
}

const LOGIN_START = /^\/api\/auth\/login\/start$/;
const LOGIN_FINISH = /^\/api\/auth\/login\/finish$/;
const VAULT_ITEMS = /^\/api\/vaults\/[^/]+\/items$/;

// ---------------------------------------------------------------------------------------------
// Sign-in phases

interface SignInMeasurement {
  readonly phase: PhaseResult;
  readonly usage: WindowUsage;
  readonly start: { p50: number; p99: number; n: number };
  readonly finish: { p50: number; p99: number; n: number };
}

type LoadUsers = ReturnType<typeof withAddresses>;

async function measureSignIns(servers: readonly ServerProcess[], db: pg.Client, users: LoadUsers, ratePerSecond?: number): Promise<SignInMeasurement> {
  const probe = new WindowProbe(servers, db);
  const phase = await runPhase({
    servers,
    users,
    loadProcesses: 2,
    loadCpus: undefined,
    concurrencyPerProcess: ratePerSecond === undefined ? CLOSED_LOOP_CONCURRENCY : OPEN_LOOP_MAX_IN_FLIGHT,
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    probe,
  });
  await sleep(200); // the last request-log lines
  const usage = probe.result();
  return { phase, usage, start: serverTimes(usage.requests, 'POST', LOGIN_START), finish: serverTimes(usage.requests, 'POST', LOGIN_FINISH) };
}

// ---------------------------------------------------------------------------------------------
// Items sync: one account, two devices, each on its own instance

interface SyncAccount {
  readonly vaultId: VaultId;
  /** Signed up through the first instance. */
  readonly first: ClientContext;
  /** Signed in as a second device through the second instance. */
  readonly second: ClientContext;
}

const bareContext = (server: string, fetchFrom: string): ClientContext => ({
  api: new ApiClient(server, boundFetch(fetchFrom)),
  store: new MemoryStore(),
  device: BENCH_DEVICE,
  derivation: cheapDerivation,
  keys: undefined,
});

async function makeSyncAccount(servers: readonly [ServerProcess, ServerProcess], outbox: OutboxCodes, index: number, items: number): Promise<SyncAccount> {
  const email = `scale-sync-${index}-${Date.now().toString(36)}@bench.example`;
  const password = `scale sync password ${index}`;
  const first = bareContext(servers[0].url, loopbackAddress(BLOCK.syncAccounts, 0));
  await startSignup(first, email);
  const { secretKey } = await completeSignup(first, { email, name: `Sync ${index}`, code: await outbox.waitForCode(email), password });
  const personal = (await listVaults(first)).find((v) => v.kind === 'personal');
  if (personal === undefined) throw new Error('sign-up made no Personal vault');
  await mapConcurrent(items, 8, (i) => createItem(first, personal.id, sampleItem(i)));
  const second = bareContext(servers[1].url, loopbackAddress(BLOCK.syncAccounts, 1));
  await signIn(second, { email, password, secretKey });
  return { vaultId: personal.id, first, second };
}

interface SyncMeasurement {
  readonly usage: WindowUsage;
  readonly list: { p50: number; p99: number; n: number };
  readonly create: { p50: number; p99: number; n: number };
  readonly listsPerSec: number;
  readonly writesPerSec: number;
  readonly vaultItems: { before: number; after: number };
  readonly errors: Record<string, number>;
}

/**
 * In each account, one device writes items (SDK `createItem`, `WRITES_PER_SECOND_PER_WRITER` a
 * second) while the other lists the vault as fast as it can (SDK `listItems`: GET, decrypt,
 * rollback check); half the accounts write through the first instance, half through the second.
 * Afterwards each reader must see every item written through the other instance.
 */
async function measureSync(servers: readonly ServerProcess[], db: pg.Client, accounts: readonly SyncAccount[]): Promise<SyncMeasurement> {
  const probe = new WindowProbe(servers, db);
  const windowStart = Date.now() + WARMUP_MS;
  const windowEnd = windowStart + WINDOW_MS;
  const errors: Record<string, number> = {};
  const fail = (error: unknown) => {
    const code = error instanceof Error ? error.message : String(error);
    errors[code] = (errors[code] ?? 0) + 1;
  };
  const inWindow = (t: number) => t >= windowStart && t <= windowEnd;
  let lists = 0;
  let writes = 0;
  const written = accounts.map(() => 0);
  const before = await Promise.all(accounts.map(async (a) => (await listItems(a.second, a.vaultId)).length));

  const roles = accounts.map((a, i) => (i % 2 === 0 ? { writer: a.first, reader: a.second } : { writer: a.second, reader: a.first }));
  const writer = async (ctx: ClientContext, i: number) => {
    const t0 = Date.now();
    for (let k = 0; Date.now() < windowEnd; k++) {
      await sleep(t0 + (k * 1000) / WRITES_PER_SECOND_PER_WRITER - Date.now());
      try {
        await createItem(ctx, accounts[i]!.vaultId, sampleItem(10_000 + k));
        written[i]!++;
        if (inWindow(Date.now())) writes++;
      } catch (error) {
        fail(error);
      }
    }
  };
  const reader = async (ctx: ClientContext, i: number) => {
    while (Date.now() < windowEnd) {
      try {
        await listItems(ctx, accounts[i]!.vaultId);
        if (inWindow(Date.now())) lists++;
      } catch (error) {
        fail(error);
      }
    }
  };
  const window = (async () => {
    await sleep(windowStart - Date.now());
    await probe.start([]);
    await sleep(windowEnd - Date.now());
    await probe.stop();
  })();
  await Promise.all([window, ...roles.map((r, i) => writer(r.writer, i)), ...roles.map((r, i) => reader(r.reader, i))]);
  await sleep(200);

  // Each reader sees every item, whichever instance it was written through.
  const after = await Promise.all(roles.map(async (r, i) => (await listItems(r.reader, accounts[i]!.vaultId)).length));
  after.forEach((n, i) => {
    if (n !== before[i]! + written[i]!) throw new Error(`account ${i}: the reader sees ${n} items, ${before[i]! + written[i]!} were written`);
  });
  const usage = probe.result();
  const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    usage,
    list: serverTimes(usage.requests, 'GET', VAULT_ITEMS),
    create: serverTimes(usage.requests, 'POST', VAULT_ITEMS),
    listsPerSec: lists / (WINDOW_MS / 1000),
    writesPerSec: writes / (WINDOW_MS / 1000),
    vaultItems: { before: avg(before), after: avg(after) },
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// One database state: the same four measurements

interface StateMeasurement {
  readonly capacity: SignInMeasurement;
  readonly atTarget: SignInMeasurement;
  /** At `lightRate` sign-ins/s: latency when the machine is not saturated. */
  readonly light: SignInMeasurement;
  readonly lightRate: number;
  readonly sync: SyncMeasurement;
}

interface StateInput {
  readonly capacityUsers: LoadUsers;
  readonly targetUsers: LoadUsers;
  readonly lightUsers: LoadUsers;
  readonly syncAccounts: readonly SyncAccount[];
}

/** `lightRate` absent: half of the closed-loop rate just measured (the baseline state sets it; the full state reuses it). */
async function measureState(servers: readonly ServerProcess[], db: pg.Client, input: StateInput, label: string, lightRate?: number): Promise<StateMeasurement> {
  process.stderr.write(`bench: scale: ${label}: sign-ins, closed loop...\n`);
  const capacity = await measureSignIns(servers, db, input.capacityUsers);
  process.stderr.write(`bench: scale: ${label}: sign-ins at ${TARGET_RATE}/s...\n`);
  const atTarget = await measureSignIns(servers, db, input.targetUsers, TARGET_RATE);
  const rate = lightRate ?? Math.min(LIGHT_MAX, Math.max(5, Math.round(capacity.phase.signInsPerSec / 2)));
  process.stderr.write(`bench: scale: ${label}: sign-ins at ${rate}/s...\n`);
  const light = await measureSignIns(servers, db, input.lightUsers, rate);
  process.stderr.write(`bench: scale: ${label}: items sync...\n`);
  const sync = await measureSync(servers, db, input.syncAccounts);
  return { capacity, atTarget, light, lightRate: rate, sync };
}

// ---------------------------------------------------------------------------------------------
// The section

const ms = (v: number) => `${fmt(v, 1)} ms`;
const p5099 = (t: { p50: number; p99: number }) => `${ms(t.p50)} / ${ms(t.p99)}`;
/** Server time of a sign-in: its two requests' p99s added (the log cannot pair the two requests of one sign-in). */
const p99PerSignIn = (m: SignInMeasurement) => m.start.p99 + m.finish.p99;
const p50PerSignIn = (m: SignInMeasurement) => m.start.p50 + m.finish.p50;
/** CPU ms per completed sign-in of a share of the window (CPU seconds per wall second). */
const cpuMsPerSignIn = (m: SignInMeasurement, share: number) => (share * m.usage.seconds * 1000) / (m.phase.signInsPerSec * (WINDOW_MS / 1000));
const serverShare = (m: SignInMeasurement) => m.usage.servers.reduce((a, b) => a + b, 0);
/** Sign-ins/s that `cores` fully given to servers and PostgreSQL would do at this run's CPU cost per sign-in. */
const onDedicatedCores = (m: SignInMeasurement, cores: number, withLoad = false) =>
  (cores * 1000) / cpuMsPerSignIn(m, serverShare(m) + m.usage.postgres + m.usage.postgresShared + (withLoad ? m.usage.load : 0));
const errorsOf = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([code, n]) => `${n}× ${code}`)
    .join(', ');
const cpuSplit = (u: WindowUsage) =>
  `servers ${u.servers.map((s) => pct(s)).join(' + ')}, PostgreSQL ${pct(u.postgres + u.postgresShared)}, load ${pct(u.load)}, other ${pct(u.other)}`;

function describeSignIns(m: SignInMeasurement): string {
  const errors = errorsOf(m.phase.errors);
  return (
    `${fmt(m.phase.signInsPerSec, 0)} sign-ins/s; server time p50/p99 login/start ${p5099(m.start)} (${m.start.n} requests), login/finish ${p5099(m.finish)}; ` +
    `seen by the clients p50 ${ms(m.phase.p50Ms)} / p99 ${ms(m.phase.p99Ms)}; ${fmt(m.phase.perServerCpuSecond, 0)} sign-ins per server CPU-second; ${describeCpu(m.usage)}` +
    (m.phase.skipped > 0 ? `; ${m.phase.skipped} scheduled sign-ins not started (${2 * OPEN_LOOP_MAX_IN_FLIGHT} already in flight)` : '') +
    (errors ? `; errors: ${errors}` : '') +
    (m.phase.exhausted ? '; USER POOL EXHAUSTED: the rate is a lower bound' : '')
  );
}

function describeSync(m: SyncMeasurement): string {
  const errors = errorsOf(m.errors);
  return (
    `${fmt(m.listsPerSec, 0)} lists/s and ${fmt(m.writesPerSec, 0)} item writes/s; server time p50/p99 GET items ${p5099(m.list)} (${m.list.n}), POST item ${p5099(m.create)} (${m.create.n}); ` +
    `vaults grew from ${fmt(m.vaultItems.before, 0)} to ${fmt(m.vaultItems.after, 0)} items on average; ${describeCpu(m.usage)}` +
    (errors ? `; errors: ${errors}` : '')
  );
}

export async function benchScale(): Promise<Section> {
  const title = `Scale (PostgreSQL, ${TOTAL_ACCOUNTS.toLocaleString('en-US')} accounts, 2 server instances)`;
  const rows: Row[] = [];
  const notes: string[] = [];
  const cores = availableParallelism();
  const raw = await measureRawOpaque();

  let database: Awaited<ReturnType<typeof createFreshDatabase>>;
  try {
    database = await createFreshDatabase();
  } catch (error) {
    rows.push(row('Scale on PostgreSQL', { status: 'skipped', measured: `PostgreSQL unreachable: ${error instanceof Error ? error.message : String(error)}` }));
    return { title, rows, notes };
  }
  const dataDirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(tmpdir(), 'latchkey-bench-scale-'))));
  const servers: ServerProcess[] = [];
  const db = new pg.Client({ connectionString: database.url });
  let active: StateMeasurement;
  let full: StateMeasurement;
  let filler: FillerResult;
  let activeAccounts: number;
  let setupSeconds: number;
  try {
    servers.push(await startServerProcess({ entry: 'direct', dataDir: dataDirs[0] as string, databaseUrl: database.url, captureLogs: true }));
    // The second instance reads the first one's keyring: the database holds secrets sealed with it.
    servers.push(
      await startServerProcess({
        entry: 'direct',
        dataDir: dataDirs[1] as string,
        databaseUrl: database.url,
        captureLogs: true,
        serverKeysFile: path.join(dataDirs[0] as string, 'server-keys.json'),
      }),
    );
    const pair = [servers[0], servers[1]] as [ServerProcess, ServerProcess];
    await db.connect();

    // The accounts that take part, through the SDK's sign-up on the first instance.
    process.stderr.write('bench: scale: signing up the active accounts...\n');
    const setupStart = performance.now();
    const sizes = [usersFor(CAPACITY_MAX), usersFor(TARGET_RATE * 1.1), usersFor(LIGHT_MAX)] as const;
    const perState = sizes[0] + sizes[1] + sizes[2];
    const users = await signUpUsers(pair[0], dataDirs[0] as string, 2 * perState, 'scale');
    const outbox = new OutboxCodes(dataDirs[0] as string);
    const sync = await mapConcurrent(2 * SYNC_PAIRS + 1, 3, (i) => makeSyncAccount(pair, outbox, i, i === 2 * SYNC_PAIRS ? FILLER_ITEMS : SYNC_VAULT_ITEMS));
    setupSeconds = (performance.now() - setupStart) / 1000;
    // The template signed up, wrote its items and signed in on a second device: a plain account.
    const template = sync[2 * SYNC_PAIRS] as SyncAccount;
    const templateUser = (await db.query<{ id: string }>('select created_by as id from vaults where id = $1', [template.vaultId])).rows[0]?.id;
    if (templateUser === undefined) throw new Error('the template account has no vault row');
    activeAccounts = users.length + sync.length;
    const inputs = (k: 0 | 1): StateInput => {
      const from = k * perState;
      return {
        capacityUsers: withAddresses(users.slice(from, from + sizes[0]), BLOCK.capacity[k]),
        targetUsers: withAddresses(users.slice(from + sizes[0], from + sizes[0] + sizes[1]), BLOCK.atTarget[k]),
        lightUsers: withAddresses(users.slice(from + sizes[0] + sizes[1], from + perState), BLOCK.light[k]),
        syncAccounts: sync.slice(k * SYNC_PAIRS, (k + 1) * SYNC_PAIRS),
      };
    };

    active = await measureState(servers, db, inputs(0), `${activeAccounts} accounts`);
    process.stderr.write(`bench: scale: inserting ${(TOTAL_ACCOUNTS - activeAccounts).toLocaleString('en-US')} filler accounts...\n`);
    filler = await insertFillerAccounts(db, { userId: templateUser }, TOTAL_ACCOUNTS - activeAccounts);
    full = await measureState(servers, db, inputs(1), `${TOTAL_ACCOUNTS} accounts`, active.lightRate);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.end().catch(() => undefined);
    await database.drop();
    await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
  }

  const base = `${activeAccounts} accounts`;
  const vs = (text: string) => `${text} with ${base}`;
  const fillerCount = TOTAL_ACCOUNTS - activeAccounts;
  const fillerRows = Object.values(filler.rows).reduce((a, b) => a + b, 0);
  rows.push(
    row('Raw server OPAQUE (startLogin + finishLogin), 1 thread', {
      measured: `${fmt(raw.opsPerSec, 0)} per CPU-s`,
      baseline: `${fmt(raw.startLoginMs, 3)} + ${fmt(raw.finishLoginMs, 3)} ms CPU per sign-in`,
    }),
    row(`Seeding: ${fillerCount.toLocaleString('en-US')} filler accounts straight into PostgreSQL`, {
      measured: `${fmt(filler.insertSeconds, 1)} s + ${fmt(filler.vacuumSeconds, 1)} s VACUUM ANALYZE`,
      baseline: `${activeAccounts} active accounts through the SDK in ${fmt(setupSeconds, 1)} s`,
      ratio: `${fillerRows.toLocaleString('en-US')} rows, ${fmt(filler.databaseMiB, 0)} MiB`,
    }),
  );

  const capacity = full.capacity.phase.signInsPerSec;
  rows.push(
    row(`Sign-in/s, 2 instances, closed loop, ${cores} shared cores (load generators on them too)`, {
      measured: `${fmt(capacity, 0)} /s`,
      baseline: vs(`${fmt(active.capacity.phase.signInsPerSec, 0)} /s`),
      ratio: pct(capacity / active.capacity.phase.signInsPerSec),
      target: `≥ ${TARGET_RATE} /s`,
      status: full.capacity.phase.exhausted ? 'info' : check(capacity >= TARGET_RATE),
    }),
    row('  CPU split in that window (share of one core)', { measured: cpuSplit(full.capacity.usage), baseline: vs(cpuSplit(active.capacity.usage)) }),
    row(`  CPU-normalised: ${cores} cores given to servers + PostgreSQL (clients elsewhere)`, {
      measured: `${fmt(onDedicatedCores(full.capacity, cores), 0)} /s`,
      baseline: vs(`${fmt(onDedicatedCores(active.capacity, cores), 0)} /s`),
      ratio: pct(onDedicatedCores(full.capacity, cores) / onDedicatedCores(active.capacity, cores)),
      target: `≥ ${TARGET_RATE} /s`,
      status: 'info',
    }),
  );

  const achieved = full.atTarget.phase.signInsPerSec;
  const targetMet = achieved >= 0.97 * TARGET_RATE && p99PerSignIn(full.atTarget) < TARGET_P99_MS;
  rows.push(
    row(`Server time p99 at ${TARGET_RATE} sign-ins/s offered (login/start + login/finish)`, {
      measured: `${ms(full.atTarget.start.p99)} + ${ms(full.atTarget.finish.p99)} = ${ms(p99PerSignIn(full.atTarget))} (${fmt(achieved, 0)} /s done)`,
      baseline: vs(ms(p99PerSignIn(active.atTarget))),
      ratio: pct(p99PerSignIn(full.atTarget) / p99PerSignIn(active.atTarget)),
      target: `< ${TARGET_P99_MS} ms at ${TARGET_RATE} /s`,
      status: check(targetMet),
    }),
    row(`  p50 at ${TARGET_RATE} /s offered`, {
      measured: ms(p50PerSignIn(full.atTarget)),
      baseline: vs(ms(p50PerSignIn(active.atTarget))),
      ratio: pct(p50PerSignIn(full.atTarget) / p50PerSignIn(active.atTarget)),
    }),
    row(`  p50 / p99 at ${full.lightRate} /s offered (half the baseline's closed-loop rate: not saturated)`, {
      measured: `${ms(p50PerSignIn(full.light))} / ${ms(p99PerSignIn(full.light))} (${fmt(full.light.phase.signInsPerSec, 0)} /s done)`,
      baseline: vs(`${ms(p50PerSignIn(active.light))} / ${ms(p99PerSignIn(active.light))}`),
      ratio: pct(p99PerSignIn(full.light) / p99PerSignIn(active.light)),
      target: `p99 < ${TARGET_P99_MS} ms`,
      status: 'info',
    }),
  );

  const perServerCpu = full.capacity.phase.perServerCpuSecond;
  const pgMs = cpuMsPerSignIn(full.capacity, full.capacity.usage.postgres + full.capacity.usage.postgresShared);
  const pgMsActive = cpuMsPerSignIn(active.capacity, active.capacity.usage.postgres + active.capacity.usage.postgresShared);
  const loadMs = cpuMsPerSignIn(full.capacity, full.capacity.usage.load);
  const serverCores = TARGET_RATE / perServerCpu;
  const pgCores = (TARGET_RATE * pgMs) / 1000;
  rows.push(
    row('Per core: sign-ins per server CPU-second (both instances, closed loop)', {
      measured: `${fmt(perServerCpu, 0)} /s (${fmt(1000 / perServerCpu, 1)} ms CPU each)`,
      baseline: `${fmt(raw.opsPerSec, 0)} raw OPAQUE/s`,
      ratio: pct(perServerCpu / raw.opsPerSec),
      status: 'info',
    }),
    row('Per core: PostgreSQL CPU per sign-in', {
      measured: `${fmt(pgMs, 2)} ms`,
      baseline: vs(`${fmt(pgMsActive, 2)} ms`),
      ratio: pct(pgMs / pgMsActive),
      status: 'info',
    }),
    row(`  implied: cores for ${TARGET_RATE} sign-ins/s (servers + PostgreSQL, clients elsewhere)`, {
      measured: `${fmt(serverCores + pgCores, 1)} cores`,
      baseline: `servers ${fmt(serverCores, 1)} + PostgreSQL ${fmt(pgCores, 1)}`,
      ratio: `${fmt(1000 / (1000 / perServerCpu + pgMs), 0)} sign-ins/s per core`,
      status: 'info',
    }),
    row(`Items sync: GET /api/vaults/:id/items server time p50 / p99 (~${fmt(full.sync.vaultItems.before, 0)}-item vaults)`, {
      measured: p5099(full.sync.list),
      baseline: vs(p5099(active.sync.list)),
      ratio: pct(full.sync.list.p99 / active.sync.list.p99),
      status: 'info',
    }),
    row(`Items sync: POST item server time p50 / p99 (${SYNC_PAIRS} writers × ${WRITES_PER_SECOND_PER_WRITER}/s)`, {
      measured: p5099(full.sync.create),
      baseline: vs(p5099(active.sync.create)),
      ratio: pct(full.sync.create.p99 / active.sync.create.p99),
      status: 'info',
    }),
  );

  const big = TOTAL_ACCOUNTS.toLocaleString('en-US');
  notes.push(
    `Accounts: ${activeAccounts} take part, made through the SDK's real sign-up on the first instance (emailed code, OPAQUE registration under the server's sealed OPAQUE setup, keyset, Personal vault) in ${fmt(setupSeconds, 1)} s, with the cheap bench-only client key stretching of the sign-in section (the server's work is the same). ` +
      `The other ${fillerCount.toLocaleString('en-US')} are filler (bench/filler-accounts.ts): copies, made by PostgreSQL itself with INSERT … SELECT over generate_series, of one real template account (signed up through the SDK, ${FILLER_ITEMS} items written by the SDK, a second device signed in), with fresh ids and a fresh email in every table it has rows in (${Object.entries(
        filler.rows,
      )
        .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
        .join(', ')}); columns come from the catalog, so later migrations' columns are copied too` +
      (filler.notCopied.length > 0 ? `; NOT copied, the template has rows there: ${filler.notCopied.join(', ')}` : '') +
      `. Filler accounts never sign in (their OPAQUE records and signatures are the template's and do not verify under the new ids); they make the tables and indexes as large as ${big} accounts make them. Insert ${fmt(filler.insertSeconds, 1)} s, then VACUUM (ANALYZE) of those tables ${fmt(filler.vacuumSeconds, 1)} s (what autovacuum would long since have done; done now so it cannot start during the measurement); database ${fmt(filler.databaseMiB, 0)} MiB afterwards.`,
    `Baseline: the same four measurements on the same database and the same two server processes just before the filler accounts are inserted, when it holds only the ${activeAccounts} accounts taking part (each measurement uses accounts of its own, so no rate limit carries over).`,
    `Servers: two \`latchkey server\` processes (bench/server-main.ts; request log at level "info" read from stdout for the server times: Fastify's \`responseTime\`, request received to response sent) on one PostgreSQL database, the second reading the first one's keyring; nothing pinned: servers, PostgreSQL and load generators share the machine's ${cores} cores as an operator's processes would. Loopback only. Load generators: two bench/sign-in-load.ts processes sending the SDK's two sign-in requests, alternating between the instances, from many 127.x.y.z addresses within every rate limit (as in the sign-in section). Each phase: ${WARMUP_MS / 1000} s warm-up, ${WINDOW_MS / 1000} s window; CPU from /proc over the window: each server process, the PostgreSQL backends of the benchmark database and PostgreSQL's background processes (WAL writer, checkpointer, autovacuum; both from pg_stat_activity, counted together as PostgreSQL in the table; other databases' backends are other work), load generators plus the benchmark process, and the rest of the machine (other work sharing it).`,
    `Closed loop (${2 * CLOSED_LOOP_CONCURRENCY} sign-ins in flight): what ${cores} shared cores allow with the load generators on them. ${big} accounts: ${describeSignIns(full.capacity)}. ${base}: ${describeSignIns(active.capacity)}. ` +
      `CPU-normalised: ${cores} cores divided by the CPU the servers and PostgreSQL spent per sign-in in that window (the clients' OPAQUE work belongs on the clients' machines); with the load generators' CPU counted too it would be ${fmt(onDedicatedCores(full.capacity, cores, true), 0)} /s.`,
    `At ${TARGET_RATE} sign-ins/s offered (open loop: sign-ins start on a fixed schedule whatever the answers, at most ${2 * OPEN_LOOP_MAX_IN_FLIGHT} in flight): ${big} accounts: ${describeSignIns(full.atTarget)}. ${base}: ${describeSignIns(active.atTarget)}. ` +
      `A sign-in is two requests; the server log cannot pair them, so the rows add the two requests' percentiles. The target counts as met when at least ${fmt(0.97 * TARGET_RATE, 0)} sign-ins/s completed and that sum is under ${TARGET_P99_MS} ms. When the machine cannot do ${TARGET_RATE} /s, requests queue and the server time measures the queue, hence the run at ${full.lightRate} /s. ${big} accounts: ${describeSignIns(full.light)}. ${base}: ${describeSignIns(active.light)}.`,
    `Per core: sign-ins per CPU-second of the two server processes together, against the raw OPAQUE rate (${fmt(raw.opsPerSec, 0)}/s on one thread, measured first in this section): the rest is HTTP, JSON schemas, the query builder and database driver for each sign-in's round trips, the log. PostgreSQL: CPU of its processes per sign-in over the same window. Load generators: ${fmt(loadMs, 2)} ms per sign-in (client OPAQUE, which real clients do on their own machines). So one server core does ~${fmt(perServerCpu, 0)} sign-ins/s and one PostgreSQL core ~${fmt(1000 / pgMs, 0)}; ${TARGET_RATE} sign-ins/s need ~${fmt(serverCores + pgCores, 1)} cores of server plus database.`,
    `Items sync: ${SYNC_PAIRS} accounts with two devices each, one signed up on the first instance and one signed in on the second; in each, one device writes items through the SDK (\`createItem\`: encrypt, POST) at ${WRITES_PER_SECOND_PER_WRITER}/s while the other lists the vault through the SDK (\`listItems\`: GET, decrypt, rollback check) as fast as it can, half the accounts writing through each instance; afterwards every reader is checked to see every item written through the other instance. Vaults start with ${SYNC_VAULT_ITEMS} items. ${big} accounts: ${describeSync(full.sync)}. ${base}: ${describeSync(active.sync)}. §7 gives no target for this (its 30 ms is for a 3,000-item vault, see the Sync section).`,
  );
  return { title, rows, notes };
}
