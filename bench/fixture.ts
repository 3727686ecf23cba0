/**
 * The sync fixture: a server process on the embedded database (its request log captured, for
 * server-side timings) and one account made through the SDK with the product's real key
 * stretching, driven through the SDK's flow functions with a `ClientContext` the benchmark can
 * look into (the vault key the SDK unwrapped, the session token).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VaultId } from '@latchkey/core/ids';
import type { ClientContext } from '@latchkey/client/context';
import { ApiClient } from '@latchkey/client/http';
import { directKeyDerivation } from '@latchkey/client/key-derivation';
import { MemoryStore } from '@latchkey/client/local-store';
import { completeSignup, startSignup } from '@latchkey/client/signup';
import { listVaults } from '@latchkey/client/vaults';
import { BENCH_DEVICE, OutboxCodes } from './accounts.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

export interface SyncFixture {
  readonly server: ServerProcess;
  readonly ctx: ClientContext;
  readonly password: string;
  readonly vaultId: VaultId;
  close(): Promise<void>;
}

export async function startSyncFixture(): Promise<SyncFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-bench-sync-'));
  const server = await startServerProcess({ dataDir, captureLogs: true, entry: 'direct' });
  const close = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const ctx: ClientContext = {
      api: new ApiClient(server.url),
      store: new MemoryStore(),
      device: BENCH_DEVICE,
      derivation: directKeyDerivation,
      keys: undefined,
    };
    const email = `sync-${Date.now().toString(36)}@bench.example`;
    const password = 'sync benchmark password, long enough';
    await startSignup(ctx, email);
    const code = await new OutboxCodes(dataDir).waitForCode(email);
    await completeSignup(ctx, { email, name: 'Sync Bench', code, password });
    const personal = (await listVaults(ctx)).find((v) => v.kind === 'personal');
    if (personal === undefined) throw new Error('sign-up made no Personal vault');
    return { server, ctx, password, vaultId: personal.id, close };
  } catch (error) {
    await close();
    throw error;
  }
}
