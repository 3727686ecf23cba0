/**
 * Vaults and items end to end: create/read/edit/delete, optimistic concurrency, and what a
 * malicious server can try with the ciphertexts it stores (swap, move, renumber, roll back):
 * each is noticed by the client instead of showing the wrong secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import { LatchkeyError } from '@latchkey/core/errors';
import { expectApiError, newVaultBody, send, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
let user: TestUser;
let personal: VaultId;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUpUser(server);
  personal = (await user.client.vaults.list())[0]!.id;
});
afterAll(() => server.close());

const db = () => server.running.context.db;

describe('vaults', () => {
  it('creates vaults with encrypted names and finds them by name', async () => {
    const work = await user.client.vaults.create('Work');
    const names = (await user.client.vaults.list()).map((v) => v.name).sort();
    expect(names).toEqual(['Personal', 'Work']);
    expect((await user.client.vaults.find('work')).id).toBe(work.id);
    const row = await db().selectFrom('vaults').select('encrypted_attrs').where('id', '=', work.id).executeTakeFirstOrThrow();
    expect(row.encrypted_attrs).not.toContain('Work');
    expect(await errorCodeOf(user.client.vaults.find('Nope'))).toBe('not_found');
  });

  it('stores each vault key as a signed wrap: version, signer and signature beside the ciphertext', async () => {
    const work = await user.client.vaults.find('Work');
    const row = await db().selectFrom('vault_access').selectAll().where('vault_id', '=', work.id).executeTakeFirstOrThrow();
    const keysetId = (await user.client.whoami()).keyset.id;
    expect(row).toMatchObject({ wrap_version: 1, wrap_signer_keyset_id: keysetId });
    expect(row.wrap_signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(row.wrapped_key).toMatch(/^[A-Za-z0-9_-]{107}$/);
  });

  it('refuses a vault whose key wrap names another keyset as recipient or signer', async () => {
    const other = await signUpUser(server);
    const theirKeyset = (await other.client.whoami()).keyset;
    const mine = (await user.client.whoami()).keyset;
    const token = (await user.store.read()).session!.token;
    const body = await newVaultBody({ keyset: mine });
    for (const keyWrap of [
      { ...body.keyWrap, recipientKeysetId: theirKeyset.id },
      { ...body.keyWrap, signerKeysetId: theirKeyset.id },
    ]) {
      expectApiError(await send(server, { method: 'POST', path: '/api/vaults', token, body: { ...body, keyWrap } }), 'invalid_request');
    }
    expect(await db().selectFrom('vaults').select('id').where('id', '=', body.id).execute()).toEqual([]);
    expectApiError(
      await send(server, { method: 'POST', path: '/api/vaults', token, body: { ...body, keyWrap: { ...body.keyWrap, version: 0 } } }),
      'invalid_request',
    );
    expect((await send(server, { method: 'POST', path: '/api/vaults', token, body })).status).toBe(201);
  });
});

describe('items', () => {
  it('creates, reads, edits and deletes', async () => {
    const created = await user.client.items.create(personal, {
      kind: 'login',
      title: 'Mail',
      username: 'me',
      password: 'p1',
      urls: ['https://mail.example'],
      notes: 'n',
    });
    expect(created.version).toBe(1);
    const got = await user.client.items.get(created.id);
    expect(got).toMatchObject({ title: 'Mail', username: 'me', password: 'p1', urls: ['https://mail.example'], notes: 'n', version: 1 });
    const edited = await user.client.items.update(created.id, { password: 'p2', notes: undefined });
    expect(edited.version).toBe(2);
    const again = await user.client.items.get(created.id);
    expect(again.password).toBe('p2');
    expect(again.notes).toBeUndefined();
    await user.client.items.delete(created.id);
    expect(await errorCodeOf(user.client.items.get(created.id))).toBe('not_found');
  });

  it('rejects a stale edit with a conflict and loses nothing', async () => {
    const item = await user.client.items.create(personal, { kind: 'login', title: 'Shared login', password: 'original' });
    const laptop = server.client();
    await laptop.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const seenByLaptop = await laptop.items.get(item.id);
    await user.client.items.update(item.id, { password: 'changed on phone' });
    const error = await laptop.items.update(item.id, { password: 'changed on laptop' }, seenByLaptop).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('conflict');
    expect((error as LatchkeyError).details).toEqual({ currentVersion: 2 });
    expect((await laptop.items.get(item.id)).password).toBe('changed on phone');
    expect(await errorCodeOf(laptop.items.delete(item.id, seenByLaptop))).toBe('conflict');
  });

  it('lets exactly one of several concurrent edits of the same version win', async () => {
    const item = await user.client.items.create(personal, { kind: 'password', title: 'Race', password: 'v1' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => user.client.items.update(item.id, { password: `v2-${i}` }, item)));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => (r.reason as LatchkeyError).code === 'conflict')).toBe(true);
  });
});

describe('a server tampering with stored ciphertexts is noticed', () => {
  it('swapping two items fails to decrypt', async () => {
    const a = await user.client.items.create(personal, { kind: 'login', title: 'A', password: 'aaa' });
    const b = await user.client.items.create(personal, { kind: 'login', title: 'B', password: 'bbb' });
    const rows = await db().selectFrom('items').select(['id', 'ciphertext']).where('id', 'in', [a.id, b.id]).execute();
    const ct = Object.fromEntries(rows.map((r) => [r.id, r.ciphertext]));
    await db().updateTable('items').set({ ciphertext: ct[b.id]! }).where('id', '=', a.id).execute();
    expect(await errorCodeOf(user.client.items.get(a.id))).toBe('decryption_failed');
    await db().updateTable('items').set({ ciphertext: ct[a.id]! }).where('id', '=', a.id).execute();
  });

  it('moving an item to another vault fails to decrypt', async () => {
    const other = await user.client.vaults.create('Elsewhere');
    const item = await user.client.items.create(personal, { kind: 'login', title: 'Move me', password: 'x' });
    await db().updateTable('items').set({ vault_id: other.id }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('decryption_failed');
    await db().updateTable('items').set({ vault_id: personal }).where('id', '=', item.id).execute();
  });

  it('renumbering an old version as a new one fails to decrypt, and rolling back to an old version is detected', async () => {
    const item = await user.client.items.create(personal, { kind: 'password', title: 'Versions', password: 'old' });
    const v1 = await db().selectFrom('items').select(['ciphertext']).where('id', '=', item.id).executeTakeFirstOrThrow();
    await user.client.items.update(item.id, { password: 'new' });
    await user.client.items.get(item.id);
    await db().updateTable('items').set({ ciphertext: v1.ciphertext }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('decryption_failed');
    await db().updateTable('items').set({ version: 1 }).where('id', '=', item.id).execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('rollback_detected');
    expect(await errorCodeOf(user.client.items.list(personal))).toBe('rollback_detected');
  });

  it('bringing back an item this device deleted is detected', async () => {
    const vault = await user.client.vaults.create('Deleted things');
    const kept = await user.client.items.create(vault.id, { kind: 'note', title: 'Kept' });
    const item = await user.client.items.create(vault.id, { kind: 'login', title: 'Old bank', password: 'gone' });
    await user.client.items.update(item.id, { password: 'still gone' });
    const lastRow = await db().selectFrom('items').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
    await user.client.items.delete(item.id);
    expect((await user.client.items.list(vault.id)).map((i) => i.id)).toEqual([kept.id]);

    // The server puts the deleted item back, exactly as it was at its last live version.
    await db()
      .updateTable('items')
      .set({ ...lastRow, deleted_at: null })
      .where('id', '=', item.id)
      .execute();
    expect(await errorCodeOf(user.client.items.get(item.id))).toBe('rollback_detected');
    expect(await errorCodeOf(user.client.items.list(vault.id))).toBe('rollback_detected');
    // A device that never saw the deletion cannot tell (a documented limit).
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    expect((await fresh.items.get(item.id)).password).toBe('still gone');
  });
});
