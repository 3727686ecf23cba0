/**
 * Item version marks (rollback detection, docs/protocol.md §8.2): an older version, or a purged
 * item, shown again is `rollback_detected`; recording marks costs O(items given), with no read or
 * rewrite of the whole local state, on a store that keeps the marks apart.
 */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ClientContext } from '../src/context.ts';
import { checkAndRecordVersions } from '../src/items.ts';
import { ITEM_DELETED, MemoryStore, type ItemVersionMarks, type LocalState, type LocalStore } from '../src/local-store.ts';

const contextFor = (store: LocalStore, keysetId = 'keyset-1') => ({ store, keys: { keyset: { id: keysetId } } }) as unknown as ClientContext;

async function expectRollback(run: () => Promise<unknown>): Promise<void> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  expect((error as LatchkeyError).code).toBe('rollback_detected');
}

/** A store that counts whole-state reads and writes and what its marks are asked about. */
class CountingStore implements LocalStore {
  readonly inner = new MemoryStore();
  reads = 0;
  writes = 0;
  largestMarkCall = 0;
  readonly itemVersions: ItemVersionMarks = {
    get: (keysetId, ids) => {
      this.largestMarkCall = Math.max(this.largestMarkCall, ids.length);
      return this.inner.itemVersions.get(keysetId, ids);
    },
    raise: (keysetId, marks) => {
      this.largestMarkCall = Math.max(this.largestMarkCall, marks.size);
      return this.inner.itemVersions.raise(keysetId, marks);
    },
  };
  async read(): Promise<LocalState> {
    this.reads++;
    return this.inner.read();
  }
  async write(state: LocalState): Promise<void> {
    this.writes++;
    await this.inner.write(state);
  }
}

/** A store written before marks were kept apart: only read and write. */
class StateOnlyStore implements LocalStore {
  state: LocalState = {};
  async read(): Promise<LocalState> {
    return structuredClone(this.state);
  }
  async write(state: LocalState): Promise<void> {
    this.state = structuredClone(state);
  }
}

const stores = {
  'MemoryStore (marks kept apart)': () => new MemoryStore(),
  'a store with only read and write (marks in the state)': () => new StateOnlyStore(),
};

describe.each(Object.entries(stores))('checkAndRecordVersions on %s', (_name, makeStore) => {
  it('refuses an older version of an item once a newer one was seen, and accepts the same or newer', async () => {
    const ctx = contextFor(makeStore());
    await checkAndRecordVersions(ctx, [
      { id: 'a', version: 3 },
      { id: 'b', version: 1 },
    ]);
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'a', version: 2 }]));
    await expectRollback(() =>
      checkAndRecordVersions(ctx, [
        { id: 'b', version: 5 },
        { id: 'a', version: 1 },
      ]),
    );
    // Nothing of a refused listing is recorded: b is still at 1.
    await checkAndRecordVersions(ctx, [{ id: 'b', version: 1 }]);
    await checkAndRecordVersions(ctx, [{ id: 'a', version: 3 }]);
    await checkAndRecordVersions(ctx, [{ id: 'a', version: 4 }]);
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'a', version: 3 }]));
  });

  it('refuses every version of an item this device purged', async () => {
    const ctx = contextFor(makeStore());
    await checkAndRecordVersions(ctx, [{ id: 'gone', version: 7 }]);
    await checkAndRecordVersions(ctx, [{ id: 'gone', version: ITEM_DELETED }]);
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'gone', version: 8 }]));
  });

  it('keeps the marks of each keyset apart', async () => {
    const store = makeStore();
    await checkAndRecordVersions(contextFor(store, 'alice'), [{ id: 'a', version: 9 }]);
    await checkAndRecordVersions(contextFor(store, 'bob'), [{ id: 'a', version: 1 }]);
    await expectRollback(() => checkAndRecordVersions(contextFor(store, 'alice'), [{ id: 'a', version: 1 }]));
  });

  it('loses no mark when many calls run at once', async () => {
    const ctx = contextFor(makeStore());
    await Promise.all(Array.from({ length: 50 }, (_, i) => checkAndRecordVersions(ctx, [{ id: `item-${i}`, version: 2 }])));
    for (let i = 0; i < 50; i++) await expectRollback(() => checkAndRecordVersions(ctx, [{ id: `item-${i}`, version: 1 }]));
  });
});

describe('item version marks kept apart from the state', () => {
  it('cost O(items given): after 20,000 marks, one more reads and writes no whole state and asks about one item only', async () => {
    const store = new CountingStore();
    const ctx = contextFor(store);
    await checkAndRecordVersions(
      ctx,
      Array.from({ length: 20_000 }, (_, i) => ({ id: `item-${i}`, version: 1 })),
    );
    store.reads = 0;
    store.writes = 0;
    store.largestMarkCall = 0;
    await checkAndRecordVersions(ctx, [{ id: 'new-item', version: 1 }]);
    await checkAndRecordVersions(ctx, [{ id: 'item-7', version: 2 }]);
    expect({ reads: store.reads, writes: store.writes, largestMarkCall: store.largestMarkCall }).toEqual({ reads: 0, writes: 0, largestMarkCall: 1 });
    // And the 20,000 older marks still hold.
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'item-7', version: 1 }]));
    expect((await store.read()).itemVersions).toBeUndefined();
  });

  it('MemoryStore takes over the marks of a state written before, and never lowers a mark when an old state is written back', async () => {
    const store = new MemoryStore({ deviceId: 'd', itemVersions: { 'keyset-1': { a: 5 } } });
    const ctx = contextFor(store);
    expect((await store.read()).itemVersions).toBeUndefined();
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'a', version: 4 }]));
    await checkAndRecordVersions(ctx, [{ id: 'a', version: 6 }]);
    await store.write({ deviceId: 'd', itemVersions: { 'keyset-1': { a: 2 } } });
    await expectRollback(() => checkAndRecordVersions(ctx, [{ id: 'a', version: 5 }]));
    expect((await store.read()).deviceId).toBe('d');
  });
});
