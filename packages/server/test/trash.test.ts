/**
 * The Trash (docs/protocol.md §8.4) end to end through the SDK: deleting moves an item there as
 * a new version, restoring brings it back decrypting with its content and its version history
 * going on; purging one item or emptying the Trash deletes the rows; 30 days after a deletion the
 * server deletes it on its own; who may do what on a shared vault; and what a server can try with
 * the rows it keeps: showing a trashed item as live, an old live version after a deletion, or a
 * purged item again, each noticed instead of shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import { expectApiError, send, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { TRASH_RETENTION_MS } from '../src/services/trash.ts';
import { errorCodeOf } from './helpers/error-code.ts';
import { addMember, createHttpOrganization, orgPerson, share, sharedVaultOf } from './helpers/org-http.ts';

let server: TestServer;
let user: TestUser;
let vault: VaultId;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUpUser(server);
  vault = (await user.client.vaults.create('Trash tests')).id;
});
afterAll(() => server.close());

const db = () => server.running.context.db;
const rowOf = (id: string) => db().selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
const tokenOf = async (u: TestUser) => (await u.store.read()).session!.token;

describe('the Trash', () => {
  it('delete moves an item to the Trash; restore brings it back with its content and its versions going on', async () => {
    const created = await user.client.items.create(vault, { kind: 'login', title: 'Bank', username: 'me', password: 'p1', urls: ['https://bank.example'] });
    const edited = await user.client.items.update(created.id, { password: 'p2', notes: 'second' });
    const trashed = await user.client.items.delete(created.id, edited);
    expect(trashed).toMatchObject({ version: 3, title: 'Bank', password: 'p2' });
    expect((await rowOf(created.id))?.deleted_at).toBeInstanceOf(Date);

    expect((await user.client.items.list(vault)).map((i) => i.id)).not.toContain(created.id);
    expect(await errorCodeOf(user.client.items.get(created.id))).toBe('not_found');
    expect(await errorCodeOf(user.client.items.update(created.id, { title: 'edit in the Trash' }, edited))).toBe('not_found');
    const inTrash = await user.client.items.trash(vault);
    expect(inTrash).toHaveLength(1);
    expect(inTrash[0]).toMatchObject({ id: created.id, version: 3, password: 'p2', notes: 'second', deletedAt: trashed.deletedAt });

    // Another device sees and restores it; the first device reads it at the new version.
    const laptop = server.client();
    await laptop.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const restored = await laptop.items.restore(vault, created.id);
    expect(restored.version).toBe(4);
    expect(await user.client.items.trash(vault)).toEqual([]);
    const back = await user.client.items.get(created.id);
    expect(back).toMatchObject({ title: 'Bank', username: 'me', password: 'p2', notes: 'second', urls: ['https://bank.example'], version: 4 });
    expect((await rowOf(created.id))?.deleted_at).toBeNull();
    expect((await user.client.items.update(created.id, { password: 'p3' })).version).toBe(5);
    // A restore of what is no longer in the Trash names nothing.
    expect(await errorCodeOf(user.client.items.restore(vault, created.id))).toBe('not_found');
  });

  it('a stale deletion or restore is a conflict and changes nothing', async () => {
    const item = await user.client.items.create(vault, { kind: 'note', title: 'Raced' });
    await user.client.items.update(item.id, { title: 'Raced, edited' });
    expect(await errorCodeOf(user.client.items.delete(item.id, item))).toBe('conflict');
    const current = await user.client.items.get(item.id);
    const trashed = await user.client.items.delete(item.id, current);
    const token = await tokenOf(user);
    expectApiError(
      await send(server, { method: 'POST', path: `/api/vaults/${vault}/trash/${item.id}/restore`, token, body: { expectedVersion: 2, ciphertext: 'AAAA' } }),
      'conflict',
    );
    expectApiError(await send(server, { method: 'DELETE', path: `/api/vaults/${vault}/trash/${item.id}`, token, body: { expectedVersion: 2 } }), 'conflict');
    expect((await user.client.items.trash(vault)).map((i) => [i.id, i.version])).toEqual([[item.id, trashed.version]]);
    await user.client.items.purge(vault, item.id);
  });

  it('purge and empty delete the rows; a server showing a purged item again is rollback_detected', async () => {
    const one = await user.client.items.create(vault, { kind: 'login', title: 'One', password: 'x1' });
    const two = await user.client.items.create(vault, { kind: 'login', title: 'Two', password: 'x2' });
    const three = await user.client.items.create(vault, { kind: 'login', title: 'Three', password: 'x3' });
    const liveRow = await rowOf(one.id);
    for (const i of [one, two, three]) await user.client.items.delete(i.id, i);
    const trashedRow = await rowOf(one.id);
    await user.client.items.purge(vault, one.id);
    expect(await rowOf(one.id)).toBeUndefined();
    expect(await user.client.items.emptyTrash(vault)).toBe(2);
    expect(await rowOf(two.id)).toBeUndefined();
    expect(await rowOf(three.id)).toBeUndefined();
    expect(await user.client.items.trash(vault)).toEqual([]);

    // The server kept the trashed row and shows it in the Trash again.
    await db().insertInto('items').values(trashedRow!).execute();
    expect(await errorCodeOf(user.client.items.trash(vault))).toBe('rollback_detected');
    // Or puts back the item as it was before its deletion.
    await db().deleteFrom('items').where('id', '=', one.id).execute();
    await db().insertInto('items').values(liveRow!).execute();
    expect(await errorCodeOf(user.client.items.list(vault))).toBe('rollback_detected');
    expect(await errorCodeOf(user.client.items.get(one.id))).toBe('rollback_detected');
    await db().deleteFrom('items').where('id', '=', one.id).execute();
  });

  it('a server cannot show a trashed item as live, nor an old version of it after the deletion', async () => {
    const item = await user.client.items.create(vault, { kind: 'login', title: 'Flip', password: 'f' });
    const liveRow = await rowOf(item.id);
    await user.client.items.delete(item.id, item);
    // The flag flipped back: the ciphertext is sealed as trashed, so it does not open as a live item.
    await db().updateTable('items').set({ deleted_at: null }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('decryption_failed');
    expect(await errorCodeOf(user.client.items.list(vault))).toBe('decryption_failed');
    // The live row from before the deletion: an older version than this device has seen.
    await db().updateTable('items').set({ ciphertext: liveRow!.ciphertext, version: liveRow!.version }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('rollback_detected');
    // A live item listed as trashed does not open either.
    await db().updateTable('items').set({ deleted_at: new Date(), version: 2 }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.trash(vault))).toBe('decryption_failed');
    await db().deleteFrom('items').where('id', '=', item.id).execute();
  });

  it('on a shared vault, view may look in the Trash but not change it; edit may do everything', async () => {
    const owner = await orgPerson(server, user);
    const member = await signUpUser(server);
    const memberPerson = await orgPerson(server, member);
    const org = await createHttpOrganization(server, owner);
    await addMember(server, org, memberPerson, 'member');
    const viewOnly = await sharedVaultOf(server, owner);
    const editable = await sharedVaultOf(server, owner);
    await share(server, org, viewOnly, owner, memberPerson, 'view');
    await share(server, org, editable, owner, memberPerson, 'edit');
    const viewId = viewOnly.id as VaultId;
    const editId = editable.id as VaultId;
    const kept = await user.client.items.create(viewId, { kind: 'note', title: 'Viewed' });
    const inViewTrash = await user.client.items.create(viewId, { kind: 'note', title: 'In the view Trash' });
    await user.client.items.delete(inViewTrash.id, inViewTrash);
    const inEdit = await user.client.items.create(editId, { kind: 'note', title: 'Editable' });

    expect((await member.client.items.trash(viewId)).map((i) => i.title)).toEqual(['In the view Trash']);
    expect(await errorCodeOf(member.client.items.delete(kept.id))).toBe('forbidden');
    expect(await errorCodeOf(member.client.items.restore(viewId, inViewTrash.id))).toBe('forbidden');
    expect(await errorCodeOf(member.client.items.purge(viewId, inViewTrash.id))).toBe('forbidden');
    expect(await errorCodeOf(member.client.items.emptyTrash(viewId))).toBe('forbidden');
    expect((await user.client.items.trash(viewId)).map((i) => i.id)).toEqual([inViewTrash.id]);
    expect((await user.client.items.list(viewId)).map((i) => i.id)).toEqual([kept.id]);

    await member.client.items.delete(inEdit.id);
    expect((await user.client.items.trash(editId)).map((i) => i.title)).toEqual(['Editable']);
    expect((await member.client.items.restore(editId, inEdit.id)).title).toBe('Editable');
    await member.client.items.delete(inEdit.id);
    expect(await member.client.items.emptyTrash(editId)).toBe(1);
    expect(await rowOf(inEdit.id)).toBeUndefined();

    // Someone without access gets not_found, as for any vault of another's.
    const stranger = await signUpUser(server);
    expectApiError(await send(server, { method: 'GET', path: `/api/vaults/${viewId}/trash`, token: await tokenOf(stranger) }), 'not_found');
    expectApiError(await send(server, { method: 'DELETE', path: `/api/vaults/${viewId}/trash`, token: await tokenOf(stranger) }), 'not_found');
    expect((await user.client.items.trash(viewId)).map((i) => i.id)).toEqual([inViewTrash.id]);
  });
});

describe('30 days after a deletion', () => {
  it('the server deletes the item on its own, and only what is older than 30 days', async () => {
    const clockServer = await startTestServer();
    try {
      const owner = await signUpUser(clockServer);
      const personal = (await owner.client.vaults.list())[0]!.id;
      const old = await owner.client.items.create(personal, { kind: 'note', title: 'Old' });
      await owner.client.items.delete(old.id, old);
      clockServer.advanceClock(TRASH_RETENTION_MS - 3600_000);
      // Sessions do not last a month: a fresh sign-in at the later time.
      const later = clockServer.client();
      await later.signIn({ email: owner.email, password: owner.password, secretKey: owner.secretKey });
      const recent = await later.items.create(personal, { kind: 'note', title: 'Recent' });
      await later.items.delete(recent.id, recent);
      expect((await later.items.trash(personal)).map((i) => i.title)).toEqual(['Recent', 'Old']);
      clockServer.advanceClock(2 * 3600_000);
      expect((await later.items.trash(personal)).map((i) => i.title)).toEqual(['Recent']);
      const left = await clockServer.running.context.db.selectFrom('items').select('id').where('id', 'in', [old.id, recent.id]).execute();
      expect(left.map((r) => r.id)).toEqual([recent.id]);
    } finally {
      await clockServer.close();
    }
  });
});
