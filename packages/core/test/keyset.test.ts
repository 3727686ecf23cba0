/** Keysets: encrypted under the AUK, every part bound to the keyset, re-wrapped on a password change. */
import { describe, expect, it } from 'vitest';
import { randomBytes, toBase64Url, utf8 } from '../src/bytes.ts';
import { sign, verify } from '../src/crypto/ed25519.ts';
import { hpkeOpen, hpkeSeal } from '../src/crypto/hpke.ts';
import { createKeyset, decryptKeyset, encryptKeyset, wrapKeysetSymmetricKey, type EncryptedKeyset } from '../src/keyset.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

async function fixture() {
  const auk = randomBytes(32);
  const keyset = await createKeyset();
  const encrypted = await encryptKeyset(keyset, auk);
  return { auk, keyset, encrypted };
}

describe('keyset', () => {
  it('creates a keyset with a uuid, a 256-bit symmetric key, an X25519 pair and an Ed25519 pair', async () => {
    const keyset = await createKeyset();
    expect(keyset.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keyset.symmetricKey).toHaveLength(32);
    expect(keyset.encryption.publicKey).toHaveLength(32);
    expect(keyset.encryption.privateKey).toHaveLength(32);
    expect(keyset.signing.publicKey).toHaveLength(32);
    expect(keyset.signing.secretKey).toHaveLength(32);
    expect((await createKeyset('fixed-id')).id).toBe('fixed-id');
  });

  it('round trips through encrypt/decrypt with the AUK, and the decrypted keys work', async () => {
    const { auk, keyset, encrypted } = await fixture();
    const decrypted = await decryptKeyset(encrypted, auk);
    expect(decrypted.id).toBe(keyset.id);
    expect(decrypted.symmetricKey).toEqual(keyset.symmetricKey);
    expect(decrypted.encryption).toEqual(keyset.encryption);
    expect(decrypted.signing).toEqual(keyset.signing);
    const ctx = { info: 'latchkey/v1/test', aad: 'a' };
    expect(await hpkeOpen(decrypted.encryption.privateKey, await hpkeSeal(keyset.encryption.publicKey, utf8('x'), ctx), ctx)).toEqual(utf8('x'));
    expect(verify(keyset.signing.publicKey, utf8('m'), sign(decrypted.signing.secretKey, utf8('m')))).toBe(true);
  });

  it('stores public keys in the clear and no secret key material', async () => {
    const { keyset, encrypted } = await fixture();
    expect(encrypted.publicKey).toBe(toBase64Url(keyset.encryption.publicKey));
    expect(encrypted.signingPublicKey).toBe(toBase64Url(keyset.signing.publicKey));
    const stored = JSON.stringify(encrypted);
    for (const secret of [keyset.symmetricKey, keyset.encryption.privateKey, keyset.signing.secretKey]) {
      expect(stored).not.toContain(toBase64Url(secret));
      expect(stored).not.toContain(Buffer.from(secret).toString('base64'));
      expect(stored).not.toContain(Buffer.from(secret).toString('hex'));
    }
  });

  it('fails with decryption_failed under the wrong AUK', async () => {
    const { encrypted } = await fixture();
    await expectLatchkeyError(() => decryptKeyset(encrypted, randomBytes(32)), 'decryption_failed');
  });

  it('fails when encryptedPrivateKey or encryptedSigningKey is swapped between two keysets', async () => {
    const a = await fixture();
    const b = await fixture();
    await expectLatchkeyError(() => decryptKeyset({ ...a.encrypted, encryptedPrivateKey: b.encrypted.encryptedPrivateKey }, a.auk), 'decryption_failed');
    await expectLatchkeyError(() => decryptKeyset({ ...a.encrypted, encryptedSigningKey: b.encrypted.encryptedSigningKey }, a.auk), 'decryption_failed');
    // Even with the same AUK (and so a server able to mix parts of one user's keysets).
    const c = await createKeyset();
    const cEncrypted = await encryptKeyset(c, a.auk);
    await expectLatchkeyError(() => decryptKeyset({ ...a.encrypted, encryptedSymmetricKey: cEncrypted.encryptedSymmetricKey }, a.auk), 'decryption_failed');
    await expectLatchkeyError(() => decryptKeyset({ ...cEncrypted, encryptedPrivateKey: a.encrypted.encryptedPrivateKey }, a.auk), 'decryption_failed');
  });

  it('fails when the server substitutes a public key or the keyset id', async () => {
    const a = await fixture();
    const b = await fixture();
    const tampered: EncryptedKeyset[] = [
      { ...a.encrypted, publicKey: b.encrypted.publicKey },
      { ...a.encrypted, signingPublicKey: b.encrypted.signingPublicKey },
      { ...a.encrypted, id: b.encrypted.id },
      { ...a.encrypted, id: crypto.randomUUID() },
    ];
    for (const t of tampered) await expectLatchkeyError(() => decryptKeyset(t, a.auk), 'decryption_failed');
  });

  it('a password change re-wraps only the symmetric key: same keyset, opens with the new AUK and not the old', async () => {
    const { auk: oldAuk, keyset, encrypted } = await fixture();
    const newAuk = randomBytes(32);
    const rewrapped: EncryptedKeyset = { ...encrypted, encryptedSymmetricKey: await wrapKeysetSymmetricKey(keyset, newAuk) };
    expect(rewrapped.encryptedSymmetricKey).not.toBe(encrypted.encryptedSymmetricKey);

    const opened = await decryptKeyset(rewrapped, newAuk);
    expect(opened.id).toBe(keyset.id);
    expect(opened.encryption.publicKey).toEqual(keyset.encryption.publicKey);
    expect(opened.signing.publicKey).toEqual(keyset.signing.publicKey);
    expect(opened.symmetricKey).toEqual(keyset.symmetricKey);
    expect(opened.encryption.privateKey).toEqual(keyset.encryption.privateKey);

    await expectLatchkeyError(() => decryptKeyset(rewrapped, oldAuk), 'decryption_failed');
    // The old wrapping still opens only with the old AUK (the server keeps one or the other atomically).
    expect((await decryptKeyset(encrypted, oldAuk)).id).toBe(keyset.id);
    await expectLatchkeyError(() => decryptKeyset(encrypted, newAuk), 'decryption_failed');
  });

  it('a wrapped symmetric key is bound to its keyset id', async () => {
    const a = await fixture();
    const b = await fixture();
    const wrongWrap = await wrapKeysetSymmetricKey({ id: b.keyset.id, symmetricKey: a.keyset.symmetricKey }, a.auk);
    await expectLatchkeyError(() => decryptKeyset({ ...a.encrypted, encryptedSymmetricKey: wrongWrap }, a.auk), 'decryption_failed');
  });

  it('refuses wrapping keys that are not 256 bits', async () => {
    const { keyset, encrypted } = await fixture();
    await expect(wrapKeysetSymmetricKey(keyset, randomBytes(16))).rejects.toThrow(RangeError);
    await expect(decryptKeyset(encrypted, randomBytes(31))).rejects.toThrow(RangeError);
  });
});
