/**
 * One-time import of a data directory from the PGlite era (`<data-dir>/db`, an embedded
 * PostgreSQL in WebAssembly) into the SQLite database that replaced it (`<data-dir>/latchkey.db`).
 *
 * PGlite is loaded here only, by dynamic import, so it costs nothing on a normal start: the
 * ~300 MiB of WebAssembly memory it takes is paid once, by the start that imports.
 *
 * Protects against: a half-imported database. The copy is built in a separate file, checked
 * (row counts, foreign keys) and only then renamed to `latchkey.db` in one step; a crash
 * mid-import leaves no `latchkey.db`, and the next start imports again from scratch. The PGlite
 * directory is left untouched (the operator deletes it once satisfied, docs/operations.md).
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { legacyPgliteDirectory, openSqliteFile, sqliteDatabasePath } from './sqlite-file.ts';
import { migrateToLatest } from './migrate.ts';
import { LatchkeySqliteDialect, sqliteTimestamp } from './sqlite-dialect.ts';

export interface PgliteImportResult {
  /** Rows copied per table (tables absent in the PGlite database are not listed). */
  readonly rows: Readonly<Record<string, number>>;
}

/** True when `dataDir` holds a PGlite database and no SQLite database yet. */
export function needsPgliteImport(dataDir: string): boolean {
  return existsSync(path.join(legacyPgliteDirectory(dataDir), 'PG_VERSION')) && !existsSync(sqliteDatabasePath(dataDir));
}

const INT8_OID = 20;

/** Every value copied is well below 2^53 (ids, counters); anything larger would be rounded, hence the check. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

/** What better-sqlite3 can bind, in the representation sqlite-dialect.ts reads back. */
function toSqlite(value: unknown): unknown {
  if (value instanceof Date) return sqliteTimestamp(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * Copies every row of the PGlite database of `dataDir` into a new `<dataDir>/latchkey.db`
 * with the current schema. Columns that exist in both are copied; columns added since keep
 * their defaults. Does nothing and returns undefined when there is nothing to import.
 * @throws Error when the copy does not check out; `latchkey.db` is then not created.
 */
export async function importPgliteDataDir(dataDir: string, log: (message: string) => void = () => {}): Promise<PgliteImportResult | undefined> {
  if (!needsPgliteImport(dataDir)) return undefined;
  const target = sqliteDatabasePath(dataDir);
  const building = `${target}.importing`;
  for (const leftover of [building, `${building}-wal`, `${building}-shm`]) await rm(leftover, { force: true });

  log(`importing the PGlite database in ${legacyPgliteDirectory(dataDir)} into ${target}`);
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(legacyPgliteDirectory(dataDir), { parsers: { [INT8_OID]: parseInt8 } });
  let sqlite: Sqlite.Database | undefined;
  try {
    sqlite = await openSqliteFile(building);
    const schemaDb = new Kysely<unknown>({ dialect: new LatchkeySqliteDialect(sqlite) });
    await migrateToLatest(schemaDb);
    const rows = await copyTables(pglite, sqlite);
    // Closing the only connection checkpoints the WAL into the file and removes the -wal file.
    await schemaDb.destroy();
    sqlite = undefined;
    await rename(building, target);
    log(
      `imported ${Object.entries(rows)
        .map(([table, n]) => `${table}: ${n}`)
        .join(', ')}`,
    );
    return { rows };
  } catch (error) {
    if (sqlite?.open) sqlite.close();
    for (const leftover of [building, `${building}-wal`, `${building}-shm`]) await rm(leftover, { force: true });
    throw error;
  } finally {
    await pglite.close();
  }
}

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

async function copyTables(pglite: PgliteLike, sqlite: Sqlite.Database): Promise<Record<string, number>> {
  const targetTables = sqlite
    .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`)
    .pluck()
    .all() as string[];
  const { rows: sourceColumns } = await pglite.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  );
  const sourceByTable = new Map<string, Set<string>>();
  for (const { table_name, column_name } of sourceColumns) {
    if (!sourceByTable.has(table_name)) sourceByTable.set(table_name, new Set());
    sourceByTable.get(table_name)!.add(column_name);
  }

  // Read everything first (PGlite is asynchronous), then write in one synchronous transaction.
  const plan: Array<{ table: string; columns: string[]; rows: Record<string, unknown>[] }> = [];
  for (const table of targetTables) {
    const source = sourceByTable.get(table);
    if (source === undefined) continue;
    const targetColumns = sqlite.prepare(`select name from pragma_table_info(?)`).pluck().all(table) as string[];
    const columns = targetColumns.filter((column) => source.has(column));
    const list = columns.map(quote).join(', ');
    const { rows } = await pglite.query<Record<string, unknown>>(`select ${list} from ${quote(table)}`);
    plan.push({ table, columns, rows });
  }

  const counts: Record<string, number> = {};
  // Foreign keys are checked once everything is in, so copy order does not matter.
  sqlite.pragma('foreign_keys = OFF');
  sqlite
    .transaction(() => {
      for (const { table, columns, rows } of plan) {
        const insert = sqlite.prepare(`insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        for (const row of rows) insert.run(...columns.map((column) => toSqlite(row[column])));
        counts[table] = rows.length;
      }
    })
    .immediate();
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  sqlite.pragma('foreign_keys = ON');
  if (violations.length > 0) throw new Error(`the imported database violates ${violations.length} foreign key(s): ${JSON.stringify(violations.slice(0, 5))}`);
  for (const { table, rows } of plan) {
    const copied = sqlite
      .prepare(`select count(*) from ${quote(table)}`)
      .pluck()
      .get() as number;
    if (copied !== rows.length) throw new Error(`table ${table}: ${rows.length} rows read, ${copied} written`);
  }
  return counts;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
