/**
 * Wycheproof Ed25519 vectors against `crypto/ed25519.ts`. Valid → `verify` is true; invalid →
 * `verify` is false and never throws. Wycheproof's verify-only file gives no private keys, so
 * `sign()` is checked for reproducibility against RFC 8032 §7.1 instead (and against any
 * Wycheproof group that does carry a private key, should a future file include one).
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/bytes.ts';
import { generateSigningKeyPair, sign, signingPublicKey, verify } from '../src/crypto/ed25519.ts';
import { label, loadWycheproof, type WycheproofTest } from './helpers/wycheproof.ts';

interface EddsaTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}
interface EddsaGroup {
  readonly publicKey: { readonly curve: string; readonly pk: string };
  readonly privateKey?: { readonly sk?: string };
  readonly tests: readonly EddsaTest[];
}

const vectors = loadWycheproof<EddsaGroup>('ed25519_test.json');

// RFC 8032 §7.1, TEST 1–3.
const RFC8032 = [
  {
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    sk: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    sk: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
] as const;

describe(`Wycheproof Ed25519 (${vectors.numberOfTests} vectors)`, () => {
  it('verifies every valid signature and rejects every invalid one without throwing', () => {
    const failures: string[] = [];
    let valid = 0;
    let invalid = 0;
    let signed = 0;
    for (const group of vectors.testGroups) {
      expect(group.publicKey.curve).toBe('edwards25519');
      const pk = hexToBytes(group.publicKey.pk);
      const sk = group.privateKey?.sk;
      for (const t of group.tests) {
        let outcome: boolean | 'threw';
        try {
          outcome = verify(pk, hexToBytes(t.msg), hexToBytes(t.sig));
        } catch {
          outcome = 'threw';
        }
        if (t.result === 'valid') {
          valid++;
          if (outcome !== true) failures.push(`${label(t)}: verify ${String(outcome)}`);
          if (sk !== undefined) {
            signed++;
            if (bytesToHex(sign(hexToBytes(sk), hexToBytes(t.msg))) !== t.sig) failures.push(`${label(t)}: sign() differs`);
          }
        } else {
          invalid++;
          if (outcome !== false) failures.push(`${label(t)}: verify ${String(outcome)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(valid + invalid).toBe(vectors.numberOfTests);
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(50);
    // This Wycheproof file carries no private keys; sign() is covered by RFC 8032 below.
    expect(signed).toBe(
      vectors.testGroups.filter((g) => g.privateKey?.sk !== undefined).reduce((n, g) => n + g.tests.filter((t) => t.result === 'valid').length, 0),
    );
  });

  it.each(RFC8032)('RFC 8032: sign() reproduces the signature for msg "$msg"', ({ sk, pk, msg, sig }) => {
    expect(bytesToHex(signingPublicKey(hexToBytes(sk)))).toBe(pk);
    expect(bytesToHex(sign(hexToBytes(sk), hexToBytes(msg)))).toBe(sig);
    expect(verify(hexToBytes(pk), hexToBytes(msg), hexToBytes(sig))).toBe(true);
  });

  it('verify returns false, never throws, for malformed keys and signatures', () => {
    const { publicKey, secretKey } = generateSigningKeyPair();
    const msg = new Uint8Array([1, 2, 3]);
    const sig = sign(secretKey, msg);
    expect(verify(publicKey, msg, sig)).toBe(true);
    expect(verify(publicKey, new Uint8Array([1, 2, 4]), sig)).toBe(false);
    expect(verify(publicKey.subarray(0, 31), msg, sig)).toBe(false);
    expect(verify(publicKey, msg, sig.subarray(0, 63))).toBe(false);
    expect(verify(new Uint8Array(0), msg, new Uint8Array(0))).toBe(false);
    expect(verify(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
  });
});
