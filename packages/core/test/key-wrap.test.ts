/**
 * Signed key wraps (`key-wrap.ts`): a known-answer vector checked against independent
 * implementations (node:crypto's Ed25519 and HKDF), then every field of the signed statement,
 * every way a server could present a wrap it did not get from a trusted keyset, and the
 * strictness of the signature check.
 */
import { createPublicKey, hkdfSync, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, fromBase64Url, hexToBytes, randomBytes, toBase64Url, utf8 } from '../src/bytes.ts';
import { generateSigningKeyPair, sign } from '../src/crypto/ed25519.ts';
import { generateHpkeKeyPair } from '../src/crypto/hpke.ts';
import { createKeyset, keysetRecipient, keysetSigner, keysetTrustedSigner } from '../src/keyset.ts';
import {
  keyFingerprint,
  keyWrapStatement,
  openKeyWrap,
  sealKeyWrap,
  verifyKeyWrap,
  type KeyWrap,
  type KeyWrapContext,
  type TrustedSigner,
  type TrustedSignerLookup,
} from '../src/key-wrap.ts';
import { expectLatchkeyError } from './helpers/errors.ts';

interface Vector {
  purpose: 'vault-key';
  subjectId: string;
  recipient: { keysetId: string; publicKey: string; privateKey: string };
  signer: { keysetId: string; secretKey: string; publicKey: string };
  key: string;
  wrap: KeyWrap;
  statement: string;
  fingerprint: string;
}

const vector = JSON.parse(readFileSync(new URL('./vectors/key-wrap.json', import.meta.url), 'utf8')) as Vector;
const vectorContext: KeyWrapContext = {
  purpose: vector.purpose,
  subjectId: vector.subjectId,
  recipient: { keysetId: vector.recipient.keysetId, publicKey: hexToBytes(vector.recipient.publicKey) },
};
const vectorSigner: TrustedSigner = { keysetId: vector.signer.keysetId, signingPublicKey: hexToBytes(vector.signer.publicKey) };
const trusting =
  (...signers: TrustedSigner[]): TrustedSignerLookup =>
  (id) =>
    signers.find((s) => s.keysetId === id);

/** Ed25519 verification by node:crypto (OpenSSL), independent of @noble/curves. */
function nodeEd25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) }, format: 'jwk' });
  return nodeVerify(null, message, key, signature);
}

describe('signed key wrap: known-answer vector', () => {
  it('encodes the statement exactly as docs/protocol.md says', () => {
    expect(new TextDecoder().decode(keyWrapStatement(vector.wrap, vectorContext))).toBe(vector.statement);
    expect(vector.statement.split('\n')).toEqual([
      'latchkey/v1/signature/key-wrap',
      `ciphertext=${vector.wrap.ciphertext}`,
      'purpose=vault-key',
      `recipient-keyset=${vector.recipient.keysetId}`,
      `recipient-public-key=${toBase64Url(hexToBytes(vector.recipient.publicKey))}`,
      `signer-keyset=${vector.signer.keysetId}`,
      `subject=${vector.subjectId}`,
      'version=1',
    ]);
  });

  it('carries a deterministic Ed25519 signature that an independent implementation verifies', async () => {
    expect(nodeEd25519Verify(vectorSigner.signingPublicKey, utf8(vector.statement), fromBase64Url(vector.wrap.signature))).toBe(true);
    // Ed25519 is deterministic: signing the same statement again gives the same bytes.
    const again = await sealKeyWrap(hexToBytes(vector.key), vectorContext, {
      keysetId: vector.signer.keysetId,
      signingSecretKey: hexToBytes(vector.signer.secretKey),
    });
    expect(nodeEd25519Verify(vectorSigner.signingPublicKey, keyWrapStatement(again, vectorContext), fromBase64Url(again.signature))).toBe(true);
    expect(again.ciphertext).not.toBe(vector.wrap.ciphertext); // HPKE is randomized
    expect(() => verifyKeyWrap(vector.wrap, vectorContext, vectorSigner)).not.toThrow();
  });

  it('opens the stored ciphertext to the stored key', async () => {
    const key = await openKeyWrap(vector.wrap, vectorContext, hexToBytes(vector.recipient.privateKey), trusting(vectorSigner));
    expect(bytesToHex(key)).toBe(vector.key);
  });

  it('fingerprints as HKDF-SHA-256 computed independently by node:crypto', () => {
    const header = 'latchkey/v1/key-fingerprint';
    const info = `${header}\npurpose=vault-key\nsubject=${vector.subjectId}`;
    const expected = toBase64Url(new Uint8Array(hkdfSync('sha256', hexToBytes(vector.key), utf8(header), utf8(info), 32)));
    expect(keyFingerprint('vault-key', vector.subjectId, hexToBytes(vector.key))).toBe(expected);
    expect(expected).toBe(vector.fingerprint);
  });

  it('refuses the vector signature with S + L (strict RFC 8032, no malleable second encoding)', () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const sig = fromBase64Url(vector.wrap.signature);
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    let sl = s + L;
    const malleated = new Uint8Array(sig);
    for (let i = 0; i < 32; i++) {
      malleated[32 + i] = Number(sl & 0xffn);
      sl >>= 8n;
    }
    expect(() => verifyKeyWrap({ ...vector.wrap, signature: toBase64Url(malleated) }, vectorContext, vectorSigner)).toThrow(
      expect.objectContaining({ code: 'untrusted_key' }),
    );
  });
});

describe('signed key wrap: what the signature binds', () => {
  async function fixture() {
    const me = await createKeyset();
    const context: KeyWrapContext = { purpose: 'vault-key', subjectId: crypto.randomUUID(), recipient: keysetRecipient(me) };
    const key = randomBytes(32);
    const wrap = await sealKeyWrap(key, context, keysetSigner(me));
    return { me, context, key, wrap, trust: trusting(keysetTrustedSigner(me)) };
  }

  it('round trips for the keyset that signed it', async () => {
    const { me, context, key, wrap, trust } = await fixture();
    expect(wrap).toMatchObject({ version: 1, recipientKeysetId: me.id, signerKeysetId: me.id });
    expect(fromBase64Url(wrap.signature)).toHaveLength(64);
    expect(await openKeyWrap(wrap, context, me.encryption.privateKey, trust)).toEqual(key);
  });

  it('is refused as untrusted_key for another subject, recipient keyset or recipient public key', async () => {
    const { me, context, wrap, trust } = await fixture();
    const other = await generateHpkeKeyPair();
    const cases: KeyWrapContext[] = [
      { ...context, subjectId: crypto.randomUUID() },
      { ...context, recipient: { ...context.recipient, keysetId: crypto.randomUUID() } },
      { ...context, recipient: { ...context.recipient, publicKey: other.publicKey } },
    ];
    for (const moved of cases) await expectLatchkeyError(() => openKeyWrap(wrap, moved, me.encryption.privateKey, trust), 'untrusted_key');
  });

  it('is refused as untrusted_key when any field of the wrap is changed', async () => {
    const { me, context, wrap } = await fixture();
    const flipped = (b64: string, at: number) => {
      const bytes = fromBase64Url(b64);
      bytes[at]! ^= 0x01;
      return toBase64Url(bytes);
    };
    const changed: KeyWrap[] = [
      { ...wrap, ciphertext: flipped(wrap.ciphertext, 40) },
      { ...wrap, ciphertext: flipped(wrap.ciphertext, 0) },
      { ...wrap, signature: flipped(wrap.signature, 0) },
      { ...wrap, signature: flipped(wrap.signature, 63) },
      { ...wrap, signature: toBase64Url(fromBase64Url(wrap.signature).subarray(0, 63)) },
      { ...wrap, signature: '' },
      { ...wrap, signature: 'not base64url!' },
      { ...wrap, version: 0 },
      { ...wrap, version: 2 },
      { ...wrap, recipientKeysetId: crypto.randomUUID() },
    ];
    const signer = keysetTrustedSigner(me);
    for (const bad of changed)
      expect(() => verifyKeyWrap(bad, context, signer), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'untrusted_key' }));
    // A renamed signer is not found by the lookup, or found with another key: refused either way.
    const renamed = { ...wrap, signerKeysetId: crypto.randomUUID() };
    expect(() => verifyKeyWrap(renamed, context, signer)).toThrow(expect.objectContaining({ code: 'untrusted_key' }));
    expect(() => verifyKeyWrap(renamed, context, { ...signer, keysetId: renamed.signerKeysetId })).toThrow(expect.objectContaining({ code: 'untrusted_key' }));
  });

  it('is refused as untrusted_key when the lookup trusts no such signer, or knows it with another key', async () => {
    const { me, context, wrap } = await fixture();
    await expectLatchkeyError(() => openKeyWrap(wrap, context, me.encryption.privateKey, () => undefined), 'untrusted_key');
    const impostor = { keysetId: me.id, signingPublicKey: generateSigningKeyPair().publicKey };
    await expectLatchkeyError(() => openKeyWrap(wrap, context, me.encryption.privateKey, trusting(impostor)), 'untrusted_key');
    // An async lookup (as the families issue's will be) works the same.
    expect(await openKeyWrap(wrap, context, me.encryption.privateKey, async () => keysetTrustedSigner(me))).toHaveLength(32);
  });

  it("a key of the server's choosing, properly wrapped to the user and carrying a real signature from elsewhere, is refused", async () => {
    const { me, context, wrap, trust } = await fixture();
    const planted = await sealKeyWrap(randomBytes(32), context, { keysetId: me.id, signingSecretKey: generateSigningKeyPair().secretKey });
    await expectLatchkeyError(() => openKeyWrap(planted, context, me.encryption.privateKey, trust), 'untrusted_key');
    // The user's genuine signature, attached to the server's ciphertext: covers another ciphertext.
    await expectLatchkeyError(() => openKeyWrap({ ...planted, signature: wrap.signature }, context, me.encryption.privateKey, trust), 'untrusted_key');
  });

  it('a signed wrap that does not open with the recipient key is decryption_failed, not a key', async () => {
    const me = await createKeyset();
    const elsewhere = await generateHpkeKeyPair();
    const context: KeyWrapContext = { purpose: 'vault-key', subjectId: crypto.randomUUID(), recipient: keysetRecipient(me) };
    // The trusted signer itself sealed to another public key, then signed the statement naming this recipient.
    const sealedElsewhere = await sealKeyWrap(
      randomBytes(32),
      { ...context, recipient: { ...context.recipient, publicKey: elsewhere.publicKey } },
      keysetSigner(me),
    );
    const signed = { ...sealedElsewhere, signature: toBase64Url(sign(me.signing.secretKey, keyWrapStatement(sealedElsewhere, context))) };
    await expectLatchkeyError(() => openKeyWrap(signed, context, me.encryption.privateKey, trusting(keysetTrustedSigner(me))), 'decryption_failed');
  });

  it('refuses keys that are not 256 bits and ids that would make the statement ambiguous', async () => {
    const me = await createKeyset();
    const context: KeyWrapContext = { purpose: 'vault-key', subjectId: crypto.randomUUID(), recipient: keysetRecipient(me) };
    await expect(sealKeyWrap(randomBytes(16), context, keysetSigner(me))).rejects.toThrow(RangeError);
    await expect(sealKeyWrap(randomBytes(32), { ...context, subjectId: 'v\nsigner-keyset=x' }, keysetSigner(me))).rejects.toThrow(TypeError);
    const wrap = await sealKeyWrap(randomBytes(32), context, keysetSigner(me));
    expect(() => verifyKeyWrap({ ...wrap, signerKeysetId: `${me.id}\nx=y` }, context, { ...keysetTrustedSigner(me), keysetId: `${me.id}\nx=y` })).toThrow(
      expect.objectContaining({ code: 'untrusted_key' }),
    );
  });
});

describe('key fingerprints', () => {
  it('differ per key and per subject, and are stable', () => {
    const key = randomBytes(32);
    const vault = crypto.randomUUID();
    expect(keyFingerprint('vault-key', vault, key)).toBe(keyFingerprint('vault-key', vault, new Uint8Array(key)));
    expect(keyFingerprint('vault-key', vault, key)).not.toBe(keyFingerprint('vault-key', crypto.randomUUID(), key));
    expect(keyFingerprint('vault-key', vault, key)).not.toBe(keyFingerprint('vault-key', vault, randomBytes(32)));
    expect(fromBase64Url(keyFingerprint('vault-key', vault, key))).toHaveLength(32);
    expect(() => keyFingerprint('vault-key', vault, randomBytes(31))).toThrow(RangeError);
  });
});
