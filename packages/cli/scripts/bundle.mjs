// Builds packages/cli/dist/latchkey.mjs: the CLI and the server, with the workspace's
// TypeScript compiled into one ES module and every npm dependency left to node_modules. Run by
// `npm install` (the root `prepare` script) and `npm run build`. bin/latchkey.js runs it when it
// is newer than every source file (bundle-freshness.mjs), so starting the CLI or the server
// needs no TypeScript loader: about 10x faster to start and ~50 MB less memory.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_PATH } from './bundle-freshness.mjs';

const cliDir = fileURLToPath(new URL('..', import.meta.url));

await build({
  entryPoints: [path.join(cliDir, 'src/main.ts')],
  outfile: BUNDLE_PATH,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'npm-dependencies-stay-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@latchkey/') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
