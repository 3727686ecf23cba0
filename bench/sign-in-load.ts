/**
 * Load generator for the sign-in benchmark, run as its own process (pinned to a CPU by the
 * parent with taskset) so that the client half of OPAQUE never runs on the server's core.
 *
 *   node --import tsx bench/sign-in-load.ts <config.json>
 *
 * Protocol with the parent: prints `ready`, reads one JSON line `{ windowStart, windowEnd }`
 * (epoch ms), signs in until `windowEnd`, and prints `result <json>`. Only sign-ins that
 * complete inside the window are counted. Closed loop by default (`concurrency` sign-ins always
 * in flight: the most the servers can do); with `ratePerSecond`, open loop (sign-ins start on a
 * fixed schedule whatever the answers, at most `concurrency` in flight: latency at a given load).
 *
 * Each sign-in sends exactly the two requests the SDK's `signIn` sends (same bodies, same
 * OPAQUE messages, a known device), but the client does only the protocol's own work: OPAQUE
 * `startLogin`/`finishLogin`. It skips what the SDK does after the server has answered
 * (decrypting the keyset, deriving public keys, updating the local store), which is several ms
 * of client CPU per sign-in and would make the single load core, not the server, the limit.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as opaque from '@serenity-kit/opaque';
import { opaqueReady, twoSecretPasswordInput } from '@latchkey/core/opaque';
import { parseSecretKey, secretKeyVerifier } from '@latchkey/core/secret-key';
import type { LoginFinishResponse, LoginStartResponse } from '@latchkey/core/wire/auth';
import { BENCH_DEVICE, BENCH_ONLY_KEY_STRETCHING, type BenchUser } from './accounts.ts';
import { postJson } from './http.ts';

export interface LoadConfig {
  readonly servers: readonly string[];
  readonly users: ReadonlyArray<BenchUser & { readonly address: string }>;
  readonly concurrency: number;
  /** Sign-ins allowed per user, below the server's per-email limit for the run's duration. */
  readonly perUserBudget: number;
  /** Open loop: start this many sign-ins per second from this process, on schedule. */
  readonly ratePerSecond?: number;
}

export interface LoadResult {
  readonly completedInWindow: number;
  readonly latenciesMs: number[];
  readonly errors: Record<string, number>;
  /** True when every user's budget ran out before the window ended (the figure is then a lower bound). */
  readonly exhausted: boolean;
  /** Open loop only: scheduled sign-ins not started because `concurrency` were already in flight (the offered rate was not met). */
  readonly skipped: number;
}

const prepared = new Map<string, { input: string; verifier: string }>();

/** POST /api/auth/login/start and /login/finish, as `signIn` in packages/client/src/sign-in.ts sends them. */
async function signIn(server: string, user: BenchUser & { address: string }): Promise<void> {
  let secrets = prepared.get(user.email);
  if (secrets === undefined) {
    const secretKey = parseSecretKey(user.secretKey);
    secrets = { input: twoSecretPasswordInput(user.password, secretKey), verifier: secretKeyVerifier(secretKey) };
    prepared.set(user.email, secrets);
  }
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: secrets.input });
  const started = await postJson(`${server}/api/auth/login/start`, { email: user.email, secretKeyVerifier: secrets.verifier, startLoginRequest }, user.address);
  if (started.status !== 200) throw new Error(`login/start HTTP ${started.status} ${errorCode(started.body)}`);
  const { loginId, loginResponse } = started.body as LoginStartResponse;
  const finished = opaque.client.finishLogin({ clientLoginState, loginResponse, password: secrets.input, keyStretching: BENCH_ONLY_KEY_STRETCHING });
  if (finished === undefined) throw new Error('wrong_password');
  const device = { id: user.deviceId, ...BENCH_DEVICE };
  const done = await postJson(`${server}/api/auth/login/finish`, { loginId, finishLoginRequest: finished.finishLoginRequest, device }, user.address);
  if (done.status !== 200) throw new Error(`login/finish HTTP ${done.status} ${errorCode(done.body)}`);
  const result = done.body as LoginFinishResponse;
  if (result.session?.id === undefined || result.account?.email === undefined) throw new Error('login/finish answered without a session');
}

const errorCode = (body: unknown): string => String((body as { error?: { code?: unknown } } | undefined)?.error?.code ?? '');

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (configPath === undefined) throw new Error('usage: sign-in-load.ts <config.json>');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as LoadConfig;
  await opaqueReady;
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  const first = await lines.next();
  const { windowStart, windowEnd } = JSON.parse(String(first.value)) as { windowStart: number; windowEnd: number };

  const used = new Array<number>(config.users.length).fill(0);
  let nextUser = 0;
  let started = 0;
  let exhausted = false;
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};

  const pickUser = (): number | undefined => {
    for (let tries = 0; tries < config.users.length; tries++) {
      const i = nextUser++ % config.users.length;
      if ((used[i] as number) < config.perUserBudget) {
        used[i] = (used[i] as number) + 1;
        return i;
      }
    }
    return undefined;
  };

  const attempt = async (): Promise<'done' | 'exhausted'> => {
    const i = pickUser();
    if (i === undefined) {
      exhausted = true;
      return 'exhausted';
    }
    const user = config.users[i] as BenchUser & { address: string };
    const server = config.servers[started++ % config.servers.length] as string;
    const begin = Date.now();
    try {
      await signIn(server, user);
      const end = Date.now();
      if (end >= windowStart && end <= windowEnd) latenciesMs.push(end - begin);
    } catch (error) {
      const code = error instanceof Error ? error.message : String(error);
      errors[code] = (errors[code] ?? 0) + 1;
    }
    return 'done';
  };
  const lane = async () => {
    while (Date.now() < windowEnd) if ((await attempt()) === 'exhausted') return;
  };
  let skipped = 0;
  /** Starts sign-in k at `t0 + k / rate`, late ones at once; never more than `concurrency` in flight. */
  const schedule = async (ratePerSecond: number) => {
    const t0 = Date.now();
    const inFlight = new Set<Promise<unknown>>();
    let k = 0;
    while (Date.now() < windowEnd && !exhausted) {
      const due = Math.floor(((Date.now() - t0) * ratePerSecond) / 1000) + 1;
      for (; k < due; k++) {
        if (inFlight.size >= config.concurrency) {
          skipped++;
          continue;
        }
        const p = attempt().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, t0 + (k * 1000) / ratePerSecond - Date.now())));
    }
    await Promise.all(inFlight);
  };
  if (config.ratePerSecond === undefined) await Promise.all(Array.from({ length: config.concurrency }, lane));
  else await schedule(config.ratePerSecond);
  const result: LoadResult = { completedInWindow: latenciesMs.length, latenciesMs, errors, exhausted, skipped };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
