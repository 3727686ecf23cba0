/** Items: encrypted whole, bound to vault, item id and version; field validation. */
import { describe, expect, it } from 'vitest';
import { associatedData } from '../src/associated-data.ts';
import { utf8 } from '../src/bytes.ts';
import { fromUtf8 } from '../src/bytes.ts';
import { defaultAesGcmBackend, type AesGcmBackend } from '../src/crypto/aes-gcm.ts';
import {
  decryptItem,
  decryptItems,
  decryptTrashedItems,
  encryptItem,
  encryptTrashedItem,
  ITEM_FORMAT,
  ITEM_KINDS,
  validateItemFields,
  type ItemFields,
  type ItemRef,
} from '../src/item.ts';
import { importBoxKey, openBox, sealBox } from '../src/sealed-box.ts';
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
      { kind: 'login', title: 't', card: { number: '4111 1111 1111 1111' } },
      { kind: 'note', title: 't', identity: { fullName: 'A' } },
      { kind: 'card', title: 't', card: 'x' },
      { kind: 'card', title: 't', card: { number: '4111-abcd' } },
      { kind: 'card', title: 't', card: { number: '1234' } },
      { kind: 'card', title: 't', card: { expiry: '13/30' } },
      { kind: 'card', title: 't', card: { expiry: '2030-01' } },
      { kind: 'card', title: 't', card: { securityCode: '12' } },
      { kind: 'card', title: 't', card: { pin: 'abcd' } },
      { kind: 'card', title: 't', card: { cardholder: 7 } },
      { kind: 'identity', title: 't', identity: { email: 'not an address' } },
      { kind: 'identity', title: 't', identity: { birthDate: '1990-02-30' } },
      { kind: 'identity', title: 't', identity: [] },
      { kind: 'login', title: 't', fields: {} },
      { kind: 'login', title: 't', fields: [{ label: '', kind: 'text', value: 'x' }] },
      { kind: 'login', title: 't', fields: [{ label: 'PIN', kind: 'secret', value: 'x' }] },
      { kind: 'login', title: 't', fields: [{ label: 'PIN', kind: 'hidden', value: 4 }] },
      { kind: 'login', title: 't', fields: Array.from({ length: 101 }, () => ({ label: 'l', kind: 'text', value: '' })) },
      { kind: 'login', title: 't', favourite: 'yes' },
      { kind: 'login', title: 't', tags: 'work' },
      { kind: 'login', title: 't', tags: ['work', 3] },
      { kind: 'login', title: 't', tags: ['x'.repeat(65)] },
      { kind: 'login', title: 't', passwordHistory: [{ password: 'p' }] },
      { kind: 'login', title: 't', passwordHistory: [{ password: 'p', replacedAt: 'yesterday' }] },
      { kind: 'login', title: 't', passwordHistory: 'p' },
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

const card: ItemFields = {
  kind: 'card',
  title: 'Visa',
  card: { cardholder: 'Alice Example', number: '4111 1111 1111 1111', expiry: '09/2030', securityCode: '123', pin: '4321', brand: 'Visa' },
  notes: 'the blue one',
  favourite: true,
  tags: ['money', 'travel'],
};
const identity: ItemFields = {
  kind: 'identity',
  title: 'Me',
  identity: {
    fullName: 'Alice Example',
    email: 'alice@example.org',
    phone: '+44 20 7946 0000',
    address: '1 Road\nTown',
    company: 'Acme',
    birthDate: '1990-02-28',
  },
};
const withEverything: ItemFields = {
  ...login,
  fields: [
    { label: 'Account number', kind: 'text', value: '12345' },
    { label: 'Recovery PIN', kind: 'hidden', value: '9999' },
    { label: 'Admin console', kind: 'url', value: 'https://admin.example.org' },
  ],
  favourite: true,
  tags: ['work'],
  passwordHistory: [{ password: 'older', replacedAt: '2026-01-02T03:04:05.000Z' }],
};

describe('typed items (payload format 2)', () => {
  it('round trips cards, identities and custom fields, favourites, tags and password history', async () => {
    const key = await importVaultKey(createVaultKey());
    for (const fields of [card, identity, withEverything]) {
      expect(await decryptItem(key, ref, await encryptItem(key, ref, fields))).toEqual(fields);
    }
  });

  it('writes the current format number inside the ciphertext', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });
    const json = JSON.parse(fromUtf8(await openBox(key, await encryptItem(key, ref, card), ad))) as Record<string, unknown>;
    expect(json.format).toBe(ITEM_FORMAT);
    expect(json.card).toEqual(card.card);
  });

  it('opens an item saved before formats existed (format 1, no number) as it was', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });
    const legacy = JSON.stringify({ kind: 'login', title: 'Old', username: 'u', password: 'p', urls: ['https://old.example'] });
    expect(await decryptItem(key, ref, await sealBox(key, utf8(legacy), ad))).toEqual({
      kind: 'login',
      title: 'Old',
      username: 'u',
      password: 'p',
      urls: ['https://old.example'],
    });
  });

  it('opens a newer format with the fields it knows, marked, and refuses to seal it again', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });
    const newer = JSON.stringify({ format: ITEM_FORMAT + 1, kind: 'login', title: 'Future', passkey: { id: 'x' } });
    const opened = await decryptItem(key, ref, await sealBox(key, utf8(newer), ad));
    expect(opened).toEqual({ kind: 'login', title: 'Future', newerFormat: ITEM_FORMAT + 1 });
    await expectLatchkeyError(() => encryptItem(key, ref, opened), 'invalid_request');
    await expectLatchkeyError(() => encryptTrashedItem(key, ref, opened), 'invalid_request');
  });

  it('fails with decryption_failed for a format that is not a positive whole number', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });
    for (const format of [0, -1, 1.5, '2', null]) {
      const content = utf8(JSON.stringify({ format, kind: 'login', title: 't' }));
      await expectLatchkeyError(async () => decryptItem(key, ref, await sealBox(key, content, ad)), 'decryption_failed');
    }
  });

  it('normalises: tags trimmed and de-duplicated, empty parts and favourite false dropped, history capped', () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ password: `p${i}`, replacedAt: new Date(2026, 0, 1, 0, i).toISOString() }));
    const out = validateItemFields({
      kind: 'card',
      title: 't',
      card: { cardholder: '', number: '4111111111111111', extra: 'x' },
      tags: [' Work ', 'work', '', 'Home'],
      favourite: false,
      fields: [],
      passwordHistory: history,
    });
    expect(out).toEqual({ kind: 'card', title: 't', card: { number: '4111111111111111' }, tags: ['Work', 'Home'], passwordHistory: history.slice(0, 30) });
  });
});

const batchBackends: AesGcmBackend[] = defaultAesGcmBackend() === 'native' ? ['native', 'webcrypto'] : ['webcrypto'];

describe.each(batchBackends)('many items at once (decryptItems, a sync), %s back end', (backend) => {
  async function vault(n: number) {
    const key = await importBoxKey(createVaultKey(), backend);
    const refs: ItemRef[] = Array.from({ length: n }, (_, i) => ({ vaultId: ref.vaultId, itemId: crypto.randomUUID(), version: 1 + (i % 4) }));
    const fields = refs.map((_, i): ItemFields => (i % 2 === 0 ? { ...login, title: `Login ${i}` } : { kind: 'note', title: `Note ${i}`, notes: `n${i}` }));
    const ciphertexts = await Promise.all(refs.map((r, i) => encryptItem(key, r, fields[i]!)));
    return { key, refs, fields, ciphertexts };
  }

  it("gives each item's fields, in order, the same as decryptItem one by one", async () => {
    const { key, refs, fields, ciphertexts } = await vault(30);
    const items = refs.map((r, i) => ({ ref: r, ciphertext: ciphertexts[i]! }));
    expect(await decryptItems(key, items)).toEqual(fields);
    expect(await Promise.all(items.map((i) => decryptItem(key, i.ref, i.ciphertext)))).toEqual(fields);
    expect(await decryptItems(key, [])).toEqual([]);
  });

  it('keeps every item bound to its id, vault and version: a swap, a move, a renumbering or a trashed copy fails the sync', async () => {
    const { key, refs, ciphertexts } = await vault(8);
    const items = refs.map((r, i) => ({ ref: r, ciphertext: ciphertexts[i]! }));
    const cases = {
      swapped: items.map((it, i) => (i === 1 ? { ...it, ciphertext: ciphertexts[2]! } : i === 2 ? { ...it, ciphertext: ciphertexts[1]! } : it)),
      moved: items.map((it, i) => (i === 3 ? { ...it, ref: { ...it.ref, vaultId: crypto.randomUUID() } } : it)),
      renumbered: items.map((it, i) => (i === 7 ? { ...it, ref: { ...it.ref, version: it.ref.version + 1 } } : it)),
      trashed: await Promise.all(items.map(async (it, i) => (i === 5 ? { ...it, ciphertext: await encryptTrashedItem(key, it.ref, login) } : it))),
    };
    for (const [name, batch] of Object.entries(cases)) {
      const error = await expectLatchkeyError(() => decryptItems(key, batch), 'decryption_failed').catch((e: unknown) => {
        throw new Error(`${name}: ${String(e)}`);
      });
      expect(error.code, name).toBe('decryption_failed');
    }
  });

  it('opens trashed items only as trashed (decryptTrashedItems), and live ones not at all', async () => {
    const { key, refs } = await vault(3);
    const trashed = await Promise.all(refs.map(async (r) => ({ ref: r, ciphertext: await encryptTrashedItem(key, r, login) })));
    expect(await decryptTrashedItems(key, trashed)).toEqual([login, login, login]);
    await expectLatchkeyError(() => decryptItems(key, trashed), 'decryption_failed');
    const live = await Promise.all(refs.map(async (r) => ({ ref: r, ciphertext: await encryptItem(key, r, login) })));
    await expectLatchkeyError(() => decryptTrashedItems(key, live), 'decryption_failed');
  });

  it('fails with decryption_failed for a box whose content is not a valid item', async () => {
    const { key, refs, ciphertexts } = await vault(2);
    const bad = await sealBox(
      key,
      utf8('{"kind":"spaceship","title":"x"}'),
      associatedData('item', { vault: refs[1]!.vaultId, item: refs[1]!.itemId, version: refs[1]!.version }),
    );
    await expectLatchkeyError(
      () =>
        decryptItems(key, [
          { ref: refs[0]!, ciphertext: ciphertexts[0]! },
          { ref: refs[1]!, ciphertext: bad },
        ]),
      'decryption_failed',
    );
  });
});
