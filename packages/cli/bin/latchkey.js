#!/usr/bin/env node
// Runs the compiled bundle when it is up to date with the sources (scripts/bundle-freshness.mjs),
// otherwise the TypeScript sources through tsx, so `npm install` needs no separate build step and
// an edited source is never run stale.
import { bundleIsFresh, BUNDLE_PATH } from '../scripts/bundle-freshness.mjs';
import { pathToFileURL } from 'node:url';

if (bundleIsFresh()) {
  await import(pathToFileURL(BUNDLE_PATH).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
