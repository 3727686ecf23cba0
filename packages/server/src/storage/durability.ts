/**
 * Writes that need not survive a power cut: rate-limit counters and in-flight sign-in state.
 *
 * On SQLite every commit otherwise waits for an fsync of the write-ahead log
 * (`synchronous=FULL`), which costs more CPU than the OPAQUE work of a sign-in; a sign-in made
 * ~8 such commits, most of them for counters and the 2-minute login state. Inside
 * `withRelaxedDurability` the connection runs with `synchronous=NORMAL`: a commit is still
 * atomic and survives a crash of the process, but a power cut may take back the last few
 * relaxed commits. That is harmless for what goes through here (a counter a few requests low, a
 * login that must be started again), and order is kept: the WAL is written in sequence, so the
 * next durable commit (a new session, a credential change) flushes every relaxed write before
 * it too. docs/operations.md ("Storage") lists what is relaxed.
 *
 * On PostgreSQL the fsync happens in the database server, not in this process, so the
 * statements run as they are.
 */
import { type Kysely, sql, SqliteAdapter } from 'kysely';
import type { Database } from './schema.ts';

export async function withRelaxedDurability<T>(db: Kysely<Database>, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  // Inside a transaction the transaction's own commit decides; SQLite cannot change it there.
  if (db.isTransaction || !(db.getExecutor().adapter instanceof SqliteAdapter)) return write(db);
  // One connection, held for the whole scope, so no durable commit of another request can run
  // while the setting is relaxed.
  return db.connection().execute(async (connection) => {
    await sql`pragma synchronous = normal`.execute(connection);
    try {
      return await write(connection);
    } finally {
      await sql`pragma synchronous = full`.execute(connection);
    }
  });
}
