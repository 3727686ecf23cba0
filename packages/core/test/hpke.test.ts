/** HPKE (DHKEM-X25519, HKDF-SHA256, AES-256-GCM) base mode: round trip and every binding. */
import { describe, expect, it } from 'vitest';
import { randomBytes, utf8 } from '../src/bytes.ts';
import { generateHpkeKeyPair, hpkeOpen, hpkeSeal, type HpkeContext } from '../src/crypto/hpke.ts';

const context: HpkeContext = { info: 'latchkey/v1/test-wrap', aad: 'latchkey/v1/test\nobject=1' };

describe('HPKE', () => {
  it('generates 32-byte X25519 key pairs', async () => {
    const pair = await generateHpkeKeyPair();
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.privateKey).toHaveLength(32);
  });

  it('round trips and produces enc (32) || ciphertext || tag (16)', async () => {
    const { publicKey, privateKey } = await generateHpkeKeyPair();
    for (const plaintext of [new Uint8Array(0), randomBytes(32), randomBytes(5000)]) {
      const sealed = await hpkeSeal(publicKey, plaintext, context);
      expect(sealed).toHaveLength(32 + plaintext.length + 16);
      expect(await hpkeOpen(privateKey, sealed, context)).toEqual(plaintext);
    }
  });

  it('is randomized: two seals of the same plaintext differ', async () => {
    const { publicKey } = await generateHpkeKeyPair();
    const pt = utf8('same');
    expect(await hpkeSeal(publicKey, pt, context)).not.toEqual(await hpkeSeal(publicKey, pt, context));
  });

  it('fails with the wrong info, the wrong aad or the wrong private key', async () => {
    const { publicKey, privateKey } = await generateHpkeKeyPair();
    const other = await generateHpkeKeyPair();
    const sealed = await hpkeSeal(publicKey, randomBytes(32), context);
    await expect(hpkeOpen(privateKey, sealed, { ...context, info: 'latchkey/v1/other' })).rejects.toThrow();
    await expect(hpkeOpen(privateKey, sealed, { ...context, info: '' })).rejects.toThrow();
    await expect(hpkeOpen(privateKey, sealed, { ...context, aad: 'latchkey/v1/test\nobject=2' })).rejects.toThrow();
    await expect(hpkeOpen(privateKey, sealed, { ...context, aad: '' })).rejects.toThrow();
    await expect(hpkeOpen(other.privateKey, sealed, context)).rejects.toThrow();
    expect(await hpkeOpen(privateKey, sealed, context)).toHaveLength(32);
  });

  it('fails for every truncation and for appended bytes', async () => {
    const { publicKey, privateKey } = await generateHpkeKeyPair();
    const sealed = await hpkeSeal(publicKey, randomBytes(8), context);
    for (let n = 0; n < sealed.length; n++) await expect(hpkeOpen(privateKey, sealed.subarray(0, n), context)).rejects.toThrow();
    const longer = new Uint8Array(sealed.length + 1);
    longer.set(sealed);
    await expect(hpkeOpen(privateKey, longer, context)).rejects.toThrow();
  });

  it('fails for every single flipped bit (in enc, ciphertext and tag)', async () => {
    const { publicKey, privateKey } = await generateHpkeKeyPair();
    const sealed = await hpkeSeal(publicKey, randomBytes(8), context);
    const accepted: string[] = [];
    for (let i = 0; i < sealed.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = new Uint8Array(sealed);
        tampered[i]! ^= 1 << bit;
        try {
          await hpkeOpen(privateKey, tampered, context);
          accepted.push(`byte ${i} bit ${bit}`);
        } catch {
          // expected
        }
      }
    }
    // X25519 ignores the top bit of a public key (RFC 7748 §5), so flipping bit 7 of enc's last
    // byte names the same point; the HPKE key schedule still hashes enc, so it must fail too.
    expect(accepted).toEqual([]);
  });

  it('refuses to seal to a low-order public key', async () => {
    await expect(hpkeSeal(new Uint8Array(32), randomBytes(32), context)).rejects.toThrow();
    const one = new Uint8Array(32);
    one[0] = 1;
    await expect(hpkeSeal(one, randomBytes(32), context)).rejects.toThrow();
  });
});
