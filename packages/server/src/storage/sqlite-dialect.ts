/**
 * The embedded database: SQLite through better-sqlite3, driven by Kysely's own SQLite dialect,
 * with three adjustments so the domain code sees exactly what it sees on PostgreSQL.
 *
 * - Types. better-sqlite3 binds only numbers, strings, bigints, buffers and null, and hands
 *   back what SQLite stored. Parameters are converted on the way in (Date → ISO-8601 UTC text
 *   with milliseconds, boolean → 1/0) and result columns on the way out by the column's declared
 *   type, which SQLite reports per result column (also through aliases and RETURNING):
 *   `timestamptz` → Date, `boolean` → boolean, `jsonb` → parsed JSON. Computed columns
 *   (`count(*)`, `max(...)`) carry no declared type and come back as SQLite returns them.
 * - Transactions take the write lock up front (`BEGIN IMMEDIATE`). A transaction that reads a
 *   row and then writes depending on it (single-use consumption) can therefore never interleave
 *   with another writer, and never fails half-way with SQLITE_BUSY when it upgrades from a read
 *   lock. Inside this process Kysely's driver already serialises all use of the one connection;
 *   the immediate lock also covers other processes on the same file (`latchkey backup`).
 * - `FOR UPDATE` does not exist in SQLite; with the whole database write-locked for the
 *   transaction it is also unnecessary, so the query compiler drops row-lock modifiers.
 *
 * Consequence for callers, as with any single-connection database: inside
 * `db.transaction().execute(trx => ...)`, use `trx`, never `db` (a query on `db` waits for the
 * connection the transaction holds, forever).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type SelectModifierNode,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

type Row = Record<string, unknown>;
type Convert = (value: unknown) => unknown;

/** Converters for result columns, by declared type (lower-case). */
const COLUMN_CONVERTERS: Record<string, Convert> = {
  timestamptz: (value) => (typeof value === 'string' ? new Date(value) : value),
  boolean: (value) => (typeof value === 'number' || typeof value === 'bigint' ? value !== 0 && value !== 0n : value),
  jsonb: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
};

/** SQLite's text form of a timestamp: what `now()` (see migration-sql.ts) writes, and what sorts correctly as text. */
export function sqliteTimestamp(date: Date): string {
  return date.toISOString();
}

function bindable(value: unknown): unknown {
  if (value instanceof Date) return sqliteTimestamp(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** How many distinct SQL texts keep their prepared statement; the server issues a few hundred at most. */
const STATEMENT_CACHE_SIZE = 500;

interface PreparedEntry {
  readonly statement: BetterSqlite3.Statement;
  /** Result columns that need converting, by result name; undefined for statements returning no rows. */
  readonly converters: ReadonlyArray<readonly [string, Convert]> | undefined;
}

/**
 * The `SqliteDatabase` Kysely's driver talks to: a better-sqlite3 database whose statements
 * convert parameters and results as described above, and are prepared once per SQL text.
 */
class ConvertingDatabase implements SqliteDatabase {
  readonly #db: BetterSqlite3.Database;
  readonly #cache = new Map<string, PreparedEntry>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  close(): void {
    this.#cache.clear();
    this.#db.close();
  }

  /** Forgets prepared statements, e.g. after a migration changed what `select *` returns. */
  clearStatementCache(): void {
    this.#cache.clear();
  }

  prepare(sql: string): SqliteStatement {
    let entry = this.#cache.get(sql);
    if (entry === undefined) {
      const statement = this.#db.prepare(sql);
      const converters = statement.reader
        ? statement.columns().flatMap((column) => {
            const convert = column.type === null ? undefined : COLUMN_CONVERTERS[column.type.toLowerCase()];
            return convert === undefined ? [] : [[column.name, convert] as const];
          })
        : undefined;
      entry = { statement, converters };
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(sql, entry);
    }
    return new ConvertingStatement(entry);
  }
}

class ConvertingStatement implements SqliteStatement {
  readonly #entry: PreparedEntry;

  constructor(entry: PreparedEntry) {
    this.#entry = entry;
  }

  get reader(): boolean {
    return this.#entry.statement.reader;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const rows = this.#entry.statement.all(...parameters.map(bindable)) as Row[];
    const converters = this.#entry.converters;
    if (converters !== undefined && converters.length > 0) for (const row of rows) convertRow(row, converters);
    return rows;
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#entry.statement.run(...parameters.map(bindable));
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    const converters = this.#entry.converters ?? [];
    for (const row of this.#entry.statement.iterate(...parameters.map(bindable)) as Iterable<Row>) {
      yield convertRow(row, converters);
    }
  }
}

function convertRow(row: Row, converters: ReadonlyArray<readonly [string, Convert]>): Row {
  for (const [name, convert] of converters) {
    const value = row[name];
    if (value !== null && value !== undefined) row[name] = convert(value);
  }
  return row;
}

/**
 * Kysely's SQLite driver, with transactions that take the write lock at BEGIN, and a close that
 * waits for the transaction in flight (and refuses work queued after it) instead of closing
 * the file under it.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  #destroyed = false;

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    if (this.#destroyed) {
      await super.releaseConnection();
      throw new Error('The SQLite database is closed');
    }
    return connection;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async destroy(): Promise<void> {
    if (this.#destroyed) return;
    await super.acquireConnection();
    this.#destroyed = true;
    try {
      await super.destroy();
    } finally {
      await super.releaseConnection();
    }
  }
}

const ROW_LOCKS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'NoWait', 'SkipLocked']);

/** SQLite's compiler, minus PostgreSQL's row-lock clauses (the transaction already holds the database's write lock). */
class LockFreeSqliteQueryCompiler extends SqliteQueryCompiler {
  protected override sortSelectModifiers(arr: SelectModifierNode[]): ReadonlyArray<SelectModifierNode> {
    return super.sortSelectModifiers(arr.filter((node) => node.modifier === undefined || !ROW_LOCKS.has(node.modifier)));
  }
}

/**
 * SQLite runs DDL inside transactions; Kysely's adapter says otherwise only to be safe with
 * every SQLite driver. Saying so makes the migrator run all pending migrations in one
 * transaction, so a crash mid-migration leaves the schema as it was.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class LatchkeySqliteDialect extends SqliteDialect {
  readonly #database: ConvertingDatabase;

  constructor(db: BetterSqlite3.Database) {
    const database = new ConvertingDatabase(db);
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver({ database: this.#database });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createQueryCompiler(): QueryCompiler {
    return new LockFreeSqliteQueryCompiler();
  }

  clearStatementCache(): void {
    this.#database.clearStatementCache();
  }
}
