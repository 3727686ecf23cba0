#!/usr/bin/env node
// Runs the compiled bundle when it is up to date with the sources (scripts/bundle-freshness.mjs),
// otherwise the TypeScript sources through tsx, so `npm install` needs no separate build step and
// an edited source is never run stale. `latchkey server …` runs the server's own entry point,
// which loads none of the SDK or the CLI (idle memory).
import { bundleIsFresh, BUNDLE_PATH, SERVER_BUNDLE_PATH, SERVER_SOURCES } from '../scripts/bundle-freshness.mjs';
import { pathToFileURL } from 'node:url';

const serverOnly = process.argv[2] === 'server';

if (serverOnly ? bundleIsFresh(SERVER_BUNDLE_PATH, SERVER_SOURCES) : bundleIsFresh()) {
  await import(pathToFileURL(serverOnly ? SERVER_BUNDLE_PATH : BUNDLE_PATH).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(serverOnly ? '../src/server-main.ts' : '../src/main.ts');
}
