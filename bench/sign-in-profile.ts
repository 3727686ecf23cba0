/**
 * Where a sign-in's server CPU goes: a tool for the sign-in cost breakdown in
 * docs/operations.md, not a section of `npm run bench`.
 *
 *   node --import tsx bench/sign-in-profile.ts [sqlite|postgres] [sign-ins]
 *
 * Starts `latchkey server` (bench/server-main.ts) under `node --cpu-prof`, signs up a few
 * accounts, then runs the SDK's two sign-in requests (as bench/sign-in-load.ts sends them) a few
 * at a time from this process, and reports the server's CPU per sign-in (from /proc, over the
 * sign-ins only), PostgreSQL's backend CPU per sign-in, the SQL statements per sign-in (from
 * pg_stat_database's transaction counters on PostgreSQL) and the CPU profile's self time per
 * sign-in grouped by where the code lives. CPU time and profile samples do not depend much on
 * other load on the machine, unlike wall-clock time.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as opaque from '@serenity-kit/opaque';
import pg from 'pg';
import { opaqueReady, twoSecretPasswordInput } from '@latchkey/core/opaque';
import { parseSecretKey, secretKeyVerifier } from '@latchkey/core/secret-key';
import type { LoginStartResponse } from '@latchkey/core/wire/auth';
import { BENCH_DEVICE, BENCH_ONLY_KEY_STRETCHING } from './accounts.ts';
import { postJson } from './http.ts';
import { PostgresCpuWindow } from './postgres-cpu.ts';
import { cpuSeconds } from './proc.ts';
import { createFreshDatabase } from './postgres.ts';
import { signUpUsers, withAddresses, type LoadUser } from './sign-in.ts';
import { startServerProcess } from './server-process.ts';
import { fmt, mapConcurrent } from './util.ts';

const kind = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const signIns = Number(process.argv[3] ?? 300);
const PER_USER = 15;

async function signIn(server: string, user: LoadUser): Promise<void> {
  const secretKey = parseSecretKey(user.secretKey);
  const input = twoSecretPasswordInput(user.password, secretKey);
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: input });
  const started = await postJson(
    `${server}/api/auth/login/start`,
    { email: user.email, secretKeyVerifier: secretKeyVerifier(secretKey), startLoginRequest },
    user.address,
  );
  if (started.status !== 200) throw new Error(`login/start HTTP ${started.status} ${JSON.stringify(started.body)}`);
  const { loginId, loginResponse } = started.body as LoginStartResponse;
  const finished = opaque.client.finishLogin({ clientLoginState, loginResponse, password: input, keyStretching: BENCH_ONLY_KEY_STRETCHING });
  if (finished === undefined) throw new Error('wrong password');
  const device = { id: user.deviceId, ...BENCH_DEVICE };
  const done = await postJson(`${server}/api/auth/login/finish`, { loginId, finishLoginRequest: finished.finishLoginRequest, device }, user.address);
  if (done.status !== 200) throw new Error(`login/finish HTTP ${done.status} ${JSON.stringify(done.body)}`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, coarse enough to read. */
function bucketOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /packages\/(\w+)\/src\/(.+)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url;
  return url;
}

/** What a sample's stack was doing, by the first rule that matches any of its frames (the order is the priority). */
const CATEGORIES: ReadonlyArray<[string, (frame: ProfileNode['callFrame']) => boolean]> = [
  ['logging (pino)', (f) => /node_modules\/(pino|sonic-boom|pino-std-serializers)\//.test(f.url) || /request-log\.ts$/.test(f.url)],
  ['OPAQUE (WebAssembly)', (f) => f.url.startsWith('wasm://') || /@serenity-kit\/opaque/.test(f.url)],
  [
    'database client (Kysely, driver)',
    (f) => /node_modules\/(kysely|pg|pg-protocol|pg-pool|pg-types|postgres-date|better-sqlite3)\//.test(f.url) || /sqlite-dialect\.ts$/.test(f.url),
  ],
  [
    'JSON parse, validation, serialization',
    (f) =>
      /node_modules\/(secure-json-parse|fast-json-stringify|ajv|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)\//.test(f.url) ||
      (/^(validate\d*|anonymous)$/.test(f.functionName) && f.url === '') ||
      /JSON/.test(f.functionName),
  ],
  [
    'hashing, sealing, randomness',
    (f) => /@noble\/|node:internal\/crypto|core\/src\/(crypto|sealed-box|account-unlock-key)|server-keys\.ts|tokens\.ts/.test(f.url),
  ],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['Latchkey services and routes', (f) => /packages\/(server|core)\/src\//.test(f.url) && !/web-app\.ts|app\.ts$/.test(f.url)],
];
const HTTP_AND_RUNTIME = 'HTTP, Fastify and the Node runtime';

function categoryOf(id: number, byId: Map<number, ProfileNode>, parent: Map<number, number>): string {
  const frames: ProfileNode['callFrame'][] = [];
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) frames.push((byId.get(n) as ProfileNode).callFrame);
  for (const [name, matches] of CATEGORIES) if (frames.some(matches)) return name;
  return HTTP_AND_RUNTIME;
}

async function main(): Promise<void> {
  await opaqueReady;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-profile-'));
  const profDir = path.join(dataDir, 'prof');
  const database = kind === 'postgres' ? await createFreshDatabase() : undefined;
  const server = await startServerProcess({
    entry: 'direct',
    dataDir,
    ...(database ? { databaseUrl: database.url } : {}),
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  });
  // The sign-in phase in CLOCK_MONOTONIC µs, the clock of the profile's timestamps.
  let windowUs: [bigint, bigint] = [0n, 0n];
  let serverCpuMs = Number.NaN;
  const client = database ? new pg.Client({ connectionString: database.url }) : undefined;
  try {
    await client?.connect();
    const users = withAddresses(await signUpUsers(server, dataDir, Math.ceil(signIns / PER_USER), 'profile'), 2);
    // Warm-up: each route's schemas compile on first use, the JIT settles.
    await mapConcurrent(Math.min(20, users.length), 4, (i) => signIn(server.url, users[i] as LoadUser));
    const xacts = async () =>
      client
        ? Number(
            (await client.query<{ n: string }>('select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()')).rows[0]?.n,
          )
        : 0;
    const xactBefore = await xacts();
    const pgWindow = client ? await PostgresCpuWindow.open(client) : undefined;
    const before = cpuSeconds(server.pid);
    windowUs = [process.hrtime.bigint() / 1000n, 0n];
    const t0 = performance.now();
    await mapConcurrent(signIns, 4, async (i) => {
      await signIn(server.url, users[i % users.length] as LoadUser);
    });
    const wall = performance.now() - t0;
    windowUs[1] = process.hrtime.bigint() / 1000n;
    serverCpuMs = ((cpuSeconds(server.pid) - before) * 1000) / signIns;
    const pgUsed = await pgWindow?.close();
    // Stats are reported by backends when they go idle; give them a moment.
    await new Promise((r) => setTimeout(r, 700));
    const xactAfter = await xacts();
    console.log(`${kind}: ${signIns} sign-ins, ${fmt(wall / signIns, 2)} ms wall each (4 in flight)`);
    console.log(`server CPU ${fmt(serverCpuMs, 2)} ms per sign-in`);
    if (pgUsed)
      console.log(`PostgreSQL backends ${fmt((pgUsed.mine * 1000) / signIns, 2)} ms per sign-in (+ ${fmt((pgUsed.shared * 1000) / signIns, 2)} ms background)`);
    if (client)
      console.log(
        `PostgreSQL transactions (each statement outside a transaction is one, ±2 for these queries): ${fmt((xactAfter - xactBefore) / signIns, 1)} per sign-in`,
      );
  } finally {
    await client?.end();
    await server.stop();
    await database?.drop();
  }
  const files = await readdir(profDir);
  const profile = JSON.parse(await readFile(path.join(profDir, files[0] as string), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Inclusive time of Latchkey's own functions (each counted once per sample). */
  const inclusive = new Map<string, number>();
  const categories = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  let at = BigInt(profile.startTime);
  profile.samples.forEach((id, i) => {
    at += BigInt(profile.timeDeltas[i] ?? 0);
    if (at < windowUs[0] || at > windowUs[1]) return;
    const node = byId.get(id) as ProfileNode;
    const b = bucketOf(node);
    if (b === '((idle))') {
      self.set(b, (self.get(b) ?? 0) + (profile.timeDeltas[i] ?? 0));
      return;
    }
    self.set(b, (self.get(b) ?? 0) + (profile.timeDeltas[i] ?? 0));
    total += profile.timeDeltas[i] ?? 0;
    const category = categoryOf(id, byId, parent);
    categories.set(category, (categories.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n) as ProfileNode;
      const own = /packages\/(\w+\/src\/.+)$/.exec(frame.callFrame.url);
      const key = own ? `${own[1]} ${frame.callFrame.functionName || '(anonymous)'}` : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.callFrame.url)?.[1];
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });
  console.log(`where the server CPU goes, per sign-in (profile share × ${fmt(serverCpuMs, 2)} ms CPU; the profile samples wall time, so this is approximate):`);
  for (const [c, us] of [...categories].sort((a, b) => b[1] - a[1]))
    console.log(`${fmt((us / total) * serverCpuMs, 2).padStart(8)} ms  ${fmt((us / total) * 100, 0).padStart(3)} %  ${c}`);
  console.log('profile self time per sign-in over the sign-ins, by where the code lives, ms:');
  for (const [b, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${fmt(us / 1000 / signIns, 3).padStart(8)}  ${b}`);
  console.log('inclusive time per sign-in (Latchkey functions and packages), ms:');
  for (const [b, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`${fmt(us / 1000 / signIns, 3).padStart(8)}  ${b}`);
  console.log(`total non-idle ${fmt(total / 1000 / signIns, 2)} ms per sign-in`);
  await rm(dataDir, { recursive: true, force: true });
}

await main();
