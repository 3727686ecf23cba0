/**
 * bin/latchkey.js runs the compiled bundle only when it is newer than every source file, so an
 * edited source is never run stale (scripts/bundle-freshness.mjs).
 */
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleIsFresh } from '../scripts/bundle-freshness.mjs';

let dir: string;
let bundle: string;
let sources: string;
const at = (seconds: number) => new Date(1_800_000_000_000 + seconds * 1000);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latchkey-bundle-'));
  sources = path.join(dir, 'src');
  await mkdir(path.join(sources, 'nested'), { recursive: true });
  await writeFile(path.join(sources, 'nested', 'a.ts'), 'export {};');
  await utimes(path.join(sources, 'nested', 'a.ts'), at(0), at(0));
  await utimes(path.join(sources, 'nested'), at(0), at(0));
  await utimes(sources, at(0), at(0));
  bundle = path.join(dir, 'latchkey.mjs');
  await writeFile(bundle, '');
  await utimes(bundle, at(10), at(10));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('bundle freshness', () => {
  it('is fresh when built after every source', () => {
    expect(bundleIsFresh(bundle, [sources])).toBe(true);
  });

  it('is stale when a source, however deep, changed after the build', async () => {
    await utimes(path.join(sources, 'nested', 'a.ts'), at(20), at(20));
    expect(bundleIsFresh(bundle, [sources])).toBe(false);
  });

  it('is stale when a source was deleted or added after the build (its folder changed)', async () => {
    await utimes(path.join(sources, 'nested'), at(20), at(20));
    expect(bundleIsFresh(bundle, [sources])).toBe(false);
  });

  it('is stale when there is no bundle, or when LATCHKEY_FROM_SOURCE=1 asks for the sources', async () => {
    expect(bundleIsFresh(path.join(dir, 'missing.mjs'), [sources])).toBe(false);
    process.env.LATCHKEY_FROM_SOURCE = '1';
    try {
      expect(bundleIsFresh(bundle, [sources])).toBe(false);
    } finally {
      delete process.env.LATCHKEY_FROM_SOURCE;
    }
  });
});
