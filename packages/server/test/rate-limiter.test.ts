/**
 * Database-backed rate limiting: exact limits under concurrency, fixed epoch-aligned windows,
 * and (on PostgreSQL) one shared limit across two server instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { consumeRateLimit, consumeRateLimits, pruneRateLimits } from '../src/storage/rate-limiter.ts';
import { createTestStorage, testDatabaseKind, type TestStorage } from '@latchkey/server/testing';

let t: TestStorage;

beforeAll(async () => {
  t = await createTestStorage();
});
afterAll(() => t.cleanup());

describe('consumeRateLimits (several buckets in one statement)', () => {
  it('counts each bucket in its own window, answers in the order asked, and refuses past each limit', async () => {
    const short = { bucket: 'multi-short', limit: 2, windowSeconds: 60 };
    const long = { bucket: 'multi-long', limit: 3, windowSeconds: 3600 };
    const at = new Date('2030-03-01T00:00:30Z');
    expect(await consumeRateLimits(t.storage.db, [long, short], at)).toEqual([
      { allowed: true, count: 1, retryAfterSeconds: 0 },
      { allowed: true, count: 1, retryAfterSeconds: 0 },
    ]);
    await consumeRateLimits(t.storage.db, [short, long], at);
    expect(await consumeRateLimits(t.storage.db, [short, long], at)).toEqual([
      { allowed: false, count: 3, retryAfterSeconds: 30 },
      { allowed: true, count: 3, retryAfterSeconds: 0 },
    ]);
    // The same counters as one rule at a time: the next minute is a new short window, the hour is not over.
    const later = new Date('2030-03-01T00:01:00Z');
    expect(await consumeRateLimit(t.storage.db, short, later)).toEqual({ allowed: true, count: 1, retryAfterSeconds: 0 });
    expect(await consumeRateLimit(t.storage.db, long, later)).toEqual({ allowed: false, count: 4, retryAfterSeconds: 3540 });
  });

  it('stays exact under concurrency', async () => {
    const a = { bucket: 'multi-concurrent-a', limit: 5, windowSeconds: 3600 };
    const b = { bucket: 'multi-concurrent-b', limit: 9, windowSeconds: 3600 };
    const decisions = await Promise.all(Array.from({ length: 20 }, () => consumeRateLimits(t.storage.db, [a, b], new Date())));
    expect(decisions.filter(([d]) => d?.allowed)).toHaveLength(5);
    expect(decisions.filter(([, d]) => d?.allowed)).toHaveLength(9);
    expect(new Set(decisions.map(([d]) => d?.count))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 1)));
  });

  it('refuses a bucket named twice', async () => {
    const rule = { bucket: 'multi-twice', limit: 1, windowSeconds: 60 };
    await expect(consumeRateLimits(t.storage.db, [rule, rule], new Date())).rejects.toThrow(RangeError);
  });
});

describe('consumeRateLimit', () => {
  it('allows exactly `limit` of 50 concurrent requests', async () => {
    const rule = { bucket: 'concurrent', limit: 7, windowSeconds: 3600 };
    const decisions = await Promise.all(Array.from({ length: 50 }, () => consumeRateLimit(t.storage.db, rule)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    for (const refused of decisions.filter((d) => !d.allowed)) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('uses fixed windows aligned to the epoch and reports the time left', async () => {
    const rule = { bucket: 'windows', limit: 2, windowSeconds: 60 };
    const at = (iso: string) => new Date(iso);
    expect(await consumeRateLimit(t.storage.db, rule, at('2030-01-01T00:00:10Z'))).toEqual({ allowed: true, count: 1, retryAfterSeconds: 0 });
    expect((await consumeRateLimit(t.storage.db, rule, at('2030-01-01T00:00:20Z'))).allowed).toBe(true);
    expect(await consumeRateLimit(t.storage.db, rule, at('2030-01-01T00:00:45.500Z'))).toEqual({
      allowed: false,
      count: 3,
      retryAfterSeconds: 15,
    });
    // The next window starts at :01:00 regardless of when the first request came.
    expect((await consumeRateLimit(t.storage.db, rule, at('2030-01-01T00:01:00Z'))).allowed).toBe(true);
  });

  it('keeps buckets independent', async () => {
    const now = new Date('2030-02-01T00:00:00Z');
    expect((await consumeRateLimit(t.storage.db, { bucket: 'a', limit: 1, windowSeconds: 60 }, now)).allowed).toBe(true);
    expect((await consumeRateLimit(t.storage.db, { bucket: 'b', limit: 1, windowSeconds: 60 }, now)).allowed).toBe(true);
    expect((await consumeRateLimit(t.storage.db, { bucket: 'a', limit: 1, windowSeconds: 60 }, now)).allowed).toBe(false);
  });

  it('rejects nonsensical rules', async () => {
    await expect(consumeRateLimit(t.storage.db, { bucket: 'x', limit: 0, windowSeconds: 60 })).rejects.toThrow(RangeError);
    await expect(consumeRateLimit(t.storage.db, { bucket: 'x', limit: 1, windowSeconds: 0.5 })).rejects.toThrow(RangeError);
  });

  it.runIf(testDatabaseKind() === 'postgres')('holds one limit across two server instances', async () => {
    const second = await openDatabase({ dataDir: t.dataDir, databaseUrl: t.databaseUrl });
    try {
      const rule = { bucket: 'two-instances', limit: 10, windowSeconds: 3600 };
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => consumeRateLimit(i % 2 === 0 ? t.storage.db : second.db, rule)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    } finally {
      await second.close();
    }
  });
});

describe('pruneRateLimits', () => {
  it('deletes only windows that started before the cut-off', async () => {
    const rule = { bucket: 'prune', limit: 5, windowSeconds: 60 };
    await consumeRateLimit(t.storage.db, rule, new Date('2020-01-01T00:00:00Z'));
    await consumeRateLimit(t.storage.db, rule, new Date('2040-01-01T00:00:00Z'));
    const deleted = await pruneRateLimits(t.storage.db, new Date('2025-01-01T00:00:00Z'));
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await t.storage.db.selectFrom('rate_limits').select('window_start').where('bucket', '=', 'prune').execute();
    expect(left.map((r) => r.window_start.toISOString())).toEqual(['2040-01-01T00:00:00.000Z']);
  });
});
