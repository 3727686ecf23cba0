/** The sealed box format: version || nonce || AES-256-GCM, every failure is `decryption_failed`. */
import { describe, expect, it } from 'vitest';
import { associatedData } from '../src/associated-data.ts';
import { fromBase64Url, fromUtf8, randomBytes, toBase64Url, utf8 } from '../src/bytes.ts';
import { defaultAesGcmBackend, type AesGcmBackend } from '../src/crypto/aes-gcm.ts';
import { boxAssociatedData, importBoxKey, openBox, openBoxes, sealBox } from '../src/sealed-box.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

const AD = associatedData('item', { vault: 'vault-1', item: 'item-1', version: 1 });

async function fixture(plaintext = utf8('correct horse battery staple')) {
  const raw = randomBytes(32);
  const key = await importBoxKey(raw);
  const box = await sealBox(key, plaintext, AD);
  return { raw, key, box, bytes: fromBase64Url(box), plaintext };
}

describe('sealed box', () => {
  it('round trips, including an empty and a large plaintext', async () => {
    const key = await importBoxKey(randomBytes(32));
    for (const plaintext of [new Uint8Array(0), utf8('hello'), Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff)]) {
      const box = await sealBox(key, plaintext, AD);
      expect(await openBox(key, box, AD)).toEqual(plaintext);
    }
  });

  it('is version 1 || 12-byte nonce || ciphertext || 16-byte tag, in base64url', async () => {
    const { box, bytes, plaintext } = await fixture();
    expect(box).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(bytes[0]).toBe(0x01);
    expect(bytes.length).toBe(1 + 12 + plaintext.length + 16);
  });

  it('uses a fresh nonce each time', async () => {
    const { key, plaintext } = await fixture();
    const boxes = new Set<string>();
    for (let i = 0; i < 50; i++) boxes.add(await sealBox(key, plaintext, AD));
    expect(boxes.size).toBe(50);
    const nonces = new Set([...boxes].map((b) => toBase64Url(fromBase64Url(b).subarray(1, 13))));
    expect(nonces.size).toBe(50);
  });

  it('accepts only 256-bit keys', async () => {
    for (const n of [0, 16, 24, 31, 33]) await expect(importBoxKey(new Uint8Array(n))).rejects.toThrow(RangeError);
  });

  it('fails with decryption_failed under the wrong key', async () => {
    const { box } = await fixture();
    await expectLatchkeyError(async () => openBox(await importBoxKey(randomBytes(32)), box, AD), 'decryption_failed');
  });

  it('fails with decryption_failed under the wrong associated data', async () => {
    const { key, box } = await fixture();
    for (const ad of ['', `${AD}\n`, AD.replace('item-1', 'item-2'), associatedData('item', { vault: 'vault-1', item: 'item-1', version: 2 })]) {
      await expectLatchkeyError(() => openBox(key, box, ad), 'decryption_failed');
    }
  });

  it('fails with decryption_failed for every single flipped bit', async () => {
    const { key, bytes } = await fixture(utf8('hi'));
    let flips = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = new Uint8Array(bytes);
        tampered[i]! ^= 1 << bit;
        await expectLatchkeyError(() => openBox(key, toBase64Url(tampered), AD), 'decryption_failed');
        flips++;
      }
    }
    expect(flips).toBe(bytes.length * 8);
  });

  it('fails with decryption_failed for every truncation and for appended bytes', async () => {
    const { key, bytes } = await fixture(utf8('hello'));
    for (let n = 0; n < bytes.length; n++) {
      await expectLatchkeyError(() => openBox(key, toBase64Url(bytes.subarray(0, n)), AD), 'decryption_failed');
    }
    for (const extra of [new Uint8Array([0]), randomBytes(16)]) {
      const longer = new Uint8Array(bytes.length + extra.length);
      longer.set(bytes);
      longer.set(extra, bytes.length);
      await expectLatchkeyError(() => openBox(key, toBase64Url(longer), AD), 'decryption_failed');
    }
  });

  it('fails with decryption_failed for any other version byte', async () => {
    const { key, bytes } = await fixture();
    for (const version of [0x00, 0x02, 0x81, 0xff]) {
      const other = new Uint8Array(bytes);
      other[0] = version;
      await expectLatchkeyError(() => openBox(key, toBase64Url(other), AD), 'decryption_failed');
    }
  });

  it('fails with decryption_failed for malformed base64url', async () => {
    const { key, box } = await fixture();
    const standard = box.replace(/-/g, '+').replace(/_/g, '/');
    const variants = [`${box}=`, `${box}==`, ` ${box}`, `${box}\n`, `${box.slice(0, 5)}!${box.slice(6)}`, 'not base64!', '', 'A'];
    if (standard !== box) variants.push(standard);
    for (const v of variants) await expectLatchkeyError(() => openBox(key, v, AD), 'decryption_failed');
  });

  it('does not leak the plaintext into the box', async () => {
    const plaintext = utf8('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const { box, bytes } = await fixture(plaintext);
    expect(box).not.toContain('QUFBQUFB');
    expect(Buffer.from(bytes).includes(Buffer.from(plaintext))).toBe(false);
  });
});

describe('sealed boxes across AES-GCM back ends', () => {
  it.runIf(defaultAesGcmBackend() === 'native')('what the native back end seals, WebCrypto opens, and the other way round', async () => {
    const raw = randomBytes(32);
    const native = await importBoxKey(raw, 'native');
    const web = await importBoxKey(raw, 'webcrypto');
    const ad = associatedData('item', { vault: 'v1', item: 'i1', version: 1 });
    expect(fromUtf8(await openBox(web, await sealBox(native, utf8('from node'), ad), ad))).toBe('from node');
    expect(fromUtf8(await openBox(native, await sealBox(web, utf8('from a browser'), ad), ad))).toBe('from a browser');
    await expect(openBox(web, await sealBox(native, utf8('x'), ad), `${ad}x`)).rejects.toMatchObject({ code: 'decryption_failed' });
    await expect(openBox(native, await sealBox(web, utf8('x'), ad), `${ad}x`)).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});

const boxBackends: AesGcmBackend[] = defaultAesGcmBackend() === 'native' ? ['native', 'webcrypto'] : ['webcrypto'];

describe.each(boxBackends)('many sealed boxes at once (openBoxes), %s back end', (backend) => {
  const binding = (i: number) => ({ vault: 'vault-1', item: `item-${i}`, version: i });
  async function sealed(n: number) {
    const key = await importBoxKey(randomBytes(32), backend);
    const boxes = await Promise.all(Array.from({ length: n }, (_, i) => sealBox(key, utf8(`secret ${i}`), associatedData('item', binding(i)))));
    return { key, boxes };
  }

  it('opens each box under its own associated data, given as text or as bytes, in order', async () => {
    const { key, boxes } = await sealed(12);
    const asText = await openBoxes(
      key,
      boxes.map((box, i) => ({ box, ad: associatedData('item', binding(i)) })),
    );
    const asBytes = await openBoxes(
      key,
      boxes.map((box, i) => ({ box, ad: boxAssociatedData('item', binding(i)) })),
    );
    expect(asText.map((p) => fromUtf8(p))).toEqual(boxes.map((_, i) => `secret ${i}`));
    expect(asBytes.map((p) => fromUtf8(p))).toEqual(boxes.map((_, i) => `secret ${i}`));
  });

  it('fails as a whole with decryption_failed when one box is swapped, bound elsewhere, tampered or malformed', async () => {
    const { key, boxes } = await sealed(6);
    const ads = boxes.map((_, i) => boxAssociatedData('item', binding(i)));
    const swapped = boxes.map((box, i) => ({ box: i === 2 ? boxes[3]! : i === 3 ? boxes[2]! : box, ad: ads[i]! }));
    await expectLatchkeyError(() => openBoxes(key, swapped), 'decryption_failed');
    const renumbered = boxes.map((box, i) => ({ box, ad: i === 4 ? boxAssociatedData('item', { ...binding(4), version: 5 }) : ads[i]! }));
    await expectLatchkeyError(() => openBoxes(key, renumbered), 'decryption_failed');
    const bytes = fromBase64Url(boxes[1]!);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    const tampered = boxes.map((box, i) => ({ box: i === 1 ? toBase64Url(bytes) : box, ad: ads[i]! }));
    await expectLatchkeyError(() => openBoxes(key, tampered), 'decryption_failed');
    const malformed = boxes.map((box, i) => ({ box: i === 5 ? `${box}=` : box, ad: ads[i]! }));
    await expectLatchkeyError(() => openBoxes(key, malformed), 'decryption_failed');
    const trashed = boxes.map((box, i) => ({ box, ad: i === 0 ? boxAssociatedData('trashed-item', binding(0)) : ads[i]! }));
    await expectLatchkeyError(() => openBoxes(key, trashed), 'decryption_failed');
  });
});
