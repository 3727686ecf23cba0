// Whether a bundle under dist/ was built from the sources as they are now: it must be newer than
// every file under the source folders it is made from. An edited source therefore never runs
// stale; bin/latchkey.js falls back to the TypeScript sources through tsx instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../..', import.meta.url));
const sourcesOf = (...names) => names.map((name) => path.join(packagesDir, name, 'src'));

/** The whole command line (src/main.ts): the SDK, the CLI and the server. */
export const BUNDLE_PATH = path.join(packagesDir, 'cli', 'dist', 'latchkey.mjs');
export const SOURCES = sourcesOf('core', 'client', 'server', 'cli');

/** `latchkey server` alone (src/server-main.ts): the server and core, no SDK (packages/client) and no CLI commands. */
export const SERVER_BUNDLE_PATH = path.join(packagesDir, 'cli', 'dist', 'latchkey-server.mjs');
export const SERVER_SOURCES = sourcesOf('core', 'server', 'cli');

function newerThan(dir, builtAt) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(full, builtAt) : statSync(full).mtimeMs > builtAt) return true;
  }
  return statSync(dir).mtimeMs > builtAt; // a deleted or renamed file changes its folder
}

/** @param {string} bundle @param {readonly string[]} sources */
export function bundleIsFresh(bundle = BUNDLE_PATH, sources = SOURCES) {
  if (process.env.LATCHKEY_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  const builtAt = statSync(bundle).mtimeMs;
  return !sources.some((dir) => existsSync(dir) && newerThan(dir, builtAt));
}
