/**
 * `latchkey device list | rename | remove` end to end: a real server, the real binary, a passkey
 * account with two trusted devices (the second enrolled by code through the SDK). The CLI cannot
 * be a trusted device yet (protocol §24.13), so it signs in with the password and Secret Key the
 * account's bundle derives, which the test reads as the person's own device could.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDeviceKey, openDeviceCredentialBundle } from '@latchkey/core/device-credential-bundle';
import { LatchkeyError } from '@latchkey/core/errors';
import { decodeCredentialBundle, passkeyPassword, passkeySecretKey } from '@latchkey/core/passkey-account';
import type { TrustedDevice } from '@latchkey/core/wire/passkeys';
import { newDeviceOf, type PasskeyPerson, passkeyPerson, sdkClient, startTestServer, type TestServer } from '@latchkey/server/testing';
import { latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let alice: PasskeyPerson;
let second: ReturnType<typeof newDeviceOf>;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-device-'));
  const at = { url: server.url, dataDir: server.dataDir, origin: new URL(server.running.context.config.publicUrl).origin };
  alice = await passkeyPerson(at, 'Alice');
  second = newDeviceOf(at);
  const asking = await second.client.devices.requestEnrollment({
    email: alice.email,
    authenticator: alice.authenticator,
    deviceKeys: second.deviceKeys,
    pollIntervalMs: 20,
  });
  const { code, completion } = await alice.client.devices.approveEnrollment(asking.enrollmentId, {
    authenticator: alice.authenticator,
    deviceKeys: alice.deviceKeys,
    pollIntervalMs: 20,
  });
  await Promise.all([asking.enterCode(code), completion]);

  const row = await server.running.context.db
    .selectFrom('trusted_devices')
    .select('sealed_bundle')
    .where('user_id', '=', alice.userId)
    .where('device_id', '=', alice.device.deviceId)
    .executeTakeFirstOrThrow();
  const bundle = await openDeviceCredentialBundle(
    await importDeviceKey(alice.deviceKeys.bytes!),
    { accountId: alice.userId, deviceId: alice.device.deviceId },
    row.sealed_bundle,
  );
  const credentials = decodeCredentialBundle(bundle);
  const password = passkeyPassword(credentials);
  const dir = path.join(root, 'terminal');
  const signIn = await latchkey(
    ['--config-dir', dir, 'signin', '--server', server.url, '--email', alice.email, '--secret-key', passkeySecretKey(credentials)],
    {
      LATCHKEY_PASSWORD: password,
    },
  );
  expect(signIn.code, signIn.stderr).toBe(0);
  env = { LATCHKEY_PASSWORD: password, LATCHKEY_CONFIG_DIR: dir };
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

const list = async () => {
  const run = await latchkey(['device', 'list'], env);
  expect(run.code, run.stderr).toBe(0);
  return run.json as TrustedDevice[];
};

describe('latchkey device', () => {
  it('lists the trusted devices; the terminal is none of them', async () => {
    const devices = await list();
    expect(devices.map((d) => d.id).sort()).toEqual([alice.device.deviceId, (await second.store.read()).deviceId!].sort());
    expect(devices.every((d) => d.current === false)).toBe(true);
    expect(devices[0]).toMatchObject({ name: expect.any(String), platform: 'vitest', addedAt: expect.any(String), lastUsedAt: expect.any(String) });
  });

  it('renames one, and refuses an unknown device', async () => {
    const run = await latchkey(['device', 'rename', alice.device.deviceId, 'Kitchen tablet'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toEqual({ id: alice.device.deviceId, name: 'Kitchen tablet' });
    expect((await list()).find((d) => d.id === alice.device.deviceId)?.name).toBe('Kitchen tablet');
    const unknown = await latchkey(['device', 'rename', 'no-such-device-id-000', 'X'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ error: { code: 'not_found' } });
  });

  it('removes one: it is no longer listed and its next passkey unlock fails', async () => {
    const secondId = (await second.store.read()).deviceId!;
    const run = await latchkey(['device', 'remove', secondId], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toEqual({ id: secondId, removed: true });
    expect((await list()).map((d) => d.id)).toEqual([alice.device.deviceId]);
    const unlock = sdkClient(server.url, { store: second.store }).unlockWithPasskey({
      email: alice.email,
      authenticator: alice.authenticator,
      deviceKeys: second.deviceKeys,
    });
    await expect(unlock).rejects.toSatisfy((e) => e instanceof LatchkeyError && e.code === 'device_not_trusted');
  });
});
