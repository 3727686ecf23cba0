/**
 * A malicious server (SPEC §5 invariant 10, issue 8): the SDK talks to a real server through a
 * `fetch` that rewrites the answers, as a server with its own code and database could. Each
 * forgery — a vault key of the server's choosing properly wrapped to the user, a wrap moved to
 * another vault, a planted vault, a different key for a pinned vault, a forged profile,
 * replayed or rolled-back items, an item moved between vaults — is refused with a stable error
 * code, and nothing is encrypted under a key the server chose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVaultId, type VaultId } from '@latchkey/core/ids';
import { fromBase64Url, randomBytes } from '@latchkey/core/bytes';
import { generateSigningKeyPair } from '@latchkey/core/crypto/ed25519';
import { createKeyset, encryptKeyset, keysetRecipient, keysetSigner, type Keyset } from '@latchkey/core/keyset';
import type { NewKeyWrap } from '@latchkey/core/key-wrap';
import { importBoxKey } from '@latchkey/core/sealed-box';
import { createVaultKey, encryptVaultAttributes, wrapVaultKey } from '@latchkey/core/vault-key';
import type { AccountProfile, LoginFinishResponse, ReauthFinishResponse } from '@latchkey/core/wire/auth';
import type { KeyWrap } from '@latchkey/core/wire/key-wrap';
import type { EncryptedItem, ItemList, TrashList, VaultList, VaultSummary } from '@latchkey/core/wire/vaults';
import { MemoryStore } from '@latchkey/client/local-store';
import { openAccountKeyset } from './helpers/account-keys.ts';
import { errorCodeOf } from './helpers/error-code.ts';
import { extractCode, sdkClient, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { tamperingFetch, type Call, type TamperingFetch } from './helpers/tampering-fetch.ts';

let server: TestServer;
let alice: TestUser;
let aliceProfile: AccountProfile;
/** Alice's opened keyset: what only Alice's own clients hold. */
let _aliceKeyset: Keyset;
let personalId: VaultId;
let workId: VaultId;

beforeAll(async () => {
  server = await startTestServer();
  alice = await signUpUser(server);
  aliceProfile = await alice.client.whoami();
  _aliceKeyset = await openAccountKeyset(server.url, alice.email, alice.password, alice.secretKey);
  personalId = (await alice.client.vaults.list())[0]!.id;
  workId = (await alice.client.vaults.create('Work')).id;
});
afterAll(() => server.close());

const db = () => server.running.context.db;
const isVaultList = (call: Call) => call.method === 'GET' && call.path === '/api/vaults';
const itemCount = async () =>
  Number(
    (
      await db()
        .selectFrom('items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

interface Device {
  readonly client: ReturnType<typeof sdkClient>;
  readonly store: MemoryStore;
  readonly mitm: TamperingFetch;
}

/** A device of `user` that talks to the server only through the tampering fetch. */
async function deviceOf(user: Pick<TestUser, 'email' | 'password' | 'secretKey'>, store = new MemoryStore()): Promise<Device> {
  const mitm = tamperingFetch();
  const client = sdkClient(server.url, { store, fetch: mitm.fetch });
  // The suite tests what a server can do to a device, not limits: alice signs in on more devices
  // than signInPerEmail allows in 5 minutes, so each device starts with fresh sign-in budgets.
  await server.running.context.db.deleteFrom('rate_limits').where('bucket', 'like', 'signIn%').execute();
  await client.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
  return { client, store, mitm };
}

/** The same device (same memory) started again: keys dropped, unlocked with the password. */
async function restarted(device: Device, password: string): Promise<Device> {
  const client = sdkClient(server.url, { store: device.store, fetch: device.mitm.fetch });
  await client.unlock(password);
  return { ...device, client };
}

/** What a malicious server can make on its own: a key of its choosing, wrapped to the user's real public key, and the vault name encrypted under it. */
async function serverChosenVault(vaultId: string, profile: AccountProfile, name: string, sign: (wrap: NewKeyWrap) => KeyWrap) {
  const key = createVaultKey();
  const recipient = { keysetId: profile.keyset.id, publicKey: fromBase64Url(profile.keyset.publicKey) };
  // Signed with a throw-away key first; `sign` decides what the server attaches instead.
  const wrap = await wrapVaultKey(key, vaultId, recipient, { keysetId: profile.keyset.id, signingSecretKey: generateSigningKeyPair().secretKey });
  return { keyWrap: sign(wrap), encryptedAttrs: await encryptVaultAttributes(await importBoxKey(key), vaultId, { name }) };
}

function replaceVault(list: VaultList, vaultId: string, change: Partial<VaultSummary>): VaultList {
  return { vaults: list.vaults.map((v) => (v.id === vaultId ? { ...v, ...change } : v)) };
}

describe('a malicious server cannot swap a vault key', () => {
  const signatures: Record<string, (wrap: NewKeyWrap, genuine: KeyWrap) => KeyWrap> = {
    'unsigned (as stored before signed wraps)': (w) => ({ ...w, version: 0, signerKeysetId: '', signature: '' }),
    "signed by the server's own key under the user's keyset id": (w) => w,
    "carrying the user's genuine signature from the real wrap": (w, genuine) => ({ ...w, signature: genuine.signature }),
  };

  for (const [label, sign] of Object.entries(signatures)) {
    it(`refuses a key of the server's choosing, wrapped to the user with the same vault id and name, ${label}: untrusted_key, and nothing is encrypted under it`, async () => {
      // A fresh device: nothing pinned yet, so only the signature stands between the server and the key.
      const device = await deviceOf(alice);
      const itemsBefore = await itemCount();
      let forged: Awaited<ReturnType<typeof serverChosenVault>> | undefined;
      device.mitm.tamper = (call, body) => {
        if (!isVaultList(call) || forged === undefined) return undefined;
        return replaceVault(body as VaultList, personalId, forged);
      };
      const genuine = await db().selectFrom('vault_access').select('wrap_signature').where('vault_id', '=', personalId).executeTakeFirstOrThrow();
      forged = await serverChosenVault(personalId, aliceProfile, 'Personal', (w) => sign(w, { ...w, signature: genuine.wrap_signature }));

      expect(await errorCodeOf(device.client.items.create(personalId, { kind: 'login', title: 'New bank', password: 'typed after the swap' }))).toBe(
        'untrusted_key',
      );
      expect(await errorCodeOf(device.client.vaults.list())).toBe('untrusted_key');
      expect(await errorCodeOf(device.client.items.list())).toBe('untrusted_key');
      expect(device.mitm.seen.filter((s) => s.call.method === 'POST' && s.call.path.endsWith('/items'))).toEqual([]);
      expect(await itemCount()).toBe(itemsBefore);

      // The honest answer still works on the same device: the forgery pinned nothing.
      device.mitm.tamper = undefined;
      expect((await device.client.vaults.list()).map((v) => v.name).sort()).toEqual(['Personal', 'Work']);
      await device.client.items.create(personalId, { kind: 'note', title: 'after the honest answer' });
    });
  }

  it('refuses a wrap moved from one vault to another: untrusted_key', async () => {
    const device = await deviceOf(alice);
    device.mitm.tamper = (call, body) => {
      if (!isVaultList(call)) return undefined;
      const list = body as VaultList;
      const personal = list.vaults.find((v) => v.id === personalId)!;
      return replaceVault(list, workId, { keyWrap: personal.keyWrap });
    };
    expect(await errorCodeOf(device.client.vaults.list())).toBe('untrusted_key');
    expect(await errorCodeOf(device.client.items.create(workId, { kind: 'note', title: 'into the wrong vault' }))).toBe('untrusted_key');
  });

  it('refuses a planted vault, whoever the wrap claims signed it: untrusted_key', async () => {
    const serverKeyset = await createKeyset();
    const planters: Record<string, (vaultId: string) => Promise<Pick<VaultSummary, 'keyWrap' | 'encryptedAttrs'>>> = {
      "signed by the server's own keyset": async (vaultId) => {
        const key = createVaultKey();
        const recipient = { keysetId: aliceProfile.keyset.id, publicKey: fromBase64Url(aliceProfile.keyset.publicKey) };
        return {
          keyWrap: await wrapVaultKey(key, vaultId, recipient, keysetSigner(serverKeyset)),
          encryptedAttrs: await encryptVaultAttributes(await importBoxKey(key), vaultId, { name: 'Bank logins' }),
        };
      },
      unsigned: (vaultId) => serverChosenVault(vaultId, aliceProfile, 'Bank logins', (w) => ({ ...w, version: 0, signerKeysetId: '', signature: '' })),
      "signed by a key that is not the user's, under the user's keyset id": (vaultId) => serverChosenVault(vaultId, aliceProfile, 'Bank logins', (w) => w),
    };
    for (const [label, plant] of Object.entries(planters)) {
      const device = await deviceOf(alice);
      const vaultId = newVaultId();
      const planted = await plant(vaultId);
      device.mitm.tamper = (call, body) =>
        isVaultList(call) ? { vaults: [...(body as VaultList).vaults, { id: vaultId, kind: 'shared', role: 'owner', ...planted }] } : undefined;
      expect(await errorCodeOf(device.client.vaults.list()), label).toBe('untrusted_key');
      expect(await errorCodeOf(device.client.items.create(vaultId, { kind: 'login', title: 'Bank', password: 'secret' })), label).toBe('untrusted_key');
    }
  });

  it('refuses wraps stored before signed wraps (a pre-0006 row): untrusted_key', async () => {
    const bob = await signUpUser(server);
    const device = await deviceOf(bob);
    await db()
      .updateTable('vault_access')
      .set({ wrap_version: 0, wrap_signer_keyset_id: '', wrap_signature: '' })
      .where('user_id', '=', (await bob.client.whoami()).id)
      .execute();
    expect(await errorCodeOf(device.client.vaults.list())).toBe('untrusted_key');
  });
});

describe('the device pins each vault key', () => {
  it("refuses a different key for a pinned vault even when the user's own keyset signed it (key_changed), also after a password change; a fresh device takes the first verified key", async () => {
    const carol = await signUpUser(server);
    const carolProfile = await carol.client.whoami();
    const carolPersonal = (await carol.client.vaults.list())[0]!.id;
    const carolKeyset = await openAccountKeyset(server.url, carol.email, carol.password, carol.secretKey);
    const device = await deviceOf(carol);
    expect((await device.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']); // pins the real key

    // A re-keyed Personal vault, genuinely signed by Carol's keyset (as a replayed or stray wrap of hers would be).
    const key = createVaultKey();
    const rekeyed = {
      keyWrap: await wrapVaultKey(key, carolPersonal, keysetRecipient(carolKeyset), keysetSigner(carolKeyset)),
      encryptedAttrs: await encryptVaultAttributes(await importBoxKey(key), carolPersonal, { name: 'Personal' }),
    };
    const swap = (call: Call, body: unknown) => (isVaultList(call) ? replaceVault(body as VaultList, carolPersonal, rekeyed) : undefined);

    let again = await restarted(device, carol.password);
    again.mitm.tamper = swap;
    expect(await errorCodeOf(again.client.vaults.list())).toBe('key_changed');
    expect(await errorCodeOf(again.client.items.create(carolPersonal, { kind: 'note', title: 'under the new key' }))).toBe('key_changed');

    // A password change keeps the keyset, so it keeps the pins.
    again.mitm.tamper = undefined;
    const newPassword = `${carol.password}-changed`;
    await again.client.account.changePassword(carol.password, newPassword);
    again = await restarted(device, newPassword);
    again.mitm.tamper = swap;
    expect(await errorCodeOf(again.client.vaults.list())).toBe('key_changed');

    // A device that never saw the vault trusts the first key its own keyset signed (a documented limit).
    const fresh = await deviceOf({ ...carol, password: newPassword });
    fresh.mitm.tamper = swap;
    expect((await fresh.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
    expect(carolProfile.keyset.id).toBe(carolKeyset.id);
  });
});

describe('a forged profile', () => {
  const forgeAccount = (change: (account: AccountProfile) => AccountProfile) => (call: Call, body: unknown) => {
    if (call.path === '/api/auth/login/finish') {
      const finish = body as LoginFinishResponse;
      return finish.account ? { ...finish, account: change(finish.account) } : undefined;
    }
    if (call.path === '/api/auth/reauth/finish') return { ...(body as ReauthFinishResponse), account: change((body as ReauthFinishResponse).account) };
    return undefined;
  };

  it("with another keyset id, another public key or a keyset of the server's own is refused at sign-in and unlock: untrusted_key", async () => {
    const serverKeyset = await encryptKeyset(await createKeyset(), randomBytes(32));
    const otherPublicKey = (await createKeyset()).encryption.publicKey;
    const forgeries: Record<string, (a: AccountProfile) => AccountProfile> = {
      'another keyset id': (a) => ({ ...a, keyset: { ...a.keyset, id: crypto.randomUUID() } }),
      'another public key': (a) => ({ ...a, keyset: { ...a.keyset, publicKey: Buffer.from(otherPublicKey).toString('base64url') } }),
      "the server's own keyset": (a) => ({ ...a, keyset: serverKeyset }),
    };
    for (const [label, forge] of Object.entries(forgeries)) {
      const mitm = tamperingFetch();
      mitm.tamper = forgeAccount(forge);
      const client = sdkClient(server.url, { fetch: mitm.fetch });
      expect(await errorCodeOf(client.signIn({ email: alice.email, password: alice.password, secretKey: alice.secretKey })), label).toBe('untrusted_key');
      expect(client.isUnlocked, label).toBe(false);

      const device = await deviceOf(alice);
      device.client.lock();
      device.mitm.tamper = forgeAccount(forge);
      expect(await errorCodeOf(device.client.unlock(alice.password)), label).toBe('untrusted_key');
      expect(device.client.isUnlocked, label).toBe(false);
    }
  });

  it('with another email does not make the device forget its Secret Key: the session keeps the email the person typed', async () => {
    const store = new MemoryStore();
    const mitm = tamperingFetch();
    mitm.tamper = forgeAccount((a) => ({ ...a, email: 'someone-else@example.com' }));
    const client = sdkClient(server.url, { store, fetch: mitm.fetch });
    await client.signIn({ email: alice.email, password: alice.password, secretKey: alice.secretKey });
    expect((await store.read()).session?.email).toBe(alice.email);
    // Unlocking finds the remembered Secret Key by that email (with the forged one it would be secret_key_required).
    client.lock();
    await client.unlock(alice.password);
    expect(client.isUnlocked).toBe(true);
  });

  it('with another account id does not switch rollback detection off', async () => {
    const bob = await signUpUser(server);
    const bobId = (await bob.client.whoami()).id;
    const device = await deviceOf(alice);
    const item = await device.client.items.create(personalId, { kind: 'password', title: 'Rolled back', password: 'v1' });
    await device.client.items.get(item.id);
    const v1 = device.mitm.seen.filter((s) => s.call.path === `/api/items/${item.id}`).at(-1)!.body as EncryptedItem;
    await device.client.items.update(item.id, { password: 'v2' });
    expect((await device.client.items.get(item.id)).password).toBe('v2');

    // The server says the device belongs to Bob (whose marks on this device are empty) and shows version 1.
    device.client.lock();
    const forge = forgeAccount((a) => ({ ...a, id: bobId }));
    device.mitm.tamper = (call, body) => forge(call, body) ?? (call.path === `/api/items/${item.id}` ? v1 : undefined);
    await device.client.unlock(alice.password);
    expect(await errorCodeOf(device.client.items.get(item.id))).toBe('rollback_detected');
  });
});

describe('replayed, rolled-back and moved items', () => {
  it('an older version, shown as itself, is rollback_detected; shown under the current version number, it does not decrypt', async () => {
    const device = await deviceOf(alice);
    const item = await device.client.items.create(workId, { kind: 'login', title: 'Replay', password: 'old' });
    await device.client.items.list(workId);
    const v1 = (device.mitm.seen.filter((s) => s.call.path === `/api/vaults/${workId}/items`).at(-1)!.body as ItemList).items.find((i) => i.id === item.id)!;
    await device.client.items.update(item.id, { password: 'new' });
    expect((await device.client.items.get(item.id)).password).toBe('new');

    const replay = (shown: EncryptedItem) => (call: Call, body: unknown) => {
      if (call.path === `/api/items/${item.id}`) return shown;
      if (call.path === `/api/vaults/${workId}/items`) return { items: (body as ItemList).items.map((i) => (i.id === item.id ? shown : i)) };
      return undefined;
    };
    device.mitm.tamper = replay(v1);
    expect(await errorCodeOf(device.client.items.get(item.id))).toBe('rollback_detected');
    expect(await errorCodeOf(device.client.items.list(workId))).toBe('rollback_detected');
    device.mitm.tamper = replay({ ...v1, version: 2 });
    expect(await errorCodeOf(device.client.items.get(item.id))).toBe('decryption_failed');
    expect(await errorCodeOf(device.client.items.list(workId))).toBe('decryption_failed');
  });

  it('an item this device deleted, replayed, is rollback_detected', async () => {
    const device = await deviceOf(alice);
    const item = await device.client.items.create(workId, { kind: 'note', title: 'Deleted' });
    const last = await device.client.items.get(item.id);
    const shown = device.mitm.seen.filter((s) => s.call.path === `/api/items/${item.id}`).at(-1)!.body as EncryptedItem;
    await device.client.items.delete(item.id, last);
    device.mitm.tamper = (call, body) =>
      call.path === `/api/vaults/${workId}/items` ? { items: [...(body as ItemList).items, shown] } : call.path === `/api/items/${item.id}` ? shown : undefined;
    expect(await errorCodeOf(device.client.items.list(workId))).toBe('rollback_detected');
  });

  it('an item this device purged from the Trash, served again in the Trash or as live, is rollback_detected', async () => {
    const device = await deviceOf(alice);
    const item = await device.client.items.create(workId, { kind: 'login', title: 'Purged', password: 'gone for good' });
    const last = await device.client.items.get(item.id);
    const live = device.mitm.seen.filter((s) => s.call.path === `/api/items/${item.id}`).at(-1)!.body as EncryptedItem;
    await device.client.items.delete(item.id, last);
    await device.client.items.trash(workId);
    const trashPath = `/api/vaults/${workId}/trash`;
    const trashed = (device.mitm.seen.filter((s) => s.call.path === trashPath).at(-1)!.body as TrashList).items.find((i) => i.id === item.id)!;
    await device.client.items.purge(workId, item.id);
    // Other tests leave their deleted items in this Trash: only the purged one must be gone.
    expect((await device.client.items.trash(workId)).map((i) => i.id)).not.toContain(item.id);

    device.mitm.tamper = (call, body) => (call.path === trashPath && call.method === 'GET' ? { items: [...(body as TrashList).items, trashed] } : undefined);
    expect(await errorCodeOf(device.client.items.trash(workId))).toBe('rollback_detected');
    device.mitm.tamper = (call, body) => (call.path === `/api/vaults/${workId}/items` ? { items: [...(body as ItemList).items, live] } : undefined);
    expect(await errorCodeOf(device.client.items.list(workId))).toBe('rollback_detected');
    device.mitm.tamper = undefined;
  });

  it('an item moved to another vault, or handed out under another id, does not decrypt', async () => {
    const device = await deviceOf(alice);
    const inPersonal = await device.client.items.create(personalId, { kind: 'login', title: 'Personal bank', password: 'p' });
    const other = await device.client.items.create(personalId, { kind: 'login', title: 'Other', password: 'o' });
    await device.client.items.get(inPersonal.id);
    const real = device.mitm.seen.filter((s) => s.call.path === `/api/items/${inPersonal.id}`).at(-1)!.body as EncryptedItem;

    const cases: Record<string, (call: Call, body: unknown) => unknown> = {
      // Listed under Work with its true vault id: the SDK decrypts what it asked for, Work.
      'listed in another vault, true vault id': (call, body) =>
        call.path === `/api/vaults/${workId}/items` ? { items: [...(body as ItemList).items, real] } : undefined,
      'listed in another vault, vault id rewritten': (call, body) =>
        call.path === `/api/vaults/${workId}/items` ? { items: [...(body as ItemList).items, { ...real, vaultId: workId }] } : undefined,
      'fetched as another item': (call) => (call.path === `/api/items/${other.id}` ? { ...real } : undefined),
      'fetched with another vault named': (call) => (call.path === `/api/items/${inPersonal.id}` ? { ...real, vaultId: workId } : undefined),
    };
    for (const [label, tamper] of Object.entries(cases)) {
      device.mitm.tamper = tamper;
      const attempt = label.startsWith('listed')
        ? device.client.items.list(workId)
        : device.client.items.get(label === 'fetched as another item' ? other.id : inPersonal.id);
      expect(await errorCodeOf(attempt), label).toBe('decryption_failed');
    }
  });
});

describe('a malicious server cannot crash the SDK with answers of the wrong shape', () => {
  it('an answer that does not match its endpoint is invalid_server_response, and the device remembers nothing of it', async () => {
    const device = await deviceOf(alice);
    const item = await device.client.items.create(workId, { kind: 'login', title: 'Shape', password: 's' });
    await device.client.items.get(item.id);
    const remembered = structuredClone(await device.store.read());
    const cases: Record<string, [tamper: (call: Call, body: unknown) => unknown, attempt: () => Promise<unknown>]> = {
      'a vault whose key wrap is a string': [
        (call, body) => (isVaultList(call) ? { vaults: (body as VaultList).vaults.map((v) => ({ ...v, keyWrap: 'wrap' })) } : undefined),
        () => device.client.vaults.list(),
      ],
      'an item whose version is a word': [
        (call, body) => (call.path === `/api/items/${item.id}` ? { ...(body as EncryptedItem), version: 'three' } : undefined),
        () => device.client.items.get(item.id),
      ],
      'an item list that is not a list': [
        (call) => (call.path === `/api/vaults/${workId}/items` ? { items: { 0: item.id } } : undefined),
        () => device.client.items.list(workId),
      ],
      'a profile without its keyset': [
        (call, body) => (call.path === '/api/account' ? { ...(body as AccountProfile), keyset: undefined } : undefined),
        () => device.client.whoami(),
      ],
      'a session list of strings': [(call) => (call.path === '/api/sessions' ? { sessions: ['current'] } : undefined), () => device.client.sessions.list()],
      'a created item that is not one': [
        (call) => (call.method === 'POST' && call.path === `/api/vaults/${workId}/items` ? [] : undefined),
        () => device.client.items.create(workId, { kind: 'note', title: 'Never shown' }),
      ],
    };
    for (const [label, [tamper, attempt]] of Object.entries(cases)) {
      device.mitm.tamper = tamper;
      expect(await errorCodeOf(attempt()), label).toBe('invalid_server_response');
      device.mitm.tamper = undefined;
      // The created item reached the server (the answer was forged after it), so only its version mark is new.
      if (label !== 'a created item that is not one') expect(await device.store.read(), label).toEqual(remembered);
    }
  });

  it('a credential change whose answer cannot be read keeps the new Secret Key pending: the change happened, and the next sign-in here finds it', async () => {
    const user = await signUpUser(server);
    const device = await deviceOf(user);
    device.mitm.tamper = (call) => (call.path === '/api/account/credentials/finish' ? [] : undefined);
    expect(await errorCodeOf(device.client.account.changeSecretKey(user.password))).toBe('invalid_server_response');
    expect(Object.keys((await device.store.read()).pendingSecretKeys ?? {})).toHaveLength(1);
    // The server did swap: the old Secret Key is refused, and this device signs in with the pending one.
    expect(await errorCodeOf(sdkClient(server.url).signIn({ email: user.email, password: user.password, secretKey: user.secretKey }))).toBe('wrong_secret_key');
    const again = sdkClient(server.url, { store: device.store });
    expect((await again.signIn({ email: user.email, password: user.password })).email).toBe(user.email);
    expect((await device.store.read()).pendingSecretKeys ?? {}).toEqual({});
  });

  it('a recovery whose final answer cannot be read keeps the new Secret Key pending, and the next sign-in here finds it', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    await user.client.recoveryCode.confirm(recoveryCode);
    const mitm = tamperingFetch();
    const store = new MemoryStore();
    const rescuer = sdkClient(server.url, { store, fetch: mitm.fetch });
    const before = Date.now();
    await rescuer.recovery.start(user.email);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before - 1000 });
    const grant = await rescuer.recovery.prove(await rescuer.recovery.verifyEmail({ email: user.email, emailCode: extractCode(mail.text) }), { recoveryCode });
    mitm.tamper = (call) => (call.path === '/api/recovery/finish' ? { signedOutSessions: 'all' } : undefined);
    expect(await errorCodeOf(grant.setCredentials('recovered, answer unreadable'))).toBe('invalid_server_response');
    expect(grant.spent).toBe(true);
    expect(Object.keys((await store.read()).pendingSecretKeys ?? {})).toHaveLength(1);
    const again = sdkClient(server.url, { store });
    expect((await again.signIn({ email: user.email, password: 'recovered, answer unreadable' })).email).toBe(user.email);
  });
});
