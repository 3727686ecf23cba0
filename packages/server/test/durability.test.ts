/**
 * Relaxed durability (storage/durability.ts): on SQLite, counters and in-flight login state are
 * committed with `synchronous=NORMAL`, and nothing else ever is; on PostgreSQL nothing changes.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRelaxedDurability } from '../src/storage/durability.ts';
import type { Database } from '../src/storage/schema.ts';
import { createTestStorage, testDatabaseKind, type TestStorage } from '@latchkey/server/testing';

let t: TestStorage;
let db: Kysely<Database>;
beforeAll(async () => {
  t = await createTestStorage();
  db = t.storage.db;
});
afterAll(() => t.cleanup());

// SQLite reports 1 for NORMAL and 2 for FULL.
const synchronous = async (d: Kysely<Database>) => Number(Object.values((await sql<Record<string, number>>`pragma synchronous`.execute(d)).rows[0] ?? {})[0]);

describe.runIf(testDatabaseKind() === 'sqlite')('relaxed durability on SQLite', () => {
  it('relaxes only inside the scope, and restores full durability also when the write fails', async () => {
    expect(await synchronous(db)).toBe(2);
    expect(await withRelaxedDurability(db, synchronous)).toBe(1);
    expect(await synchronous(db)).toBe(2);
    await expect(withRelaxedDurability(db, async () => Promise.reject(new Error('write failed')))).rejects.toThrow('write failed');
    expect(await synchronous(db)).toBe(2);
  });

  it('a durable transaction started meanwhile never commits relaxed: the scope holds the one connection', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const relaxed = withRelaxedDurability(db, async (d) => {
      await held;
      return synchronous(d);
    });
    const durable = db.transaction().execute(synchronous);
    release();
    expect(await relaxed).toBe(1);
    expect(await durable).toBe(2);
  });

  it('inside a transaction it leaves the setting to the transaction', async () => {
    expect(await db.transaction().execute((tx) => withRelaxedDurability(tx, synchronous))).toBe(2);
  });
});

describe.runIf(testDatabaseKind() === 'postgres')('relaxed durability on PostgreSQL', () => {
  it('runs the write as it is, with synchronous commit unchanged', async () => {
    const setting = async (d: Kysely<Database>) => (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(d)).rows[0]?.synchronous_commit;
    expect(await withRelaxedDurability(db, setting)).toBe('on');
  });
});
