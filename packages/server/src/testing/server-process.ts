/**
 * Test helper: a real Latchkey server in a child process, started exactly as an operator would
 * (`node packages/cli/bin/latchkey.js server --data-dir D --port P [--database-url URL]`), so a
 * test can SIGKILL it at any moment and start it again on the same data: crash recovery of the
 * embedded database, atomicity of credential swaps, several instances on one PostgreSQL.
 *
 *   const server = await startServerProcess({ dataDir });      // port chosen by the OS
 *   ... requests to server.url ...
 *   server.kill();                                              // SIGKILL, no clean-up at all
 *   await server.exited;
 *   await server.restart();                                     // same data dir, same port/URL
 *   afterAll(() => stopAllServerProcesses());
 *
 * The restart keeps the port so the URL stays the same: SDK device stores key remembered Secret
 * Keys by server URL. No test may leave a process behind: every child is tracked, and
 * `stopAllServerProcesses` (call it in afterAll/afterEach) plus a process-exit hook kill them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLI_BIN = path.join(REPO_ROOT, 'packages/cli/bin/latchkey.js');
const READY_LINE = /Latchkey is running at (\S+)/;
/** Lines of child output kept for error messages. */
const OUTPUT_LINES_KEPT = 200;
/** Environment variables the server reads; removed from the child's environment so only the flags given here count. */
const SERVER_ENV = ['LATCHKEY_DATA_DIR', 'PORT', 'HOST', 'PUBLIC_URL', 'DATABASE_URL', 'SMTP_URL', 'SMTP_FROM', 'LOG_LEVEL', 'LATCHKEY_TEST_PAUSE_FILE'];

export interface ServerProcessOptions {
  /** Data directory: the embedded database (without `databaseUrl`) and the email outbox. */
  readonly dataDir: string;
  /** PostgreSQL URL; absent means embedded SQLite in `<dataDir>/latchkey.db`. */
  readonly databaseUrl?: string;
  /** Extra environment for the child (e.g. the crash tests' LATCHKEY_TEST_PAUSE_FILE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Port to listen on; 0 (default) lets the OS choose, and restarts reuse the chosen one. */
  readonly port?: number;
  /** Server log level; default `warn`, so request logs do not flood the captured output. */
  readonly logLevel?: string;
  /** How long to wait for "running" and /healthz (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`; the same after a restart. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PID of the current child (changes on restart). */
  readonly pid: number;
  /** Whether the current child is still running. */
  readonly running: boolean;
  /** Resolves with the exit code / signal of the current child when it ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines the child (and earlier children of this server) wrote on stdout and stderr. */
  output(): string;
  /**
   * Resolves when a line matching `pattern` is written (stdout or stderr) after this call;
   * rejects after `timeoutMs` or when the current child exits first.
   */
  nextLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends SIGKILL to the current child now (synchronously): no shutdown hooks, no flushing. */
  kill(): void;
  /** SIGKILLs the current child if it runs, waits for it to end, and starts a new one on the same data and port. */
  restart(): Promise<void>;
  /** Ends the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence if a test run is aborted before its afterAll hooks ran.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Kills every server child this process started and waits for them to end. */
export async function stopAllServerProcesses(): Promise<void> {
  await Promise.all([...live].map((child) => endChild(child, 0)));
}

/**
 * Starts a server child and waits until it says it is running and `/healthz` answers 200.
 * @throws Error with the child's output when it exits first or is not ready in time.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  installExitHook();
  const outputLines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const remember = (chunk: string) => {
    const lines = chunk.split('\n').filter((l) => l !== '');
    for (const line of lines) for (const watch of watchers) watch(line);
    outputLines.push(...lines);
    if (outputLines.length > OUTPUT_LINES_KEPT) outputLines.splice(0, outputLines.length - OUTPUT_LINES_KEPT);
  };
  let port = options.port ?? 0;
  let current = await launch(options, port, remember, () => outputLines.join('\n'));
  port = current.port;

  const server: ServerProcess = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    get pid() {
      return current.child.pid ?? -1;
    },
    get running() {
      return current.child.exitCode === null && current.child.signalCode === null;
    },
    get exited() {
      return current.exited;
    },
    output: () => outputLines.join('\n'),
    nextLine(pattern, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const done = () => {
          watchers.delete(watch);
          clearTimeout(timer);
        };
        const watch = (line: string) => {
          if (!pattern.test(line)) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the server wrote no line matching ${pattern} within ${timeoutMs} ms. Output:\n${outputLines.join('\n')}`));
        }, timeoutMs);
        watchers.add(watch);
        void current.exited.then(() => {
          if (!watchers.has(watch)) return;
          done();
          reject(new Error(`the server exited before writing a line matching ${pattern}. Output:\n${outputLines.join('\n')}`));
        });
      });
    },
    kill() {
      current.child.kill('SIGKILL');
    },
    async restart() {
      await endChild(current.child, 0);
      remember(`--- restart (previous pid ${current.child.pid}) ---`);
      current = await launch(options, port, remember, () => outputLines.join('\n'));
    },
    stop: (graceMs = 5_000) => endChild(current.child, graceMs),
  };
  return server;
}

interface Launched {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function launch(options: ServerProcessOptions, port: number, remember: (chunk: string) => void, output: () => string): Promise<Launched> {
  const args = [CLI_BIN, 'server', '--data-dir', options.dataDir, '--port', String(port), '--host', '127.0.0.1', '--log-level', options.logLevel ?? 'warn'];
  if (options.databaseUrl !== undefined) args.push('--database-url', options.databaseUrl);
  const env = { ...process.env };
  for (const name of SERVER_ENV) delete env[name];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  child.stdout!.setEncoding('utf8').on('data', remember);

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const announced = new Promise<string>((resolve) => {
    let buffered = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      remember(chunk);
      buffered += chunk;
      const match = READY_LINE.exec(buffered);
      if (match) resolve(match[1]!);
    });
  });
  const failure = (why: string) => new Error(`Latchkey server (pid ${child.pid}) ${why}. Output:\n${output()}`);
  const timer = new AbortController();
  try {
    const url = await Promise.race([
      announced,
      exited.then(({ code, signal }) => Promise.reject(failure(`exited before it was ready (code ${code}, signal ${signal})`))),
      sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).then(() => Promise.reject(failure('was not ready in time'))),
    ]);
    timer.abort();
    const actualPort = Number(new URL(url).port);
    await waitForHealth(`http://127.0.0.1:${actualPort}`, deadline, exited, failure);
    return { child, port: actualPort, exited };
  } catch (error) {
    timer.abort();
    await endChild(child, 0);
    throw error;
  }
}

async function waitForHealth(url: string, deadline: number, exited: Promise<unknown>, failure: (why: string) => Error): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    if (done) throw failure('exited while waiting for /healthz');
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() >= deadline) throw failure('did not answer /healthz with 200 in time');
    await sleep(50);
  }
}

/** Ends `child`: SIGTERM and up to `graceMs` for a clean exit, else (or with 0) SIGKILL; waits for the exit. */
async function endChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (graceMs > 0) {
    child.kill('SIGTERM');
    const clean = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (clean) return;
  }
  child.kill('SIGKILL');
  await exited;
}
