/**
 * Reads process figures from Linux's /proc: CPU time (user + system, all threads) and resident
 * memory. Used to measure the server from outside, so the server needs no benchmark hooks.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

function statFields(pid: number): { comm: string; fields: string[] } | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // the process has exited
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
  const close = raw.lastIndexOf(')');
  return { comm: raw.slice(raw.indexOf('(') + 1, close), fields: raw.slice(close + 2).split(' ') };
}

/** CPU seconds (user + system) the process has used so far; fields 14 and 15 of stat. */
export function cpuSeconds(pid: number): number {
  const stat = statFields(pid);
  if (stat === undefined) throw new Error(`process ${pid} is gone`);
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  return (Number(stat.fields[11]) + Number(stat.fields[12])) / CLOCK_TICKS;
}

/** CPU seconds the process has used so far, or undefined once it has exited. */
export function processCpuSeconds(pid: number): number | undefined {
  const stat = statFields(pid);
  return stat === undefined ? undefined : (Number(stat.fields[11]) + Number(stat.fields[12])) / CLOCK_TICKS;
}

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM, ...). */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Pids of the process's descendants (children, grandchildren, ...). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(Number(entry));
    if (stat === undefined) continue;
    const parent = Number(stat.fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}

/** CPU seconds the whole machine has spent busy (all CPUs, everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const busy = [0, 1, 2, 5, 6].reduce((sum, i) => sum + (cpu[i] ?? 0), 0);
  return busy / CLOCK_TICKS;
}
