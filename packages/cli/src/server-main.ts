/**
 * `latchkey server …` on its own: bin/latchkey.js runs this (compiled as dist/latchkey-server.mjs)
 * when the first argument is `server`, so the server process loads the server and nothing of the
 * SDK or the command line (idle memory, docs/operations.md §1). Flags are the server's own.
 */
import { runServer } from './server-run.ts';

await runServer(process.argv.slice(3));
