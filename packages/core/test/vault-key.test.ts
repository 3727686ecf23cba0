/** Vault keys as signed key wraps to a keyset, bound to the vault and the recipient; fingerprints; vault attributes. */
import { describe, expect, it } from 'vitest';
import { associatedData } from '../src/associated-data.ts';
import { fromBase64Url, randomBytes, utf8 } from '../src/bytes.ts';
import { hpkeOpen } from '../src/crypto/hpke.ts';
import { createKeyset, keysetRecipient, keysetSigner, keysetTrustedSigner } from '../src/keyset.ts';
import { sealBox } from '../src/sealed-box.ts';
import {
  createVaultKey,
  decryptVaultAttributes,
  encryptVaultAttributes,
  importVaultKey,
  unwrapVaultKey,
  vaultKeyFingerprint,
  wrapVaultKey,
} from '../src/vault-key.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

const to = { vaultId: '6f1c2a7e-1111-4222-8333-444455556666', keysetId: '0b9e8d7c-aaaa-4bbb-8ccc-ddddeeeeffff' };

describe('vault key wrapping', () => {
  it('creates distinct 256-bit vault keys', () => {
    const a = createVaultKey();
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(createVaultKey());
  });

  it('wraps as a signed key wrap and unwraps for the same vault and keyset', async () => {
    const me = await createKeyset(to.keysetId);
    const trust = (id: string) => (id === me.id ? keysetTrustedSigner(me) : undefined);
    const vaultKey = createVaultKey();
    const wrap = await wrapVaultKey(vaultKey, to.vaultId, keysetRecipient(me), keysetSigner(me));
    expect(wrap).toMatchObject({ version: 1, recipientKeysetId: me.id, signerKeysetId: me.id });
    expect(await unwrapVaultKey(wrap, to.vaultId, keysetRecipient(me), me.encryption.privateKey, trust)).toEqual(vaultKey);
    expect((await wrapVaultKey(vaultKey, to.vaultId, keysetRecipient(me), keysetSigner(me))).ciphertext).not.toBe(wrap.ciphertext);
  });

  it('keeps the HPKE binding of the unsigned format: info and aad name the vault and the recipient', async () => {
    // The ciphertext alone (signature aside) still fails for another vault or keyset, so the
    // signature is a second, independent check and not the only one.
    const me = await createKeyset(to.keysetId);
    const wrap = await wrapVaultKey(createVaultKey(), to.vaultId, keysetRecipient(me), keysetSigner(me));
    const sealed = fromBase64Url(wrap.ciphertext);
    expect(
      await hpkeOpen(me.encryption.privateKey, sealed, {
        info: 'latchkey/v1/vault-key',
        aad: associatedData('vault-key', { vault: to.vaultId, keyset: me.id }),
      }),
    ).toHaveLength(32);
    await expect(
      hpkeOpen(me.encryption.privateKey, sealed, {
        info: 'latchkey/v1/vault-key',
        aad: associatedData('vault-key', { vault: crypto.randomUUID(), keyset: me.id }),
      }),
    ).rejects.toThrow();
    await expect(
      hpkeOpen(me.encryption.privateKey, sealed, {
        info: 'latchkey/v1/vault-key',
        aad: associatedData('vault-key', { vault: to.vaultId, keyset: crypto.randomUUID() }),
      }),
    ).rejects.toThrow();
  });

  it('refuses (untrusted_key) a wrap for another vault, another keyset, or from an untrusted signer', async () => {
    const me = await createKeyset(to.keysetId);
    const stranger = await createKeyset();
    const trust = (id: string) => (id === me.id ? keysetTrustedSigner(me) : undefined);
    const wrap = await wrapVaultKey(createVaultKey(), to.vaultId, keysetRecipient(me), keysetSigner(me));
    await expectLatchkeyError(() => unwrapVaultKey(wrap, crypto.randomUUID(), keysetRecipient(me), me.encryption.privateKey, trust), 'untrusted_key');
    await expectLatchkeyError(() => unwrapVaultKey(wrap, to.vaultId, keysetRecipient(stranger), stranger.encryption.privateKey, trust), 'untrusted_key');
    const fromStranger = await wrapVaultKey(createVaultKey(), to.vaultId, keysetRecipient(me), keysetSigner(stranger));
    await expectLatchkeyError(() => unwrapVaultKey(fromStranger, to.vaultId, keysetRecipient(me), me.encryption.privateKey, trust), 'untrusted_key');
  });

  it('refuses ids that would make the associated data ambiguous', async () => {
    const me = await createKeyset(to.keysetId);
    await expect(wrapVaultKey(createVaultKey(), 'v\nkeyset=x', keysetRecipient(me), keysetSigner(me))).rejects.toThrow(TypeError);
  });

  it('fingerprints per vault', () => {
    const key = createVaultKey();
    expect(vaultKeyFingerprint(to.vaultId, key)).not.toBe(vaultKeyFingerprint(crypto.randomUUID(), key));
    expect(vaultKeyFingerprint(to.vaultId, key)).toBe(vaultKeyFingerprint(to.vaultId, new Uint8Array(key)));
  });
});

describe('vault attributes', () => {
  it('round trip under the vault key and vault id', async () => {
    const key = await importVaultKey(createVaultKey());
    const box = await encryptVaultAttributes(key, to.vaultId, { name: 'Personal ✓ "quotes" \n newline' });
    expect(await decryptVaultAttributes(key, to.vaultId, box)).toEqual({ name: 'Personal ✓ "quotes" \n newline' });
  });

  it('keep only the name', async () => {
    const key = await importVaultKey(createVaultKey());
    const box = await encryptVaultAttributes(key, to.vaultId, { name: 'Work', extra: 'dropped' } as { name: string });
    expect(await decryptVaultAttributes(key, to.vaultId, box)).toEqual({ name: 'Work' });
  });

  it('fail with decryption_failed for another vault id or another key', async () => {
    const key = await importVaultKey(createVaultKey());
    const box = await encryptVaultAttributes(key, to.vaultId, { name: 'Work' });
    await expectLatchkeyError(() => decryptVaultAttributes(key, crypto.randomUUID(), box), 'decryption_failed');
    await expectLatchkeyError(async () => decryptVaultAttributes(await importVaultKey(createVaultKey()), to.vaultId, box), 'decryption_failed');
  });

  it('fail with decryption_failed when the authenticated content has no string name', async () => {
    const key = await importVaultKey(createVaultKey());
    const ad = associatedData('vault-attrs', { vault: to.vaultId });
    for (const content of ['{}', '{"name":3}', 'null', '[]', '"Work"']) {
      const box = await sealBox(key, utf8(content), ad);
      await expectLatchkeyError(() => decryptVaultAttributes(key, to.vaultId, box), 'decryption_failed');
    }
  });

  it('fail with decryption_failed (not a SyntaxError) when the authenticated content is not JSON', async () => {
    // BUG (src/vault-key.ts): decryptVaultAttributes calls JSON.parse outside a try, so a vault
    // member who writes garbage makes other members' clients throw an untyped SyntaxError.
    const key = await importVaultKey(createVaultKey());
    const box = await sealBox(key, utf8('not json'), associatedData('vault-attrs', { vault: to.vaultId }));
    await expectLatchkeyError(() => decryptVaultAttributes(key, to.vaultId, box), 'decryption_failed');
    const invalidUtf8 = await sealBox(key, new Uint8Array([0x7b, 0xff, 0x7d]), associatedData('vault-attrs', { vault: to.vaultId }));
    await expectLatchkeyError(() => decryptVaultAttributes(key, to.vaultId, invalidUtf8), 'decryption_failed');
  });

  it('a vault key imports only at 256 bits', async () => {
    await expect(importVaultKey(randomBytes(16))).rejects.toThrow(RangeError);
  });
});
