// Builds packages/cli/dist/latchkey.mjs, the CLI and the server, and dist/latchkey-server.mjs,
// `latchkey server` alone (src/server-main.ts: no SDK, no CLI commands), each with the
// workspace's TypeScript compiled into one ES module. Run by `npm install` (the root `prepare`
// script) and `npm run build`. bin/latchkey.js runs the one it needs when it is newer than every
// source file it is made from (bundle-freshness.mjs), so starting the CLI or the server needs no
// TypeScript loader: about 10x faster to start and ~50 MB less memory.
//
// npm dependencies stay in node_modules, except, in the server bundle, the ES-module libraries
// made of many small files (Kysely, TypeBox): bundled and tree-shaken there, the server loads one
// module instead of hundreds, which is several MB less idle memory.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_PATH, SERVER_BUNDLE_PATH } from './bundle-freshness.mjs';

const cliDir = fileURLToPath(new URL('..', import.meta.url));

/** @param {readonly string[]} bundled npm packages compiled into the bundle */
const dependenciesStayExternal = (bundled) => ({
  name: 'npm-dependencies-stay-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const inBundle = args.path.startsWith('@latchkey/') || bundled.some((name) => args.path === name || args.path.startsWith(`${name}/`));
      return inBundle ? undefined : { path: args.path, external: true };
    });
  },
});

// zxcvbn and its dictionaries (about 2 MB of word lists) are compiled into the CLI bundle so that
// esbuild can evaluate them lazily: only the commands that choose an account password import
// them (dynamically). Left external, their imports would be hoisted and run at every start
// (fastest-levenshtein and dictionary-compression are their own dependencies, which their CommonJS builds require).
const PASSWORD_STRENGTH = [
  '@zxcvbn-ts/core',
  '@zxcvbn-ts/language-common',
  '@zxcvbn-ts/language-en',
  '@zxcvbn-ts/dictionary-compression',
  'fastest-levenshtein',
];

// Paths in the metafile are relative to the repository.
const common = {
  absWorkingDir: path.resolve(cliDir, '../..'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * Builds both bundles (to other paths in the tests); with `metafile`, returns esbuild's record
 * of what went into each.
 * @param {{ cli?: string, server?: string, metafile?: boolean }} [to]
 */
export async function buildBundles(to = {}) {
  const metafile = to.metafile === true;
  const [cli, server] = await Promise.all([
    build({
      ...common,
      metafile,
      entryPoints: [path.join(cliDir, 'src/main.ts')],
      outfile: to.cli ?? BUNDLE_PATH,
      plugins: [dependenciesStayExternal(PASSWORD_STRENGTH)],
    }),
    build({
      ...common,
      metafile,
      entryPoints: [path.join(cliDir, 'src/server-main.ts')],
      outfile: to.server ?? SERVER_BUNDLE_PATH,
      plugins: [dependenciesStayExternal(['kysely', '@sinclair/typebox'])],
    }),
  ]);
  return { cli: cli.metafile, server: server.metafile };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await buildBundles();
