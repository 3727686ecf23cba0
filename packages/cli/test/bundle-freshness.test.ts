/**
 * bin/latchkey.js runs a compiled bundle only when it is newer than every source file it is made
 * from, so an edited source is never run stale (scripts/bundle-freshness.mjs); `latchkey server`
 * runs its own bundle, which holds no SDK or CLI code (scripts/bundle.mjs).
 */
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_PATH, bundleIsFresh, SERVER_BUNDLE_PATH, SERVER_SOURCES, SOURCES } from '../scripts/bundle-freshness.mjs';
import { buildBundles } from '../scripts/bundle.mjs';

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

describe('the two bundles', () => {
  const repoRoot = path.resolve(path.dirname(BUNDLE_PATH), '../../..');
  /** The workspace files (not node_modules) esbuild put into a bundle, relative to the repository. */
  const workspaceInputs = (metafile: { inputs: Record<string, unknown> } | undefined) =>
    Object.keys(metafile?.inputs ?? {}).filter((file) => !file.includes('node_modules/'));
  const covered = (file: string, sources: readonly string[]) => sources.some((dir) => path.resolve(repoRoot, file).startsWith(dir + path.sep));

  it("are judged stale by every workspace file they are made from; the server's holds no SDK or CLI command and bundles Kysely and TypeBox", async () => {
    expect(path.dirname(SERVER_BUNDLE_PATH)).toBe(path.dirname(BUNDLE_PATH));
    const out = await mkdtemp(path.join(tmpdir(), 'latchkey-bundles-'));
    try {
      const built = await buildBundles({ cli: path.join(out, 'cli.mjs'), server: path.join(out, 'server.mjs'), metafile: true });
      const cli = workspaceInputs(built.cli);
      const server = workspaceInputs(built.server);
      expect(cli.filter((file) => !covered(file, SOURCES))).toEqual([]);
      expect(server.filter((file) => !covered(file, SERVER_SOURCES))).toEqual([]);
      expect(cli.some((file) => file.startsWith('packages/client/'))).toBe(true);
      expect(server.filter((file) => file.startsWith('packages/client/') || file.startsWith('packages/cli/src/commands/'))).toEqual([]);
      expect(server.some((file) => file.startsWith('packages/server/src/'))).toBe(true);
      const serverPackages = Object.keys(built.server?.inputs ?? {}).filter((file) => file.includes('node_modules/'));
      for (const name of ['kysely', '@sinclair/typebox'])
        expect(
          serverPackages.some((file) => file.includes(`node_modules/${name}/`)),
          name,
        ).toBe(true);
      expect(serverPackages.filter((file) => /node_modules\/(commander|fastify|@serenity-kit)\//.test(file))).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
