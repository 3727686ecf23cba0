/**
 * Recovery codes (R1): the printed format, entropy by construction, parsing what a person types
 * (case, spaces and dashes do not matter; a typo and a malformed code are told apart), the two
 * keys derived from a code, and the signature proofs the server checks: a proof is good only
 * for the same code, purpose and challenge, and checking never throws.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../src/bytes.ts';
import { CODE_ALPHABET } from '../src/check-character.ts';
import {
  RECOVERY_CODE_VERSION,
  deriveRecoveryKeys,
  generateRecoveryCode,
  lastGroupOf,
  parseRecoveryCode,
  proveRecoveryCode,
  verifyRecoveryProof,
  type RecoveryCode,
  type RecoveryProofPurpose,
} from '../src/recovery-code.ts';
import { codeOf, expectLatchkeyErrorSync } from './helpers/errors.ts';

const A = `[${CODE_ALPHABET}]`;
const FORMAT = new RegExp(`^R1-(${A}{5}-){6}${A}{5}$`);

/** The 35 characters after the version: 34 random ones and the check character. */
const compact = (code: string) => code.replace(/-/g, '').slice(RECOVERY_CODE_VERSION.length);
const fromCompact = (chars: string) => `${RECOVERY_CODE_VERSION}-${chars.match(/.{1,5}/g)!.join('-')}`;

/** The check character for 34 random characters, found by asking the parser. */
function checkFor(body: string): string {
  const fits = [...CODE_ALPHABET].filter((c) => codeOf(() => parseRecoveryCode(fromCompact(body + c))) === 'ok');
  expect(fits).toHaveLength(1);
  return fits[0]!;
}

const PURPOSES: readonly RecoveryProofPurpose[] = ['recover', 'confirm', 'check'];

describe('recovery code format', () => {
  it('is R1 and 7 groups of 5: 34 random characters and a check character', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(FORMAT);
    expect(RECOVERY_CODE_VERSION).toBe('R1');
    expect(compact(code)).toHaveLength(35);
    expect(code).toHaveLength(2 + 7 * 6);
  });

  it('carries at least 160 bits of entropy by construction (34 characters of a 32-character alphabet)', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    const bits = 34 * Math.log2(CODE_ALPHABET.length);
    expect(bits).toBe(170);
    expect(bits).toBeGreaterThanOrEqual(160);
  });

  it('1,000 generated codes are distinct, parse to themselves, and use every character of the alphabet', () => {
    const codes = Array.from({ length: 1000 }, generateRecoveryCode);
    expect(new Set(codes).size).toBe(1000);
    for (const code of codes) expect(parseRecoveryCode(code)).toBe(code);
    // Every position varies, and over 34,000 random characters each of the 32 shows up.
    const seen = new Set(codes.flatMap((c) => [...compact(c).slice(0, 34)]));
    expect(seen.size).toBe(32);
    for (let i = 0; i < 34; i++) expect(new Set(codes.map((c) => compact(c)[i])).size).toBeGreaterThan(16);
  });
});

describe('parseRecoveryCode', () => {
  const code = generateRecoveryCode();

  it('ignores case, spaces, dashes and line breaks', () => {
    const chars = compact(code);
    for (const typed of [
      code.toLowerCase(),
      `  ${code}  `,
      `R1${chars}`,
      `r1 ${chars.match(/.{1,5}/g)!.join(' ')}`,
      `R1-${chars.slice(0, 17)}\n${chars.slice(17)}`,
      `R-1-${chars.split('').join('-')}`,
    ]) {
      expect(parseRecoveryCode(typed)).toBe(code);
    }
  });

  it('reports a typo (check character mismatch) as recovery_code_typo', () => {
    const chars = compact(code);
    for (let i = 0; i < chars.length; i++) {
      const replacement = CODE_ALPHABET[(CODE_ALPHABET.indexOf(chars[i]!) + 1) % 32]!;
      expectLatchkeyErrorSync(() => parseRecoveryCode(fromCompact(chars.slice(0, i) + replacement + chars.slice(i + 1))), 'recovery_code_typo');
    }
    const swapAt = [...chars].findIndex((c, i) => i + 1 < chars.length && c !== chars[i + 1]);
    const swapped = chars.slice(0, swapAt) + chars[swapAt + 1] + chars[swapAt] + chars.slice(swapAt + 2);
    expectLatchkeyErrorSync(() => parseRecoveryCode(fromCompact(swapped)), 'recovery_code_typo');
  });

  it('reports a malformed code as recovery_code_malformed', () => {
    const chars = compact(code);
    for (const bad of [
      '',
      'R1',
      chars, // no version
      `R2-${code.slice(3)}`,
      `L1-${code.slice(3)}`, // a Secret Key's version
      fromCompact(chars.slice(0, -1)), // one character short
      fromCompact(`${chars}A`), // one character too many
      fromCompact(`${chars.slice(0, 10)}0${chars.slice(11)}`), // look-alikes are never used
      fromCompact(`${chars.slice(0, 10)}O${chars.slice(11)}`),
      fromCompact(`${chars.slice(0, 10)}1${chars.slice(11)}`),
      fromCompact(`${chars.slice(0, 10)}I${chars.slice(11)}`),
      `${code}!`,
      code.replace('-', '_'),
    ]) {
      expectLatchkeyErrorSync(() => parseRecoveryCode(bad), 'recovery_code_malformed');
    }
  });

  it('says which look-alike character is never used', () => {
    const chars = compact(code);
    const error = expectLatchkeyErrorSync(() => parseRecoveryCode(fromCompact(`O${chars.slice(1)}`)), 'recovery_code_malformed');
    expect(error.message).toMatch(/never use 0, O, 1 or I/);
  });

  it('accepts exactly one check character for a body (computed independently of the generator)', () => {
    const body = compact(code).slice(0, 34);
    expect(checkFor(body)).toBe(compact(code).at(-1));
  });
});

describe('lastGroupOf', () => {
  it('is the last group of 5, ending with the check character', () => {
    const code = generateRecoveryCode();
    const last = lastGroupOf(code);
    expect(last).toHaveLength(5);
    expect(last).toBe(code.slice(-5));
    expect(last).toBe(compact(code).slice(-5));
    expect(code.endsWith(`-${last}`)).toBe(true);
    expect(lastGroupOf('R1-22222-33333-44444-55555-66666-77777-8888X' as RecoveryCode)).toBe('8888X');
  });
});

describe('deriveRecoveryKeys', () => {
  const code = generateRecoveryCode();
  const other = generateRecoveryCode();

  it('is deterministic for a code, whatever way it was typed', () => {
    const a = deriveRecoveryKeys(code);
    const b = deriveRecoveryKeys(parseRecoveryCode(code.toLowerCase().replace(/-/g, ' ')));
    expect(b.authPublicKey).toBe(a.authPublicKey);
    expect(b.authSecretKey).toEqual(a.authSecretKey);
    expect(b.wrappingKey).toEqual(a.wrappingKey);
  });

  it('gives different keys for different codes, even codes one character apart', () => {
    const a = deriveRecoveryKeys(code);
    const b = deriveRecoveryKeys(other);
    expect(b.authPublicKey).not.toBe(a.authPublicKey);
    expect(b.authSecretKey).not.toEqual(a.authSecretKey);
    expect(b.wrappingKey).not.toEqual(a.wrappingKey);
    const chars = compact(code).slice(0, 34);
    const flipped = chars.slice(0, 33) + CODE_ALPHABET[(CODE_ALPHABET.indexOf(chars[33]!) + 1) % 32];
    const near = parseRecoveryCode(fromCompact(flipped + checkFor(flipped)));
    const c = deriveRecoveryKeys(near);
    expect(c.authPublicKey).not.toBe(a.authPublicKey);
    expect(c.wrappingKey).not.toEqual(a.wrappingKey);
  });

  it('derives an authentication key and a wrapping key that differ from each other', () => {
    const keys = deriveRecoveryKeys(code);
    expect(keys.authSecretKey).toHaveLength(32);
    expect(keys.wrappingKey).toHaveLength(32);
    expect(keys.wrappingKey).not.toEqual(keys.authSecretKey);
    const publicKey = fromBase64Url(keys.authPublicKey);
    expect(publicKey).toHaveLength(32);
    expect(publicKey).not.toEqual(keys.wrappingKey);
    expect(publicKey).not.toEqual(keys.authSecretKey);
  });
});

describe('proveRecoveryCode / verifyRecoveryProof', () => {
  const code = generateRecoveryCode();
  const keys = deriveRecoveryKeys(code);
  const otherKeys = deriveRecoveryKeys(generateRecoveryCode());
  const challenge = toBase64Url(new Uint8Array(32).fill(7));
  const otherChallenge = toBase64Url(new Uint8Array(32).fill(8));

  it('verifies for the same code, purpose and challenge', () => {
    for (const purpose of PURPOSES) {
      const proof = proveRecoveryCode(keys, purpose, challenge);
      expect(verifyRecoveryProof(keys.authPublicKey, purpose, challenge, proof)).toBe(true);
      // Ed25519 is deterministic: the same proof again, and it does not contain the code.
      expect(proveRecoveryCode(keys, purpose, challenge)).toBe(proof);
    }
  });

  it('a proof for one purpose is refused for every other purpose', () => {
    for (const made of PURPOSES) {
      const proof = proveRecoveryCode(keys, made, challenge);
      for (const used of PURPOSES) expect(verifyRecoveryProof(keys.authPublicKey, used, challenge, proof)).toBe(made === used);
    }
  });

  it('a proof for one challenge is refused for another', () => {
    const proof = proveRecoveryCode(keys, 'recover', challenge);
    expect(verifyRecoveryProof(keys.authPublicKey, 'recover', otherChallenge, proof)).toBe(false);
    expect(verifyRecoveryProof(keys.authPublicKey, 'recover', `${challenge}A`, proof)).toBe(false);
    expect(verifyRecoveryProof(keys.authPublicKey, 'recover', '', proof)).toBe(false);
  });

  it('a proof made with another code is refused', () => {
    const proof = proveRecoveryCode(otherKeys, 'recover', challenge);
    expect(verifyRecoveryProof(keys.authPublicKey, 'recover', challenge, proof)).toBe(false);
    expect(verifyRecoveryProof(otherKeys.authPublicKey, 'recover', challenge, proof)).toBe(true);
  });

  it('a tampered signature is refused: every bit flipped in turn', () => {
    const proof = fromBase64Url(proveRecoveryCode(keys, 'check', challenge));
    expect(proof).toHaveLength(64);
    for (let bit = 0; bit < proof.length * 8; bit++) {
      const tampered = proof.slice();
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      expect(verifyRecoveryProof(keys.authPublicKey, 'check', challenge, toBase64Url(tampered))).toBe(false);
    }
  });

  it('garbage never throws, it is simply false', () => {
    const proof = proveRecoveryCode(keys, 'recover', challenge);
    const cases: [string, string][] = [
      [keys.authPublicKey, ''],
      [keys.authPublicKey, 'not base64!'],
      [keys.authPublicKey, '====='],
      [keys.authPublicKey, 'A'],
      [keys.authPublicKey, proof.slice(0, -4)],
      [keys.authPublicKey, `${proof}AAAA`],
      [keys.authPublicKey, toBase64Url(new Uint8Array(64))],
      ['', proof],
      ['garbage!', proof],
      [toBase64Url(new Uint8Array(32)), proof],
      [toBase64Url(new Uint8Array(31)), proof],
      [toBase64Url(new Uint8Array(32).fill(255)), proof],
    ];
    for (const [publicKey, signature] of cases) {
      expect(() => verifyRecoveryProof(publicKey, 'recover', challenge, signature)).not.toThrow();
      expect(verifyRecoveryProof(publicKey, 'recover', challenge, signature)).toBe(false);
    }
  });
});
