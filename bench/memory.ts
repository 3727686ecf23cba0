/**
 * Idle memory (SPEC §7): the resident set of an idle server on the embedded database, started
 * exactly as an operator would (`latchkey server --data-dir ... --port ...`): once on a fresh
 * data directory (first start: PGlite runs initdb and the migrations) and once restarted on
 * that same directory (every later start).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { descendants, memoryMiB } from './proc.ts';
import { check, row, type Row, type Section } from './report.ts';
import { startServerProcess } from './server-process.ts';
import { fmt, pct, sleep } from './util.ts';

const TARGET_MB = 150;
const IDLE_MS = 2_000;

interface Idle {
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly childMiB: number;
  readonly children: number;
}

async function measureIdle(dataDir: string): Promise<Idle> {
  const server = await startServerProcess({ dataDir });
  try {
    await sleep(IDLE_MS);
    const children = descendants(server.pid);
    const childMiB = children.reduce((sum, pid) => {
      try {
        return sum + memoryMiB(pid, 'VmRSS');
      } catch {
        return sum; // exited meanwhile
      }
    }, 0);
    return { rssMiB: memoryMiB(server.pid, 'VmRSS'), peakMiB: memoryMiB(server.pid, 'VmHWM'), childMiB, children: children.length };
  } finally {
    await server.stop();
  }
}

const megabytes = (mib: number) => (mib * 2 ** 20) / 1e6;

function idleRow(metric: string, idle: Idle): Row {
  const mb = megabytes(idle.rssMiB + idle.childMiB);
  return row(metric, {
    measured: `${fmt(mb, 0)} MB (${fmt(idle.rssMiB + idle.childMiB, 0)} MiB)`,
    baseline: `${TARGET_MB} MB budget`,
    ratio: pct(mb / TARGET_MB),
    target: `< ${TARGET_MB} MB`,
    status: check(mb < TARGET_MB),
  });
}

const describe = (idle: Idle) =>
  `VmRSS ${fmt(idle.rssMiB, 1)} MiB, start-up peak VmHWM ${fmt(idle.peakMiB, 1)} MiB, ` +
  (idle.children > 0 ? `${idle.children} child process(es) with ${fmt(idle.childMiB, 1)} MiB (counted)` : 'no child processes');

export async function benchMemory(): Promise<Section> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-bench-rss-'));
  try {
    const first = await measureIdle(dataDir);
    const restarted = await measureIdle(dataDir);
    return {
      title: 'Idle memory',
      rows: [idleRow('Idle server RSS, embedded PGlite, first start (fresh data dir)', first), idleRow('Idle server RSS, embedded PGlite, restarted on existing data', restarted)],
      notes: [
        `\`node packages/cli/bin/latchkey.js server --data-dir <fresh tmp> --port 0\` as a child process; after /healthz answered 200, ${IDLE_MS / 1000} s idle, then VmRSS from /proc/<pid>/status (MB = 10^6 bytes). First start: ${describe(first)}. Restarted on the same data directory: ${describe(restarted)}.`,
      ],
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
