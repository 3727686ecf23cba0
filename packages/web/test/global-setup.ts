/**
 * Vitest global setup for the `web` project: the tests drive the built app that the server
 * serves from `packages/web/dist`, so build it first when it is missing or older than any
 * source it is made from (the app, the SDK, the core).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = path.dirname(webDir);
const SOURCES = [
  path.join(webDir, 'app'),
  path.join(webDir, 'public'),
  path.join(webDir, 'index.html'),
  path.join(webDir, 'vite.config.ts'),
  path.join(webDir, 'precompress.ts'),
  path.join(packagesDir, 'client', 'src'),
  path.join(packagesDir, 'core', 'src'),
];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

export default async function setup(): Promise<void> {
  const builtIndex = path.join(webDir, 'dist', 'index.html');
  const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  if (builtAt > Math.max(...SOURCES.map(newestMtime))) return;
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
}
