/**
 * Loads Wycheproof vector files from `shared/vectors/wycheproof/`, which sits beside the
 * repository (`<repoRoot>/../shared`) both here and in CI's clean clone. A missing directory
 * or file is an error, never a skip: a vector test that silently runs nothing proves nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor whose package.json declares npm workspaces. */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (Array.isArray(parsed.workspaces)) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root (package.json with "workspaces") above ${from}`);
    dir = parent;
  }
}

export const WYCHEPROOF_DIR = path.resolve(findRepoRoot(), '../shared/vectors/wycheproof');

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
}

export interface WycheproofFile<G> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

/** Reads `<name>` from the vectors directory; throws with the resolved path when it is missing. */
export function loadWycheproof<G extends { readonly tests: readonly WycheproofTest[] }>(name: string): WycheproofFile<G> {
  if (!existsSync(WYCHEPROOF_DIR)) {
    throw new Error(`Wycheproof vectors directory is missing: ${WYCHEPROOF_DIR} (expected shared/ beside the repository)`);
  }
  const file = path.join(WYCHEPROOF_DIR, name);
  if (!existsSync(file)) throw new Error(`Wycheproof vector file is missing: ${file}`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as WycheproofFile<G>;
  const total = parsed.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (total === 0 || total !== parsed.numberOfTests) {
    throw new Error(`${name}: expected ${parsed.numberOfTests} tests, found ${total}`);
  }
  return parsed;
}

/** A short label for a failing vector so the report names it. */
export const label = (t: WycheproofTest): string => `tcId ${t.tcId} [${t.result}] ${t.comment || '(no comment)'} {${t.flags.join(',')}}`;
