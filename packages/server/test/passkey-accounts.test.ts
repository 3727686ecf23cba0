/**
 * Passkey accounts and trusted devices (docs/protocol.md §24.8–24.11), end to end through the SDK
 * with a software authenticator that makes real ES256 attestations and assertions: sign-up with
 * no password, unlock by passkey + device key, a second trusted device, deauthorization (its next
 * unlock fails), replayed and foreign assertions, user verification, unknown emails, and a scan
 * of the database for the bundle and everything derived from it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, toBase64Url } from '@latchkey/core/bytes';
import { importDeviceKey, openDeviceCredentialBundle, sealDeviceCredentialBundle } from '@latchkey/core/device-credential-bundle';
import { decodeCredentialBundle, passkeyPassword, passkeySecretKey } from '@latchkey/core/passkey-account';
import type { DeviceKeyProvider, PasskeyAuthenticator } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { SoftwareAuthenticator } from '@latchkey/client/testing';
import { listTables, readEmailCode, sdkClient, send, signUpUser, startTestServer, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
/** Where the web app runs: the server's public URL, the relying party of its passkeys. */
const origin = () => new URL(server.running.context.config.publicUrl).origin;

/** A device key kept in memory, readable by the test (as the CLI's key file is by its owner). */
function keyFile(): DeviceKeyProvider & { bytes?: Uint8Array } {
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

/** One person's passkey account on one device. */
async function passkeyPerson() {
  const email = uniqueEmail('passkey');
  const authenticator = new SoftwareAuthenticator({ origin: origin() });
  const deviceKeys = keyFile();
  const store = new MemoryStore();
  const client = sdkClient(server.url, { store });
  const started = Date.now();
  await client.signup.start(email);
  const code = await readEmailCode(server.dataDir, email, started);
  const { userId, recoveryCode } = await client.signUpWithPasskey({
    email,
    name: 'Passkey Person',
    code,
    authenticator,
    deviceKeys,
    confirmRecoveryCode: async (shown) => shown.toLowerCase(),
  });
  return { email, userId, recoveryCode, authenticator, deviceKeys, store, client };
}

/** The same device later (a new page load): its store and key file, no keys in memory. */
const sameDevice = (p: { store: MemoryStore }) => sdkClient(server.url, { store: p.store });

/** An authenticator that records what it answers, so a test can send an answer again. */
function recording(inner: PasskeyAuthenticator): PasskeyAuthenticator & { last?: Record<string, unknown> } {
  const r: PasskeyAuthenticator & { last?: Record<string, unknown> } = {
    create: (o) => inner.create(o),
    get: async (o) => (r.last = await inner.get(o)),
  };
  return r;
}

const deviceIdOf = async (store: MemoryStore) => (await store.read()).deviceId!;

describe('passkey accounts', () => {
  it('sign up with no password, unlock on the device with passkey + device key; the server stores only the sealed bundle', async () => {
    const p = await passkeyPerson();
    const [vault] = await p.client.vaults.list();
    await p.client.items.create(vault!.id, { kind: 'login', title: 'Bank', username: 'me', password: 'item-secret' });
    const db = server.running.context.db;
    const user = await db.selectFrom('users').select('unlock_method').where('id', '=', p.userId).executeTakeFirstOrThrow();
    expect(user.unlock_method).toBe('passkey');
    const codes = await db.selectFrom('recovery_codes').select('status').where('user_id', '=', p.userId).execute();
    expect(codes.map((c) => c.status)).toEqual(['active']);
    // The device does not keep a Secret Key: only the server's sealed copy of the bundle exists.
    expect((await p.store.read()).secretKeys ?? {}).toEqual({});

    const later = sameDevice(p);
    const account = await later.unlockWithPasskey({ email: p.email, authenticator: p.authenticator, deviceKeys: p.deviceKeys });
    expect(account.id).toBe(p.userId);
    const items = await later.items.list(vault!.id);
    expect(items.map((i) => i.title)).toEqual(['Bank']);
    const devices = await later.devices.list();
    expect(devices).toMatchObject([{ id: await deviceIdOf(p.store), name: expect.any(String), platform: 'vitest', current: true }]);

    // What the device can open, nothing in the database holds in any usual encoding.
    const row = await db.selectFrom('trusted_devices').select('sealed_bundle').where('user_id', '=', p.userId).executeTakeFirstOrThrow();
    const bundle = await openDeviceCredentialBundle(
      await importDeviceKey(p.deviceKeys.bytes!),
      { accountId: p.userId, deviceId: await deviceIdOf(p.store) },
      row.sealed_bundle,
    );
    const credentials = decodeCredentialBundle(bundle);
    const secretKey = passkeySecretKey(credentials);
    const needles = [
      toBase64Url(bundle),
      bytesToHex(bundle),
      Buffer.from(bundle).toString('base64'),
      toBase64Url(credentials.accountSecret),
      bytesToHex(credentials.accountSecret),
      Buffer.from(credentials.accountSecret).toString('base64'),
      passkeyPassword(credentials),
      secretKey,
      secretKey.replaceAll('-', ''),
      toBase64Url(p.deviceKeys.bytes!),
      bytesToHex(p.deviceKeys.bytes!),
      p.recoveryCode,
    ];
    const leaks: string[] = [];
    for (const table of await listTables(db)) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      const text = JSON.stringify(rows.rows).toLowerCase();
      for (const needle of needles) if (text.includes(needle.toLowerCase())) leaks.push(`${table}: ${needle.slice(0, 8)}…`);
    }
    expect(leaks).toEqual([]);
  });

  it('the recovery code must be typed back before anything is created, and a passkey account cannot delete it', async () => {
    const email = uniqueEmail('passkey-typo');
    const client = sdkClient(server.url);
    const started = Date.now();
    await client.signup.start(email);
    const code = await readEmailCode(server.dataDir, email, started);
    const params = { email, name: 'Typo', code, authenticator: new SoftwareAuthenticator({ origin: origin() }), deviceKeys: keyFile() };
    expect(await errorCodeOf(client.signUpWithPasskey({ ...params, confirmRecoveryCode: async () => 'R1-AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG' }))).toMatch(
      /^(invalid_recovery_code|recovery_code_malformed|recovery_code_typo)$/,
    );
    expect(await server.running.context.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();

    const p = await passkeyPerson();
    expect(await errorCodeOf(p.client.recoveryCode.delete())).toBe('conflict');
    expect(await p.client.recoveryCode.status()).toMatchObject({ status: 'active' });
  });

  it('user verification is required: an assertion without it is refused', async () => {
    const p = await passkeyPerson();
    const careless = new SoftwareAuthenticator({ origin: origin(), userVerification: false });
    careless.credentials.push(...p.authenticator.credentials);
    expect(await errorCodeOf(sameDevice(p).unlockWithPasskey({ email: p.email, authenticator: careless, deviceKeys: p.deviceKeys }))).toBe(
      'invalid_credentials',
    );
  });

  it('a replayed assertion is refused, and so is an assertion by another account’s passkey', async () => {
    const a = await passkeyPerson();
    const b = await passkeyPerson();
    const recorder = recording(a.authenticator);
    await sameDevice(a).unlockWithPasskey({ email: a.email, authenticator: recorder, deviceKeys: a.deviceKeys });
    const replay = await send(server, {
      method: 'POST',
      path: '/api/auth/passkey/unlock',
      body: { email: a.email, deviceId: await deviceIdOf(a.store), response: recorder.last },
    });
    expect([replay.status, (replay.json as { error: { code: string } }).error.code]).toEqual([400, 'challenge_expired']);

    // B's passkey answering A's challenge, sent for A's email (and from A's device).
    const options = (await send(server, { method: 'POST', path: '/api/auth/passkey/options', body: { email: a.email } })).json as Record<string, unknown>;
    const foreign = await b.authenticator.get(options);
    const res = await send(server, {
      method: 'POST',
      path: '/api/auth/passkey/unlock',
      body: { email: a.email, deviceId: await deviceIdOf(a.store), response: foreign },
    });
    expect([res.status, (res.json as { error: { code: string } }).error.code]).toEqual([401, 'invalid_credentials']);
    // And A's own passkey for A's account, but from B's device: not a trusted device of A.
    const fromB = sdkClient(server.url, { store: b.store });
    expect(await errorCodeOf(fromB.unlockWithPasskey({ email: a.email, authenticator: a.authenticator, deviceKeys: b.deviceKeys }))).toBe('device_not_trusted');
  });

  it('an unknown email and a password account get the same options, and unlock fails as a wrong credential does', async () => {
    const password = await signUpUser(server);
    const shapes = [];
    for (const email of [uniqueEmail('nobody'), password.email]) {
      const res = await send(server, { method: 'POST', path: '/api/auth/passkey/options', body: { email } });
      expect(res.status).toBe(200);
      shapes.push(Object.keys(res.json as object).sort());
      const authenticator = new SoftwareAuthenticator({ origin: origin() });
      await authenticator.create({ rp: { id: new URL(origin()).hostname }, user: { id: toBase64Url(new TextEncoder().encode('x')) }, challenge: 'AAAA' });
      const response = await authenticator.get(res.json as Record<string, unknown>);
      const unlock = await send(server, { method: 'POST', path: '/api/auth/passkey/unlock', body: { email, deviceId: 'AAAAAAAAAAAAAAAAAAAAAA', response } });
      expect((unlock.json as { error: { code: string } }).error.code).toBe('invalid_credentials');
    }
    expect(shapes[0]).toEqual(shapes[1]);
  });
});

describe('trusted devices', () => {
  it('a second device unlocks with the synced passkey; deauthorized from the first, its sessions end, it is notified, and its next unlock fails', async () => {
    const p = await passkeyPerson();
    // The second device as enrollment leaves it (§24.7, its SDK comes later): its own key, the bundle sealed under it.
    const first = await openDeviceCredentialBundle(
      await importDeviceKey(p.deviceKeys.bytes!),
      { accountId: p.userId, deviceId: await deviceIdOf(p.store) },
      (await server.running.context.db.selectFrom('trusted_devices').select('sealed_bundle').where('user_id', '=', p.userId).executeTakeFirstOrThrow())
        .sealed_bundle,
    );
    const phone = { store: new MemoryStore({ deviceId: toBase64Url(crypto.getRandomValues(new Uint8Array(16))) }), deviceKeys: keyFile() };
    await phone.deviceKeys.create();
    await server.running.context.db
      .insertInto('trusted_devices')
      .values({
        user_id: p.userId,
        device_id: await deviceIdOf(phone.store),
        name: 'Phone',
        platform: 'test',
        sealed_bundle: await sealDeviceCredentialBundle(
          await importDeviceKey(phone.deviceKeys.bytes!),
          { accountId: p.userId, deviceId: await deviceIdOf(phone.store) },
          first,
        ),
      })
      .execute();
    const phoneClient = sdkClient(server.url, { store: phone.store });
    await phoneClient.unlockWithPasskey({ email: p.email, authenticator: p.authenticator, deviceKeys: phone.deviceKeys });
    // Its key opens only its own bundle: the first device's key does not open the phone's.
    expect(
      await errorCodeOf(
        sdkClient(server.url, { store: phone.store }).unlockWithPasskey({ email: p.email, authenticator: p.authenticator, deviceKeys: p.deviceKeys }),
      ),
    ).toBe('decryption_failed');

    const list = await p.client.devices.list();
    expect(list.map((d) => [d.name, d.current])).toEqual([
      [expect.any(String), true],
      ['Phone', false],
    ]);
    await p.client.devices.rename(await deviceIdOf(phone.store), 'Old phone');
    expect((await p.client.devices.list())[1]!.name).toBe('Old phone');

    const before = Date.now();
    await p.client.devices.remove(await deviceIdOf(phone.store));
    expect(await errorCodeOf(phoneClient.vaults.list())).toBe('unauthenticated');
    expect(
      await errorCodeOf(
        sdkClient(server.url, { store: phone.store }).unlockWithPasskey({ email: p.email, authenticator: p.authenticator, deviceKeys: phone.deviceKeys }),
      ),
    ).toBe('device_not_trusted');
    expect((await p.client.devices.list()).map((d) => d.current)).toEqual([true]);
    const mail = await waitForEmail(server.dataDir, { to: p.email, subjectIncludes: 'device was removed', after: before - 1000 });
    expect(mail.text).toContain('Old phone');
    // Gone is gone: a second removal and a rename of it are not_found.
    expect(await errorCodeOf(p.client.devices.remove(await deviceIdOf(phone.store)))).toBe('not_found');
    // The first device still unlocks.
    await sameDevice(p).unlockWithPasskey({ email: p.email, authenticator: p.authenticator, deviceKeys: p.deviceKeys });
  });
});
