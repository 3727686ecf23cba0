// The idle-memory baseline (bench/memory.ts): bare Node.js with Fastify answering /healthz, no
// TypeScript loader, no Latchkey code, no database. Plain JavaScript on purpose: run it with
// `node bench/fastify-baseline.mjs`, or with `--import tsx` to see what the loader alone costs.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stderr.write(`Latchkey is running at http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0} (baseline)\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
process.once('SIGINT', () => void app.close().then(() => process.exit(0)));
