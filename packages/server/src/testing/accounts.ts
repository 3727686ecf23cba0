/**
 * Test harness: SDK clients and sign-up against any running server known by its URL and data
 * directory (an in-process `startTestServer()` or a child process from `server-process.ts`),
 * reading the emailed code from `<dataDir>/outbox` as a person would read their mail.
 *
 *   const alice = await signUpUser(server);                       // a TestServer
 *   const bob = await signUpUser({ url, dataDir }, { name: 'Bob' }); // any server
 *   await alice.client.items.create(vaultId, { kind: 'login', title: 'Bank' });
 */
import type { UserId } from '@latchkey/core/ids';
import type { Fetch } from '@latchkey/client/http';
import { LatchkeyClient } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { extractCode, waitForEmail } from './outbox.ts';

let counter = 0;

/** An address no other test uses. */
export const uniqueEmail = (label = 'user'): string => `${label}-${Date.now().toString(36)}-${process.pid}-${++counter}@example.com`;

/** A fresh SDK client; `store` is the device's memory (a new, empty one by default). */
export function sdkClient(server: string, options: { store?: MemoryStore; fetch?: Fetch } = {}): LatchkeyClient {
  return new LatchkeyClient({
    server,
    store: options.store ?? new MemoryStore(),
    device: { name: `test device ${++counter}`, platform: 'vitest' },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export interface TestUser {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  readonly secretKey: string;
  readonly userId: UserId;
  /** Signed in and unlocked. */
  readonly client: LatchkeyClient;
  /** The device memory of `client` (remembered Secret Key, session, pending Secret Key). */
  readonly store: MemoryStore;
}

/**
 * Signs a user up through the SDK: start, read the code from the outbox, complete. The returned
 * client is signed in and unlocked.
 * @throws Error when no verification email arrives within 10 s; the SDK's LatchkeyError otherwise.
 */
export async function signUpUser(
  server: { readonly url: string; readonly dataDir: string },
  params: { email?: string; password?: string; name?: string; store?: MemoryStore; fetch?: Fetch } = {},
): Promise<TestUser> {
  const email = params.email ?? uniqueEmail();
  const password = params.password ?? `pw-${Math.random().toString(36).slice(2)}-long`;
  const name = params.name ?? 'Test User';
  const store = params.store ?? new MemoryStore();
  const client = sdkClient(server.url, { store, ...(params.fetch ? { fetch: params.fetch } : {}) });
  const started = Date.now();
  await client.signup.start(email);
  const code = await readEmailCode(server.dataDir, email, started);
  const { secretKey, userId } = await client.signup.complete({ email, name, password, code });
  return { email, password, name, secretKey, userId, client, store };
}

/** The code in the newest verification email to `email` written since `since` (ms epoch). */
export async function readEmailCode(dataDir: string, email: string, since: number): Promise<string> {
  // The outbox file name has millisecond precision from the server's clock; allow a little skew.
  const mail = await waitForEmail(dataDir, { to: email, subjectIncludes: 'verification code', after: since - 1_000 }, 10_000);
  return extractCode(mail.text);
}
