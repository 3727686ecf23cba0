/**
 * Passkey accounts in tests (docs/protocol.md §24.8–24.11): a person signed up with a software
 * authenticator on their first (trusted) device, with a device key the test can read, and new
 * devices that share the (synced) passkey. Used by the server's enrollment tests and the CLI's.
 */
import type { DeviceKeyProvider } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { SoftwareAuthenticator } from '@latchkey/client/testing';
import { readEmailCode, sdkClient, uniqueEmail } from './accounts.ts';

/** A device key kept in memory, readable by the test (as the CLI's key file is by its owner). */
export function keyFile(): DeviceKeyProvider & { bytes?: Uint8Array } {
  const file: DeviceKeyProvider & { bytes?: Uint8Array } = {
    async create() {
      file.bytes = crypto.getRandomValues(new Uint8Array(32));
      return file.bytes;
    },
    async load() {
      return file.bytes;
    },
  };
  return file;
}

/** A server as the devices see it: where requests go, where its emails land, and its public URL's origin (the passkeys' relying party). */
export interface PasskeyServer {
  readonly url: string;
  readonly dataDir: string;
  readonly origin: string;
}

/** One person's passkey account, signed up on its first (trusted) device. */
export async function passkeyPerson(server: PasskeyServer, name = 'Passkey Person') {
  const email = uniqueEmail('passkey');
  const authenticator = new SoftwareAuthenticator({ origin: server.origin });
  const deviceKeys = keyFile();
  const store = new MemoryStore();
  const client = sdkClient(server.url, { store });
  const started = Date.now();
  await client.signup.start(email);
  const code = await readEmailCode(server.dataDir, email, started);
  const { userId, recoveryCode } = await client.signUpWithPasskey({
    email,
    name,
    code,
    authenticator,
    deviceKeys,
    confirmRecoveryCode: async (shown) => shown,
  });
  const state = await store.read();
  return {
    email,
    userId,
    recoveryCode,
    authenticator,
    deviceKeys,
    store,
    client,
    /** The trusted device as raw requests see it. */
    device: { url: server.url, token: state.session!.token, deviceId: state.deviceId! },
  };
}
export type PasskeyPerson = Awaited<ReturnType<typeof passkeyPerson>>;

/** A new device with the person's (synced) passkey: its SDK client, store and key file. */
export function newDeviceOf(server: PasskeyServer) {
  const store = new MemoryStore();
  return { store, client: sdkClient(server.url, { store }), deviceKeys: keyFile() };
}
