/**
 * Renaming and deleting vaults, and moving items between them (docs/protocol.md §8.6, §8.7), end
 * to end through the SDK and the routes: a new name reaches every reader; deleting says first
 * what goes (items, Trash, shares, escrows), deletes exactly that or, if the vault changed
 * meanwhile, nothing; only the owner may delete, never the Personal vault; a deleted vault and its
 * items shown again by the server are refused. A moved item is re-sealed under the target vault's
 * key as a new version, in one vault only, keeps its Trash behaviour there; moving without write
 * access, to a vault that does not exist, or from a stale version fails and changes nothing; a
 * server showing the copy left behind in the old vault is noticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemId, VaultId } from '@latchkey/core/ids';
import type { EncryptedItem, ItemList, VaultList } from '@latchkey/core/wire/vaults';
import { MemoryStore } from '@latchkey/client/local-store';
import { expectApiError, sdkClient, send, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';
import { addMember, createHttpOrganization, ensureRecoveryGroup, escrowBody, orgPerson, share, sharedVaultOf } from './helpers/org-http.ts';
import { tamperingFetch } from './helpers/tampering-fetch.ts';

let server: TestServer;
let user: TestUser;
let personal: VaultId;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUpUser(server);
  personal = (await user.client.vaults.list()).find((v) => v.kind === 'personal')!.id;
});
afterAll(() => server.close());

const db = () => server.running.context.db;
const rowOf = (id: string) => db().selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
const tokenOf = async (u: TestUser) => (await u.store.read()).session!.token;
const vaultRows = async (id: string) => ({
  vaults: (await db().selectFrom('vaults').select('id').where('id', '=', id).execute()).length,
  access: (await db().selectFrom('vault_access').select('vault_id').where('vault_id', '=', id).execute()).length,
  items: (await db().selectFrom('items').select('id').where('vault_id', '=', id).execute()).length,
  shares: (await db().selectFrom('vault_shares').select('id').where('vault_id', '=', id).execute()).length,
  escrows: (await db().selectFrom('recovery_escrow').select('vault_id').where('vault_id', '=', id).execute()).length,
});

/** A second device of `u`, talking through a tampering fetch. */
async function deviceOf(u: TestUser) {
  const mitm = tamperingFetch();
  const store = new MemoryStore();
  const client = sdkClient(server.url, { store, fetch: mitm.fetch });
  await db().deleteFrom('rate_limits').where('bucket', 'like', 'signIn%').execute();
  await client.signIn({ email: u.email, password: u.password, secretKey: u.secretKey });
  return { client, mitm };
}

describe('renaming a vault', () => {
  it('the new name is sealed under the vault key and reaches other devices; a manage share may rename, edit and view may not', async () => {
    const vault = await user.client.vaults.create('Old name');
    const before = (await db().selectFrom('vaults').select('encrypted_attrs').where('id', '=', vault.id).executeTakeFirstOrThrow()).encrypted_attrs;
    expect(await user.client.vaults.rename(vault.id, 'New name')).toEqual({ id: vault.id, name: 'New name' });
    const after = (await db().selectFrom('vaults').select('encrypted_attrs').where('id', '=', vault.id).executeTakeFirstOrThrow()).encrypted_attrs;
    expect(after).not.toBe(before);
    expect(after).not.toContain('New');
    const laptop = await deviceOf(user);
    expect((await laptop.client.vaults.list()).find((v) => v.id === vault.id)?.name).toBe('New name');
    expect(await errorCodeOf(user.client.vaults.rename(vault.id, '  '))).toBe('invalid_request');

    const owner = await orgPerson(server, user);
    const member = await signUpUser(server);
    const memberPerson = await orgPerson(server, member);
    const org = await createHttpOrganization(server, owner);
    await addMember(server, org, memberPerson, 'member');
    const managed = await sharedVaultOf(server, owner);
    const edited = await sharedVaultOf(server, owner);
    await share(server, org, managed, owner, memberPerson, 'manage');
    await share(server, org, edited, owner, memberPerson, 'edit');
    await member.client.vaults.rename(managed.id as VaultId, 'Renamed by a manager');
    expect((await user.client.vaults.list()).find((v) => v.id === managed.id)?.name).toBe('Renamed by a manager');
    expect(await errorCodeOf(member.client.vaults.rename(edited.id as VaultId, 'Not allowed'))).toBe('forbidden');
    // The server refuses on its own too, whatever a client checks first.
    const res = await send(server, { method: 'PUT', path: `/api/vaults/${edited.id}`, token: await tokenOf(member), body: { encryptedAttrs: 'AAAA' } });
    expectApiError(res, 'forbidden');
    const stranger = await signUpUser(server);
    expectApiError(
      await send(server, { method: 'PUT', path: `/api/vaults/${vault.id}`, token: await tokenOf(stranger), body: { encryptedAttrs: 'AAAA' } }),
      'not_found',
    );
    expect((await user.client.vaults.list()).find((v) => v.id === edited.id)?.name).toBe('Shared');
  });
});

describe('deleting a vault', () => {
  it('says first what goes, then deletes the vault with its items and its Trash, and only that', async () => {
    const vault = await user.client.vaults.create('To delete');
    const a = await user.client.items.create(vault.id, { kind: 'login', title: 'A', password: 'pa' });
    const b = await user.client.items.create(vault.id, { kind: 'note', title: 'B' });
    await user.client.items.delete(b.id, b);
    const elsewhere = await user.client.items.create(personal, { kind: 'note', title: 'Stays' });

    const plan = await user.client.vaults.describeDeletion(vault.id);
    expect(plan.vault.name).toBe('To delete');
    expect(plan.items.map((i) => i.title)).toEqual(['A']);
    expect(plan.trashed.map((i) => i.title)).toEqual(['B']);
    expect(plan.shares).toEqual([]);

    await user.client.unlock(user.password);
    expect(await user.client.vaults.delete(plan)).toBe(2);
    expect(await vaultRows(vault.id)).toEqual({ vaults: 0, access: 0, items: 0, shares: 0, escrows: 0 });
    expect(await rowOf(a.id)).toBeUndefined();
    expect((await user.client.items.get(elsewhere.id)).title).toBe('Stays');
    expect((await user.client.vaults.list()).map((v) => v.id)).not.toContain(vault.id);
    const log = await user.client.securityLog();
    expect(log.some((e) => e.type === 'vault.deleted' && e.detail.vault === vault.id)).toBe(true);
  });

  it('an item added after the person was told is a conflict, and nothing is deleted', async () => {
    const vault = await user.client.vaults.create('Changed meanwhile');
    await user.client.items.create(vault.id, { kind: 'note', title: 'Known' });
    const plan = await user.client.vaults.describeDeletion(vault.id);
    const laptop = await deviceOf(user);
    await laptop.client.items.create(vault.id, { kind: 'note', title: 'Added on the laptop' });
    await user.client.unlock(user.password);
    expect(await errorCodeOf(user.client.vaults.delete(plan))).toBe('conflict');
    expect(await vaultRows(vault.id)).toMatchObject({ vaults: 1, access: 1, items: 2 });
    // Told again, the person can delete it.
    const again = await user.client.vaults.describeDeletion(vault.id);
    expect(again.items).toHaveLength(2);
    expect(await user.client.vaults.delete(again)).toBe(2);
  });

  it('needs a recent re-authentication; the Personal vault cannot be deleted; only the owner may delete', async () => {
    const clockServer = await startTestServer();
    try {
      const owner = await signUpUser(clockServer);
      const vault = await owner.client.vaults.create('Guarded');
      const plan = await owner.client.vaults.describeDeletion(vault.id);
      clockServer.advanceClock(6 * 60_000);
      expect(await errorCodeOf(owner.client.vaults.delete(plan))).toBe('reauthentication_required');
      await owner.client.unlock(owner.password);
      const ownPersonal = (await owner.client.vaults.list()).find((v) => v.kind === 'personal')!;
      expect(await errorCodeOf(owner.client.vaults.describeDeletion(ownPersonal.id))).toBe('invalid_request');
      const token = (await owner.store.read()).session!.token;
      const res = await send(clockServer, {
        method: 'DELETE',
        path: `/api/vaults/${ownPersonal.id}`,
        token,
        body: { expectedItemCount: 0, expectedShareCount: 0 },
      });
      expectApiError(res, 'invalid_request');
      expect(await owner.client.vaults.delete(plan)).toBe(0);
    } finally {
      await clockServer.close();
    }

    const owner = await orgPerson(server, user);
    const member = await signUpUser(server);
    const memberPerson = await orgPerson(server, member);
    const org = await createHttpOrganization(server, owner);
    await addMember(server, org, memberPerson, 'member');
    const managed = await sharedVaultOf(server, owner);
    await share(server, org, managed, owner, memberPerson, 'manage');
    await member.client.unlock(member.password);
    expect(await errorCodeOf(member.client.vaults.describeDeletion(managed.id as VaultId))).toBe('forbidden');
    const res = await send(server, {
      method: 'DELETE',
      path: `/api/vaults/${managed.id}`,
      token: await tokenOf(member),
      body: { expectedItemCount: 0, expectedShareCount: 1 },
    });
    expectApiError(res, 'forbidden');
    expect(await vaultRows(managed.id)).toMatchObject({ vaults: 1, shares: 1 });
  });

  it('a shared and escrowed vault: the plan names the shares and the Recovery Group; both go with it, and each organization logs it', async () => {
    const owner = await orgPerson(server, user);
    const member = await signUpUser(server);
    const memberPerson = await orgPerson(server, member);
    const org = await createHttpOrganization(server, owner);
    await addMember(server, org, memberPerson, 'member');
    const vault = await sharedVaultOf(server, owner);
    const vaultId = vault.id as VaultId;
    await share(server, org, vault, owner, memberPerson, 'edit');
    const recoveryGroup = await ensureRecoveryGroup(server, org);
    const escrow = await send(server, {
      method: 'PUT',
      path: `/api/vaults/${vaultId}/recovery-escrows/${org.id}`,
      token: owner.token,
      body: await escrowBody(vault, owner, recoveryGroup),
    });
    expect(escrow.status).toBe(200);
    await member.client.items.create(vaultId, { kind: 'note', title: "The member's note" });

    const plan = await user.client.vaults.describeDeletion(vaultId);
    expect(plan.shares.map((s) => s.email)).toEqual([member.email]);
    expect(plan.items.map((i) => i.title)).toEqual(["The member's note"]);
    expect(plan.recoverableBy.map((r) => r.organizationId)).toContain(org.id);
    // Told of no share, the server refuses: the person did not agree to take it from anyone.
    await user.client.unlock(user.password);
    expect(await errorCodeOf(user.client.vaults.delete({ ...plan, shares: [] }))).toBe('conflict');
    const escrowsBefore = (await vaultRows(vaultId)).escrows;
    expect(escrowsBefore).toBeGreaterThanOrEqual(1);
    expect(await vaultRows(vaultId)).toMatchObject({ vaults: 1, shares: 1, items: 1 });

    expect(await user.client.vaults.delete(plan)).toBe(1);
    expect(await vaultRows(vaultId)).toEqual({ vaults: 0, access: 0, items: 0, shares: 0, escrows: 0 });
    expect((await member.client.vaults.list()).map((v) => v.id)).not.toContain(vaultId);
    expect(await errorCodeOf(member.client.items.list(vaultId))).toBe('not_found');
    const events = await db().selectFrom('organization_events').selectAll().where('organization_id', '=', org.id).where('type', '=', 'vault.deleted').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.actor_user_id).toBe(owner.id);
    const detail: unknown = events[0]!.detail;
    expect(typeof detail === 'string' ? JSON.parse(detail) : detail).toEqual({ vault: vaultId, shares: 1, escrowed: true });
  });

  it('a server showing the deleted vault again is refused on the device that deleted it', async () => {
    const device = await deviceOf(user);
    const vault = await device.client.vaults.create('Deleted, then shown again');
    await device.client.items.create(vault.id, { kind: 'note', title: 'Gone' });
    await device.client.vaults.list();
    const listed = device.mitm.seen.filter((s) => s.call.method === 'GET' && s.call.path === '/api/vaults').at(-1)!.body as VaultList;
    const plan = await device.client.vaults.describeDeletion(vault.id);
    await device.client.unlock(user.password);
    await device.client.vaults.delete(plan);
    device.mitm.tamper = (call) => (call.method === 'GET' && call.path === '/api/vaults' ? listed : undefined);
    expect(await errorCodeOf(device.client.vaults.list())).toBe('rollback_detected');
    device.mitm.tamper = undefined;
    expect((await device.client.vaults.list()).map((v) => v.id)).not.toContain(vault.id);
  });
});

describe('moving an item between vaults', () => {
  it('re-seals it under the target vault key as a new version, in the target vault only; its Trash behaviour goes with it', async () => {
    const work = await user.client.vaults.create('Work');
    const created = await user.client.items.create(personal, {
      kind: 'login',
      title: 'VPN',
      username: 'me',
      password: 'vpn-pass',
      urls: ['https://vpn.example'],
    });
    const oldCiphertext = (await rowOf(created.id))!.ciphertext;
    const moved = await user.client.items.move(created.id, work.id, created);
    expect(moved).toMatchObject({ id: created.id, vaultId: work.id, version: 2, title: 'VPN', password: 'vpn-pass' });
    const row = (await rowOf(created.id))!;
    expect(row.vault_id).toBe(work.id);
    expect(row.version).toBe(2);
    expect(row.ciphertext).not.toBe(oldCiphertext);
    expect((await user.client.items.list(personal)).map((i) => i.id)).not.toContain(created.id);
    expect((await user.client.items.list(work.id)).map((i) => i.id)).toEqual([created.id]);

    // Another device reads it where it is now; deleting puts it in the target vault's Trash, restoring brings it back there.
    const laptop = await deviceOf(user);
    expect(await laptop.client.items.get(created.id)).toMatchObject({ vaultId: work.id, version: 2, username: 'me' });
    const trashed = await laptop.client.items.delete(created.id);
    expect(trashed.version).toBe(3);
    expect((await user.client.items.trash(work.id)).map((i) => i.id)).toEqual([created.id]);
    expect(await user.client.items.trash(personal)).toEqual([]);
    expect((await user.client.items.restore(work.id, created.id)).version).toBe(4);
    // A trashed item is moved only after it is restored, like an edit.
    const inTrash = await user.client.items.create(personal, { kind: 'note', title: 'In the Trash' });
    await user.client.items.delete(inTrash.id, inTrash);
    expect(await errorCodeOf(user.client.items.move(inTrash.id, work.id, inTrash))).toBe('not_found');
    expect((await rowOf(inTrash.id))!.vault_id).toBe(personal);
    const log = await user.client.securityLog();
    expect(log.some((e) => e.type === 'item.moved' && e.detail.item === created.id && e.detail.to === work.id)).toBe(true);
  });

  it('a stale version is a conflict; a vault that does not exist or cannot be written is refused; nothing moves', async () => {
    const work = await user.client.vaults.create('Work 2');
    const item = await user.client.items.create(personal, { kind: 'note', title: 'Stays put' });
    const edited = await user.client.items.update(item.id, { notes: 'newer' }, item);
    expect(await errorCodeOf(user.client.items.move(item.id, work.id, item))).toBe('conflict');
    expect(await rowOf(item.id)).toMatchObject({ vault_id: personal, version: 2 });
    // The same through the route, with the current version in the answer.
    const ciphertext = Buffer.from(crypto.getRandomValues(new Uint8Array(60))).toString('base64url');
    const token = await tokenOf(user);
    const stale = await send(server, {
      method: 'POST',
      path: `/api/items/${item.id}/move`,
      token,
      body: { fromVaultId: personal, toVaultId: work.id, expectedVersion: 1, ciphertext },
    });
    expectApiError(stale, 'conflict');
    expect((stale.json as { error: { details: { currentVersion: number } } }).error.details.currentVersion).toBe(2);

    const nowhere = crypto.randomUUID() as VaultId;
    expect(await errorCodeOf(user.client.items.move(item.id, nowhere, edited))).toBe('not_found');
    const res = await send(server, {
      method: 'POST',
      path: `/api/items/${item.id}/move`,
      token,
      body: { fromVaultId: personal, toVaultId: nowhere, expectedVersion: 2, ciphertext },
    });
    expectApiError(res, 'not_found');
    const same = await send(server, {
      method: 'POST',
      path: `/api/items/${item.id}/move`,
      token,
      body: { fromVaultId: personal, toVaultId: personal, expectedVersion: 2, ciphertext },
    });
    expectApiError(same, 'invalid_request');

    // A vault shared to view: the member can neither move into it nor out of it.
    const owner = await orgPerson(server, user);
    const member = await signUpUser(server);
    const memberPerson = await orgPerson(server, member);
    const org = await createHttpOrganization(server, owner);
    await addMember(server, org, memberPerson, 'member');
    const viewOnly = await sharedVaultOf(server, owner);
    const viewId = viewOnly.id as VaultId;
    await share(server, org, viewOnly, owner, memberPerson, 'view');
    const memberPersonal = (await member.client.vaults.list()).find((v) => v.kind === 'personal')!.id;
    const mine = await member.client.items.create(memberPersonal, { kind: 'note', title: "Member's" });
    expect(await errorCodeOf(member.client.items.move(mine.id, viewId, mine))).toBe('forbidden');
    const theirs = await user.client.items.create(viewId, { kind: 'note', title: "Owner's, viewed" });
    expect(await errorCodeOf(member.client.items.move(theirs.id, memberPersonal))).toBe('forbidden');
    expect(await rowOf(mine.id)).toMatchObject({ vault_id: memberPersonal, version: 1 });
    expect(await rowOf(theirs.id)).toMatchObject({ vault_id: viewId, version: 1 });
    // Someone without any access: A's item and vaults do not exist for them.
    const stranger = await signUpUser(server);
    const strangerPersonal = (await stranger.client.vaults.list())[0]!.id;
    const grab = await send(server, {
      method: 'POST',
      path: `/api/items/${item.id}/move`,
      token: await tokenOf(stranger),
      body: { fromVaultId: personal, toVaultId: strangerPersonal, expectedVersion: 2, ciphertext },
    });
    expectApiError(grab, 'not_found');
    expect(await rowOf(item.id)).toMatchObject({ vault_id: personal, version: 2 });
  });

  it('a server showing the copy left behind in the old vault, or the moved copy in the old vault, is noticed', async () => {
    const device = await deviceOf(user);
    const work = await device.client.vaults.create('Work 3');
    const item = await device.client.items.create(personal, { kind: 'login', title: 'Moved away', password: 'moved-pass' });
    await device.client.items.list(personal);
    const oldListing = device.mitm.seen.filter((s) => s.call.path === `/api/vaults/${personal}/items`).at(-1)!.body as ItemList;
    const oldEntry = oldListing.items.find((i) => i.id === item.id)!;
    await device.client.items.move(item.id, work.id, item);

    // The old copy, still in the old vault's listing and as the fetched item: an older version than the move made.
    device.mitm.tamper = (call, body) =>
      call.method === 'GET' && call.path === `/api/vaults/${personal}/items` ? { items: [...(body as ItemList).items, oldEntry] } : undefined;
    expect(await errorCodeOf(device.client.items.list(personal))).toBe('rollback_detected');
    device.mitm.tamper = (call) => (call.method === 'GET' && call.path === `/api/items/${item.id}` ? oldEntry : undefined);
    expect(await errorCodeOf(device.client.items.get(item.id))).toBe('rollback_detected');
    // The new copy listed in the old vault does not open there.
    const moved = (await device.client.items.list(work.id)).find((i) => i.id === item.id)!;
    expect(moved.version).toBe(2);
    const newEntry = device.mitm.seen.filter((s) => s.call.path === `/api/vaults/${work.id}/items`).at(-1)!.body as ItemList;
    device.mitm.tamper = (call, body) =>
      call.method === 'GET' && call.path === `/api/vaults/${personal}/items`
        ? { items: [...(body as ItemList).items, { ...(newEntry.items.find((i) => i.id === item.id) as EncryptedItem), vaultId: personal }] }
        : undefined;
    expect(await errorCodeOf(device.client.items.list(personal))).toBe('decryption_failed');
    device.mitm.tamper = undefined;
    expect((await device.client.items.list(personal)).map((i) => i.id as ItemId)).not.toContain(item.id);
  });
});
