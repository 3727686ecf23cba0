/** Associated data: a canonical, injective encoding of what a ciphertext is and what it belongs to. */
import { describe, expect, it } from 'vitest';
import { associatedData, associatedDataBytes, type Binding, type CiphertextPurpose } from '../src/associated-data.ts';
import { importBoxKey, openBox, sealBox } from '../src/sealed-box.ts';
import { randomBytes, utf8 } from '../src/bytes.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

const PURPOSES: CiphertextPurpose[] = ['keyset-symmetric-key', 'keyset-private-key', 'keyset-signing-key', 'vault-key', 'vault-attrs', 'item'];

describe('associatedData', () => {
  it('has a fixed, documented shape', () => {
    expect(associatedData('item', { vault: 'v1', item: 'i1', version: 3 })).toBe('latchkey/v1/item\nitem=i1\nvault=v1\nversion=3');
    expect(associatedData('vault-attrs', {})).toBe('latchkey/v1/vault-attrs');
  });

  it('does not depend on the order of the binding keys', () => {
    const a = associatedData('item', { vault: 'v', item: 'i', version: 1 });
    const b = associatedData('item', { version: 1, item: 'i', vault: 'v' });
    const c = associatedData('item', { item: 'i', version: 1, vault: 'v' });
    expect(a).toBe(b);
    expect(a).toBe(c);
  });

  it('differs for every purpose and for every changed field', () => {
    const binding = { vault: 'v', item: 'i', version: 1 };
    const all = new Set(PURPOSES.map((p) => associatedData(p, binding)));
    expect(all.size).toBe(PURPOSES.length);
    const base = associatedData('item', binding);
    expect(associatedData('item', { ...binding, vault: 'w' })).not.toBe(base);
    expect(associatedData('item', { ...binding, item: 'j' })).not.toBe(base);
    expect(associatedData('item', { ...binding, version: 2 })).not.toBe(base);
    expect(associatedData('item', { vault: 'v', item: 'i' })).not.toBe(base);
    // Swapping values between fields is a different binding.
    expect(associatedData('item', { vault: 'i', item: 'v', version: 1 })).not.toBe(base);
  });

  it('accepts the characters ids are made of: uuids, base64url, integers, emails', () => {
    const ok = ['3f2b8c1e-9a7d-4e2f-8b1a-0c9d8e7f6a5b', 'AbC_-09', '42', 'a.b:c@d+e', ''];
    for (const value of ok) expect(() => associatedData('vault-key', { vault: value })).not.toThrow();
    expect(associatedData('vault-key', { version: 0 })).toBe('latchkey/v1/vault-key\nversion=0');
  });

  it('rejects values and keys that could forge another field: newline, "=", spaces, NUL, non-ASCII', () => {
    const unsafe = ['a\nitem=b', 'a=b', 'x\n', '\nvault=w', 'a b', 'a\u0000', 'a\r', 'é', 'a/b', 'a,b', 'a;b', 'a\u2028b', '{}'];
    for (const value of unsafe) {
      expect(() => associatedData('item', { vault: value }), JSON.stringify(value)).toThrow(TypeError);
      expect(() => associatedData('item', { [value]: 'x' }), JSON.stringify(value)).toThrow(TypeError);
    }
    expect(() => associatedData('item', { vault: Number.NaN, item: 'x' })).not.toThrow(); // 'NaN' is plain text, harmless
  });

  it('as bytes (associatedDataBytes) is exactly the UTF-8 of the text, for every purpose, order and value kind', () => {
    const bindings: Binding[] = [
      {},
      { vault: '3f2b8c1e-9a7d-4e2f-8b1a-0c9d8e7f6a5b', item: '9d8c7b6a-0000-4111-8222-333344445555', version: 17 },
      { version: 0, item: 'AbC_-09', vault: 'a.b:c@d+e' },
      { vault: '' },
      { z: 1, a: 'x', m: Number.MAX_SAFE_INTEGER },
    ];
    for (const purpose of [...PURPOSES, 'trashed-item', 'unlocked-session'] as CiphertextPurpose[]) {
      for (const binding of bindings) {
        expect(associatedDataBytes(purpose, binding)).toEqual(utf8(associatedData(purpose, binding)));
        expect(associatedDataBytes(purpose, binding, 0x01)).toEqual(new Uint8Array([0x01, ...utf8(associatedData(purpose, binding))]));
      }
    }
  });

  it('as bytes rejects every value and key the text form rejects', () => {
    const unsafe = ['a\nitem=b', 'a=b', 'x\n', '\nvault=w', 'a b', 'a\u0000', 'a\r', 'é', 'a/b', 'a,b', 'a;b', 'a\u2028b', '{}', '\u00c1', '\u0141'];
    for (const value of unsafe) {
      expect(() => associatedDataBytes('item', { vault: value }), JSON.stringify(value)).toThrow(TypeError);
      expect(() => associatedDataBytes('item', { [value]: 'x' }), JSON.stringify(value)).toThrow(TypeError);
    }
  });

  it('cannot be made to collide by injecting a separator', () => {
    // Without the check, {vault: "v\nitem=i"} would encode exactly like {vault: "v", item: "i"}.
    expect(() => associatedData('item', { vault: 'v\nitem=i' })).toThrow();
    expect(() => associatedData('item', { 'item=i\nvault': 'v' })).toThrow();
  });

  it('binds a sealed box: a box made under one associated data does not open under another', async () => {
    const key = await importBoxKey(randomBytes(32));
    const ad = associatedData('item', { vault: 'v', item: 'i', version: 1 });
    const box = await sealBox(key, utf8('secret'), ad);
    await expectLatchkeyError(() => openBox(key, box, associatedData('vault-attrs', { vault: 'v', item: 'i', version: 1 })), 'decryption_failed');
    await expectLatchkeyError(() => openBox(key, box, associatedData('item', { vault: 'v', item: 'i', version: 2 })), 'decryption_failed');
    expect(await openBox(key, box, associatedData('item', { version: 1, item: 'i', vault: 'v' }))).toEqual(utf8('secret'));
  });
});
