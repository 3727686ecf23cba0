/**
 * Item types, custom fields, favourites, tags, search and password history through the SDK
 * against a real server: everything is inside the ciphertext, so the server's rows show none of
 * it, and an item keeps its password history through the Trash and back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
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

const storedRow = (id: string) => server.running.context.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('typed items through the SDK', () => {
  it('stores cards and identities with custom fields, favourites and tags, none of it visible to the server', async () => {
    const card = await user.client.items.create(personal, {
      kind: 'card',
      title: 'Travel Visa',
      card: { cardholder: 'Alice Example', number: '4111 1111 1111 1111', expiry: '09/30', securityCode: '737' },
      fields: [{ label: 'Bank hotline', kind: 'text', value: '+44 20 7946 0001' }],
      favourite: true,
      tags: ['money', 'travel'],
    });
    const person = await user.client.items.create(personal, {
      kind: 'identity',
      title: 'Passport details',
      identity: { fullName: 'Alice Example', email: 'alice@example.org', birthDate: '1990-02-28' },
      fields: [{ label: 'Passport number', kind: 'hidden', value: 'P1234567' }],
      tags: ['travel'],
    });
    expect(await user.client.items.get(card.id)).toMatchObject({ kind: 'card', card: { number: '4111 1111 1111 1111', securityCode: '737' }, favourite: true });
    expect(await user.client.items.get(person.id)).toMatchObject({ kind: 'identity', identity: { fullName: 'Alice Example' } });
    for (const id of [card.id, person.id]) {
      const row = await storedRow(id);
      for (const plain of ['4111', 'Alice', 'travel', 'money', 'P1234567', 'card', 'identity']) expect(JSON.stringify(row)).not.toContain(plain);
    }
  });

  it('refuses a card number on a login and a malformed expiry before anything is sent', async () => {
    expect(await errorCodeOf(user.client.items.create(personal, { kind: 'login', title: 'x', card: { number: '4111111111111111' } }))).toBe('invalid_request');
    expect(await errorCodeOf(user.client.items.create(personal, { kind: 'card', title: 'x', card: { expiry: '2030' } }))).toBe('invalid_request');
  });

  it('lists with a search, a tag or favourites only, and finds nothing for a word that is nowhere', async () => {
    await user.client.items.create(personal, { kind: 'login', title: 'Mail', username: 'alice@mail.example', urls: ['https://mail.example'], tags: ['Work'] });
    const titles = async (filter: Parameters<typeof user.client.items.list>[1]) => (await user.client.items.list(personal, filter)).map((i) => i.title).sort();
    expect(await titles({ search: 'mail.example' })).toEqual(['Mail']);
    expect(await titles({ tag: 'travel' })).toEqual(['Passport details', 'Travel Visa']);
    expect(await titles({ favourite: true })).toEqual(['Travel Visa']);
    expect(await titles({ search: 'passport', tag: 'travel' })).toEqual(['Passport details']);
    expect(await titles({ search: 'nowhere-to-be-found' })).toEqual([]);
    expect(await titles({ search: '4111' })).toEqual([]);
  });

  it('keeps each replaced password with its date, inside the ciphertext, through the Trash and back', async () => {
    const login = await user.client.items.create(personal, { kind: 'login', title: 'Bank', username: 'alice', password: 'first-bank-password' });
    const second = await user.client.items.update(login.id, { password: 'second-bank-password' });
    const before = Date.now();
    const third = await user.client.items.update(login.id, { password: 'third-bank-password' }, second);
    expect(third.passwordHistory?.map((e) => e.password)).toEqual(['second-bank-password', 'first-bank-password']);
    expect(Date.parse(third.passwordHistory![0]!.replacedAt)).toBeGreaterThanOrEqual(before - 1000);
    const renamed = await user.client.items.update(login.id, { title: 'Bank (joint)' });
    expect(renamed.passwordHistory).toHaveLength(2);
    expect(JSON.stringify(await storedRow(login.id))).not.toContain('bank-password');

    await user.client.items.delete(login.id);
    const restored = await user.client.items.restore(personal, login.id);
    expect(restored.passwordHistory?.map((e) => e.password)).toEqual(['second-bank-password', 'first-bank-password']);
    expect((await user.client.items.get(login.id)).passwordHistory).toEqual(restored.passwordHistory);
  });
});
