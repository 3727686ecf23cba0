/**
 * The app's one SDK client, wired for the browser: the server is this page's origin, device
 * state lives in the encrypted IndexedDB store, and key derivation runs in a Web Worker.
 */
import { LatchkeyClient } from '@latchkey/client/client';
import { accountKey } from '@latchkey/client/local-store';
import { IndexedDbStore } from './platform/indexeddb-store.ts';
import { WorkerKeyDerivation } from './platform/worker-key-derivation.ts';

export interface Latchkey {
  readonly client: LatchkeyClient;
  readonly store: IndexedDbStore;
  readonly derivation: WorkerKeyDerivation;
  readonly server: string;
}

/** "Chrome on Linux": what the sessions list shows for this browser. */
function describeBrowser(userAgent: string): { name: string; platform: string } {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'unknown OS';
  return { name: `${browser} on ${os}`, platform: 'web' };
}

export function createLatchkey(): Latchkey {
  const server = window.location.origin;
  const store = new IndexedDbStore();
  const derivation = new WorkerKeyDerivation();
  const client = new LatchkeyClient({ server, store, derivation, device: describeBrowser(navigator.userAgent) });
  return { client, store, derivation, server };
}

/** Accounts whose Secret Key this browser remembers for this server (for password-only sign-in). */
export async function knownAccounts(latchkey: Latchkey): Promise<string[]> {
  const state = await latchkey.store.read();
  const prefix = accountKey(latchkey.server, ''); // "<server>|"
  return Object.keys(state.secretKeys ?? {})
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .sort();
}

/** Removes what this browser remembers about an account (its Secret Key). */
export async function forgetAccount(latchkey: Latchkey, email: string): Promise<void> {
  const state = await latchkey.store.read();
  const key = accountKey(latchkey.server, email);
  if (state.secretKeys) delete state.secretKeys[key];
  if (state.pendingSecretKeys) delete state.pendingSecretKeys[key];
  await latchkey.store.write(state);
}

/** The email of the session this browser holds for this server, if any. */
export async function rememberedSessionEmail(latchkey: Latchkey): Promise<string | undefined> {
  const session = (await latchkey.store.read()).session;
  return session !== undefined && session.server === latchkey.client.server ? session.email : undefined;
}
