/**
 * Idle memory (SPEC §7, issue 14: < 100 MB): the resident set of an idle server on the embedded
 * SQLite database, started exactly as an operator would (`latchkey server --data-dir ... --port
 * ...`): once on a fresh data directory (first start: the migrations run) and once restarted on
 * that same directory (every later start). Baseline, measured in the same run the same way:
 * bare Node.js + Fastify (bench/fastify-baseline.mjs), and the same through the tsx loader the
 * CLI uses, so the table shows what Latchkey itself adds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { descendants, memoryMiB } from './proc.ts';
import { check, row, type Row, type Section } from './report.ts';
import { startServerProcess } from './server-process.ts';
import { fmt, pct, sleep } from './util.ts';

const TARGET_MB = 100;
const IDLE_MS = 2_000;

interface Idle {
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly childMiB: number;
  readonly children: number;
}

async function measureIdle(dataDir: string, entry: 'cli' | 'baseline' | 'baseline-tsx' = 'cli'): Promise<Idle> {
  const server = await startServerProcess({ dataDir, entry });
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

const totalMB = (idle: Idle) => megabytes(idle.rssMiB + idle.childMiB);

function idleRow(metric: string, idle: Idle, baseline: Idle): Row {
  const mb = totalMB(idle);
  return row(metric, {
    measured: `${fmt(mb, 0)} MB (${fmt(idle.rssMiB + idle.childMiB, 0)} MiB)`,
    baseline: `${fmt(totalMB(baseline), 0)} MB bare Node + Fastify`,
    ratio: `${pct(mb / TARGET_MB)} of budget`,
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
    const bare = await measureIdle(dataDir, 'baseline');
    const bareTsx = await measureIdle(dataDir, 'baseline-tsx');
    const first = await measureIdle(dataDir);
    const restarted = await measureIdle(dataDir);
    return {
      title: 'Idle memory',
      rows: [
        idleRow('Idle server RSS, embedded SQLite, first start (fresh data dir)', first, bare),
        idleRow('Idle server RSS, embedded SQLite, restarted on existing data', restarted, bare),
      ],
      notes: [
        `\`node packages/cli/bin/latchkey.js server --data-dir <fresh tmp> --port 0\` as a child process; after /healthz answered 200, ${IDLE_MS / 1000} s idle, then VmRSS from /proc/<pid>/status (MB = 10^6 bytes). First start: ${describe(first)}. Restarted on the same data directory: ${describe(restarted)}.`,
        `Baseline in the same run, measured the same way: bare Node ${process.versions.node} + Fastify answering /healthz (bench/fastify-baseline.mjs): ${fmt(totalMB(bare), 0)} MB (${describe(bare)}); the same through the tsx loader the CLI uses: ${fmt(totalMB(bareTsx), 0)} MB. Latchkey over bare Node + Fastify: +${fmt(totalMB(restarted) - totalMB(bare), 0)} MB restarted, of which the tsx loader accounts for ${fmt(totalMB(bareTsx) - totalMB(bare), 0)} MB.`,
      ],
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
