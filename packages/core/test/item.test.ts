/** Items: encrypted whole, bound to vault, item id and version; field validation. */
import { describe, expect, it } from 'vitest';
import { associatedData } from '../src/associated-data.ts';
import { utf8 } from '../src/bytes.ts';
import { decryptItem, encryptItem, ITEM_KINDS, validateItemFields, type ItemFields, type ItemRef } from '../src/item.ts';
import { sealBox } from '../src/sealed-box.ts';
import { createVaultKey, importVaultKey } from '../src/vault-key.ts';
import { expectLatchkeyError, expectLatchkeyErrorSync } from './helpers/errors.ts';

const ref: ItemRef = { vaultId: '6f1c2a7e-1111-4222-8333-444455556666', itemId: '9d8c7b6a-0000-4111-8222-333344445555', version: 3 };
const login: ItemFields = {
  kind: 'login',
  title: 'Example',
  username: 'alice@example.org',
  password: 'hunter2 ✓',
  urls: ['https://example.org/login', 'https://example.org'],
  notes: 'line 1\nline 2',
  totp: 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example',
};

describe('item encryption', () => {
  it('round trips every kind', async () => {
    const key = await importVaultKey(createVaultKey());
    for (const fields of [login, { kind: 'note', title: 'Note', notes: 'text' }, { kind: 'password', title: 'PIN', password: '1234' }] as ItemFields[]) {
      const ct = await encryptItem(key, ref, fields);
      expect(await decryptItem(key, ref, ct)).toEqual(fields);
    }
  });

  it('does not contain the plaintext', async () => {
    const key = await importVaultKey(createVaultKey());
    const ct = await encryptItem(key, ref, login);
    expect(ct).not.toContain('hunter2');
    expect(ct).not.toContain(Buffer.from('hunter2').toString('base64url'));
  });

  it('fails with decryption_failed when swapped to another item, moved to another vault or renumbered', async () => {
    const key = await importVaultKey(createVaultKey());
    const ct = await encryptItem(key, ref, login);
    const moves: ItemRef[] = [
      { ...ref, itemId: crypto.randomUUID() },
      { ...ref, vaultId: crypto.randomUUID() },
      { ...ref, version: ref.version + 1 }, // an old version presented under a new number
      { ...ref, version: ref.version - 1 },
      { vaultId: ref.itemId, itemId: ref.vaultId, version: ref.version },
    ];
    for (const m of moves) await expectLatchkeyError(() => decryptItem(key, m, ct), 'decryption_failed');
  });

  it('a swap of two items in one vault fails both ways', async () => {
    const key = await importVaultKey(createVaultKey());
    const a: ItemRef = { ...ref, itemId: crypto.randomUUID() };
    const b: ItemRef = { ...ref, itemId: crypto.randomUUID() };
    const ctA = await encryptItem(key, a, { kind: 'password', title: 'A', password: 'a' });
    const ctB = await encryptItem(key, b, { kind: 'password', title: 'B', password: 'b' });
    await expectLatchkeyError(() => decryptItem(key, a, ctB), 'decryption_failed');
    await expectLatchkeyError(() => decryptItem(key, b, ctA), 'decryption_failed');
  });

  it('fails with decryption_failed under another vault key', async () => {
    const ct = await encryptItem(await importVaultKey(createVaultKey()), ref, login);
    await expectLatchkeyError(async () => decryptItem(await importVaultKey(createVaultKey()), ref, ct), 'decryption_failed');
  });

  it('fails with decryption_failed when the authenticated content is not a valid item', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });
    for (const content of [utf8('not json'), utf8('{"kind":"login"}'), utf8('null'), new Uint8Array([0xff, 0xfe])]) {
      await expectLatchkeyError(async () => decryptItem(key, ref, await sealBox(key, content, ad)), 'decryption_failed');
    }
  });

  it('refuses to encrypt invalid fields with invalid_request', async () => {
    const key = await importVaultKey(createVaultKey());
    await expectLatchkeyError(() => encryptItem(key, ref, { kind: 'login', title: '' }), 'invalid_request');
  });
});

describe('validateItemFields', () => {
  it('accepts every kind with only a title', () => {
    for (const kind of ITEM_KINDS) expect(validateItemFields({ kind, title: 't' })).toEqual({ kind, title: 't' });
  });

  it('rejects bad shapes with invalid_request', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'login',
      42,
      [],
      [{ kind: 'login', title: 't' }],
      {},
      { kind: 'bogus', title: 't' },
      { kind: 'LOGIN', title: 't' },
      { kind: 'toString', title: 't' },
      { title: 't' },
      { kind: 'login' },
      { kind: 'login', title: '' },
      { kind: 'login', title: '   \n' },
      { kind: 'login', title: 5 },
      { kind: 'login', title: ['t'] },
      { kind: 'login', title: 't', username: 1 },
      { kind: 'login', title: 't', password: null },
      { kind: 'login', title: 't', notes: {} },
      { kind: 'login', title: 't', totp: false },
      { kind: 'login', title: 't', urls: 'https://example.org' },
      { kind: 'login', title: 't', urls: ['https://example.org', 3] },
      { kind: 'login', title: 't', urls: { 0: 'x', length: 1 } },
      { kind: 'login', title: 't', urls: null },
    ];
    for (const value of bad) expectLatchkeyErrorSync(() => validateItemFields(value), 'invalid_request');
  });

  it('strips unknown fields and copies arrays', () => {
    const urls = ['https://example.org'];
    const input = JSON.parse('{"kind":"login","title":"t","urls":["https://example.org"],"extra":"x","__proto__":{"polluted":true},"id":"1"}') as unknown;
    const out = validateItemFields(input);
    expect(out).toEqual({ kind: 'login', title: 't', urls });
    expect(Object.keys(out).sort()).toEqual(['kind', 'title', 'urls']);
    expect((out as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const source = { kind: 'login', title: 't', urls };
    const copy = validateItemFields(source);
    expect(copy.urls).not.toBe(urls);
  });

  it('keeps every known field', () => {
    expect(validateItemFields({ ...login })).toEqual(login);
  });
});
