/**
 * A real Latchkey server, started the way an operator starts it (`latchkey server ...`) in its own
 * process, optionally pinned to CPUs with `taskset`, so the benchmark can measure its CPU time and
 * memory from outside and keep client work off its core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { CLI_BIN, REPO_ROOT, sleep } from './util.ts';

/** One request as the server's own log reports it (Fastify's `responseTime`, ms, measured in the server). */
export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
}

const START_TIMEOUT_MS = 180_000;

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Requests completed so far (only when started with `captureLogs`). */
  readonly requests: LoggedRequest[];
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** The keyring; `<dataDir>/server-keys.json` unless given. Instances sharing one PostgreSQL must share it. */
  readonly serverKeysFile?: string;
  /** A taskset CPU list such as "0"; absent means the scheduler places it. */
  readonly cpus?: string;
  /** Read the JSON request log from stdout; otherwise stdout goes to /dev/null (the server still formats it). */
  readonly captureLogs?: boolean;
  /**
   * `cli` (default): `node packages/cli/bin/latchkey.js server ...`; `direct`: bench/server-main.ts, the same two calls without the CLI;
   * `baseline`: bench/fastify-baseline.mjs (bare Node + Fastify, no Latchkey), `baseline-tsx`: the same through the tsx loader.
   */
  readonly entry?: 'cli' | 'direct' | 'baseline' | 'baseline-tsx';
  /** Extra node flags for the server, e.g. ['--cpu-prof'] to see where its time goes. */
  readonly nodeArgs?: readonly string[];
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const baseline = path.join(REPO_ROOT, 'bench/fastify-baseline.mjs');
  const entry =
    options.entry === 'direct'
      ? ['--import', 'tsx', path.join(REPO_ROOT, 'bench/server-main.ts')]
      : options.entry === 'baseline'
        ? [baseline]
        : options.entry === 'baseline-tsx'
          ? ['--import', 'tsx', baseline]
          : [CLI_BIN, 'server'];
  const flags = options.entry === 'baseline' || options.entry === 'baseline-tsx' ? [] : ['--data-dir', options.dataDir, '--port', '0', '--host', '127.0.0.1'];
  const serverArgs = [...(options.nodeArgs ?? []), ...entry, ...flags];
  if (options.databaseUrl !== undefined) serverArgs.push('--database-url', options.databaseUrl);
  if (options.serverKeysFile !== undefined) serverArgs.push('--server-keys-file', options.serverKeysFile);
  const [command, args] = options.cpus === undefined ? [process.execPath, serverArgs] : ['taskset', ['-c', options.cpus, process.execPath, ...serverArgs]];
  // taskset execs node in place, so the pid is the server's own.
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', options.captureLogs ? 'pipe' : 'ignore', 'pipe'] });
  const requests: LoggedRequest[] = [];
  if (options.captureLogs && child.stdout) collectRequests(child.stdout, requests);

  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a cold start on a busy shared machine can take more than a minute; a timeout is never a result.
    const timer = setTimeout(() => reject(new Error(`server did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /Latchkey is running at (http:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${stderr}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  await waitHealthy(url);
  if (child.pid === undefined) throw new Error('server process has no pid');
  return { url, pid: child.pid, requests, stop: () => stopChild(child) };
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`);
      await response.text();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer 200 within 30 s`);
    await sleep(50);
  }
}

function collectRequests(stream: NodeJS.ReadableStream, into: LoggedRequest[]): void {
  // One line per request (packages/server/src/http/request-log.ts).
  createInterface({ input: stream }).on('line', (line) => {
    let entry: { msg?: string; req?: { method?: string; url?: string }; res?: { statusCode?: number }; responseTime?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (entry.msg === 'request completed' && typeof entry.responseTime === 'number' && entry.req?.method !== undefined && entry.req.url !== undefined) {
      into.push({ method: entry.req.method, url: entry.req.url, statusCode: entry.res?.statusCode ?? 0, responseTimeMs: entry.responseTime });
    }
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
