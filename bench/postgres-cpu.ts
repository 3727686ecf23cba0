/**
 * PostgreSQL CPU spent during a measurement window, split into the client backends serving the
 * benchmark's own database and the background processes every database shares (WAL writer,
 * checkpointer, autovacuum, ...). Processes come from pg_stat_activity (PostgreSQL 10+ lists
 * its background processes there too), so backends of other databases on the same PostgreSQL
 * (a test suite, another benchmark) are not counted.
 */
import type pg from 'pg';
import { processCpuSeconds } from './proc.ts';

interface PostgresPids {
  readonly mine: readonly number[];
  readonly shared: readonly number[];
}

export interface PostgresCpu {
  /** CPU seconds of the client backends connected to the benchmark database. */
  readonly mine: number;
  /** CPU seconds of PostgreSQL's background processes. */
  readonly shared: number;
}

async function postgresPids(db: pg.Client): Promise<PostgresPids> {
  const result = await db.query<{ pid: number; mine: boolean; client: boolean }>(
    "select pid, datname = current_database() as mine, backend_type = 'client backend' as client from pg_stat_activity where pid <> pg_backend_pid()",
  );
  return { mine: result.rows.filter((r) => r.client && r.mine).map((r) => r.pid), shared: result.rows.filter((r) => !r.client).map((r) => r.pid) };
}

export class PostgresCpuWindow {
  private constructor(
    private readonly db: pg.Client,
    private readonly pidsBefore: PostgresPids,
    private readonly before: ReadonlyMap<number, number>,
  ) {}

  /** Opens a window on the database `db` is connected to (its own backend is left out). */
  static async open(db: pg.Client): Promise<PostgresCpuWindow> {
    const pids = await postgresPids(db);
    return new PostgresCpuWindow(db, pids, new Map([...pids.mine, ...pids.shared].map((pid) => [pid, processCpuSeconds(pid) ?? 0])));
  }

  async close(): Promise<PostgresCpu> {
    const now = await postgresPids(this.db);
    // A backend that started during the window counts from zero; one that exited took its figure with it (pools keep their connections under load).
    const used = (pid: number) => Math.max(0, (processCpuSeconds(pid) ?? this.before.get(pid) ?? 0) - (this.before.get(pid) ?? 0));
    const sum = (pids: Iterable<number>) => [...new Set(pids)].reduce((total, pid) => total + used(pid), 0);
    return { mine: sum([...this.pidsBefore.mine, ...now.mine]), shared: sum([...this.pidsBefore.shared, ...now.shared]) };
  }
}
