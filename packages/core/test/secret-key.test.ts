/**
 * The Secret Key: its printed format, parsing of what people type, the check character that
 * must catch every single mistyped character and every swap of two adjacent characters, the
 * entropy of the secret part, and the non-secret verifier the server stores.
 */
import { describe, expect, it } from 'vitest';
import {
  accountIdOf,
  generateAccountId,
  generateSecretKey,
  parseSecretKey,
  SECRET_KEY_ALPHABET,
  SECRET_KEY_VERSION,
  secretKeyVerifier,
  type SecretKey,
} from '../src/secret-key.ts';
import { codeOf, expectLatchkeyErrorSync } from './helpers/errors.ts';

const A = `[${SECRET_KEY_ALPHABET}]`;
const FORMAT = new RegExp(`^L1-(${A}{6})-${A}{6}-${A}{5}-${A}{5}-${A}{5}-${A}{6}$`);

/** The 33 characters after the version (account id, 26 secret characters, check character). */
const compact = (key: string) => key.replace(/-/g, '').slice(SECRET_KEY_VERSION.length);
const fromCompact = (chars: string) => `${SECRET_KEY_VERSION}${chars}`;

/**
 * The check character for 32 body characters, found by asking the parser (so these tests do not
 * depend on how the check is computed). Exactly one character of the alphabet must complete a body.
 */
function checkFor(body: string): string {
  const fits = [...SECRET_KEY_ALPHABET].filter((c) => codeOf(() => parseSecretKey(fromCompact(body + c))) === 'ok');
  expect(fits, `check characters completing ${body}`).toHaveLength(1);
  return fits[0]!;
}

describe('Secret Key format', () => {
  it('is L1, a 6-character account id, then 26 secret characters and a check character in groups', () => {
    const key = generateSecretKey();
    expect(key).toMatch(FORMAT);
    expect(key.startsWith(`${SECRET_KEY_VERSION}-`)).toBe(true);
    expect(SECRET_KEY_VERSION).toBe('L1');
    expect(compact(key)).toHaveLength(6 + 26 + 1);
  });

  it('carries the account id it was generated for', () => {
    const key = generateSecretKey('ABCDEF');
    expect(key.startsWith('L1-ABCDEF-')).toBe(true);
    expect(accountIdOf(key)).toBe('ABCDEF');
    const id = generateAccountId();
    expect(id).toMatch(new RegExp(`^${A}{6}$`));
    expect(accountIdOf(generateSecretKey(id))).toBe(id);
  });

  it('refuses an account id that is not 6 alphabet characters', () => {
    for (const bad of ['', 'ABCDE', 'ABCDEFG', 'abcdef', 'ABCDE0', 'ABCDEO', 'ABCDE1', 'ABCDEI', 'ABC-EF']) {
      expect(() => generateSecretKey(bad)).toThrow(RangeError);
    }
  });

  it('1,000 generated keys are distinct and each parses to itself', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const key = generateSecretKey();
      expect(key).toMatch(FORMAT);
      expect(parseSecretKey(key)).toBe(key);
      keys.add(key);
    }
    expect(keys.size).toBe(1000);
  });
});

describe('parseSecretKey', () => {
  const key = generateSecretKey();

  it('ignores case, spaces and dashes', () => {
    const variants = [
      key.toLowerCase(),
      key.replace(/-/g, ''),
      key.replace(/-/g, ' '),
      `  ${key.replace(/-/g, ' - ')}\n`,
      key
        .replace(/-/g, '')
        .toLowerCase()
        .replace(/(.{4})/g, '$1 '),
      key.split('').join(' '),
      key.replace(/-/g, '\t'),
      `${key.slice(0, 10).toLowerCase()}${key.slice(10)}`,
    ];
    for (const v of variants) expect(parseSecretKey(v)).toBe(key);
  });

  it('rejects wrong lengths, look-alike characters, other versions and junk with secret_key_malformed', () => {
    const chars = compact(key);
    const cases = [
      '',
      'L1',
      'L1-',
      fromCompact(chars.slice(0, -1)),
      fromCompact(`${chars}2`),
      fromCompact(chars.slice(1)),
      `L2${chars}`,
      `L0${chars}`,
      `X1${chars}`,
      chars,
      `1L${chars}`,
      ...['0', 'O', '1', 'I', 'o', 'i', '!', 'é', '_'].map((c) => fromCompact(c + chars.slice(1))),
      ...['0', 'O', '1', 'I'].map((c) => fromCompact(chars.slice(0, 20) + c + chars.slice(21))),
    ];
    for (const input of cases) expectLatchkeyErrorSync(() => parseSecretKey(input), 'secret_key_malformed');
  });

  it('rejects EVERY single-character substitution with secret_key_typo', () => {
    const failures: string[] = [];
    let tried = 0;
    for (let k = 0; k < 8; k++) {
      const chars = compact(generateSecretKey());
      for (let i = 0; i < chars.length; i++) {
        for (const c of SECRET_KEY_ALPHABET) {
          if (c === chars[i]) continue;
          tried++;
          const typo = fromCompact(chars.slice(0, i) + c + chars.slice(i + 1));
          const code = codeOf(() => parseSecretKey(typo));
          if (code !== 'secret_key_typo') failures.push(`${typo} (position ${i}, ${chars[i]}→${c}): ${code}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(tried).toBe(8 * 33 * 31);
  });

  it('rejects every adjacent transposition of two different characters in generated keys', () => {
    const failures: string[] = [];
    for (let k = 0; k < 200; k++) {
      const key = generateSecretKey();
      // The whole typed form after "L", so swaps with the version digit are covered too.
      const typed = key.replace(/-/g, '');
      for (let i = 0; i + 1 < typed.length; i++) {
        if (typed[i] === typed[i + 1]) continue;
        const swapped = typed.slice(0, i) + typed[i + 1] + typed[i] + typed.slice(i + 2);
        const code = codeOf(() => parseSecretKey(swapped));
        if (code !== 'secret_key_typo' && code !== 'secret_key_malformed') failures.push(`${swapped} (positions ${i},${i + 1}): ${code}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects the swap of ANY two different adjacent characters, at either position parity, with secret_key_typo', () => {
    // Exhaustive over ordered pairs (a, b): plant "ab" in an otherwise fixed key so that the check
    // character is recomputed for it, then swap the pair. Both parities matter for a Luhn-style
    // check (one of the two positions is doubled), and so does the last pair (body, check char).
    const filler = generateSecretKey('ABCDEF');
    const body = compact(filler).slice(0, -1); // 32 checked characters before the check character
    const undetected: string[] = [];
    for (const a of SECRET_KEY_ALPHABET) {
      for (const b of SECRET_KEY_ALPHABET) {
        if (a === b) continue;
        for (const at of [10, 11]) {
          const planted = body.slice(0, at) + a + b + body.slice(at + 2);
          const check = checkFor(planted);
          const swapped = fromCompact(planted.slice(0, at) + b + a + planted.slice(at + 2) + check);
          if (codeOf(() => parseSecretKey(swapped)) !== 'secret_key_typo') undetected.push(`${a}${b}→${b}${a} at ${at}`);
        }
      }
    }
    expect(undetected).toEqual([]);
  });

  it('rejects the swap of the last secret character and the check character', () => {
    const body = compact(generateSecretKey('ABCDEF')).slice(0, -1);
    const undetected: string[] = [];
    for (const a of SECRET_KEY_ALPHABET) {
      const planted = body.slice(0, -1) + a;
      const check = checkFor(planted);
      if (check === a) continue;
      const swapped = fromCompact(planted.slice(0, -1) + check + a);
      if (codeOf(() => parseSecretKey(swapped)) !== 'secret_key_typo') undetected.push(`${a}${check}→${check}${a}`);
    }
    expect(undetected).toEqual([]);
  });
});

describe('Secret Key entropy', () => {
  it('draws 26 secret characters from a 32-character alphabet without look-alikes (130 bits ≥ 128)', () => {
    expect(SECRET_KEY_ALPHABET).toHaveLength(32);
    expect(new Set(SECRET_KEY_ALPHABET).size).toBe(32);
    for (const c of '01OI') expect(SECRET_KEY_ALPHABET.includes(c)).toBe(false);
    const secretPart = compact(generateSecretKey()).slice(6, -1);
    expect(secretPart).toHaveLength(26);
    expect(secretPart.length * Math.log2(SECRET_KEY_ALPHABET.length)).toBeGreaterThanOrEqual(128);
  });

  it('uses every character about equally often (loose chi-square over 2,000 keys)', () => {
    const counts = new Map<string, number>([...SECRET_KEY_ALPHABET].map((c) => [c, 0]));
    const keys = 2000;
    const positionFirst = new Map<string, number>([...SECRET_KEY_ALPHABET].map((c) => [c, 0]));
    for (let k = 0; k < keys; k++) {
      const secretPart = compact(generateSecretKey('ABCDEF')).slice(6, -1);
      for (const c of secretPart) counts.set(c, counts.get(c)! + 1);
      positionFirst.set(secretPart[0]!, positionFirst.get(secretPart[0]!)! + 1);
    }
    const chiSquare = (observed: Map<string, number>, total: number) => {
      const expected = total / 32;
      return [...observed.values()].reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
    };
    // 31 degrees of freedom: mean 31, sd ≈ 7.9. 120 is > 11 sd away (p < 1e-11), yet a
    // byte-mod-N bias or a stuck character would blow far past it.
    expect(chiSquare(counts, keys * 26)).toBeLessThan(120);
    expect(chiSquare(positionFirst, keys)).toBeLessThan(120);
    for (const n of counts.values()) expect(n).toBeGreaterThan(0);
  });
});

describe('secretKeyVerifier', () => {
  it('is deterministic, differs between keys, is not the key and does not depend on how the key was typed', () => {
    const a = generateSecretKey();
    const b = generateSecretKey(accountIdOf(a));
    expect(secretKeyVerifier(a)).toBe(secretKeyVerifier(a));
    expect(secretKeyVerifier(a)).toBe(secretKeyVerifier(parseSecretKey(a.toLowerCase().replace(/-/g, ' '))));
    expect(secretKeyVerifier(a)).not.toBe(secretKeyVerifier(b));
    const v = secretKeyVerifier(a);
    expect(v).toMatch(/^[0-9a-f]{64}$/);
    expect(v).not.toBe(a);
    expect(v.toUpperCase()).not.toContain(compact(a).slice(6, -1));
  });

  it('differs for 1,000 keys of the same account', () => {
    const verifiers = new Set<string>();
    for (let i = 0; i < 1000; i++) verifiers.add(secretKeyVerifier(generateSecretKey('ABCDEF') as SecretKey));
    expect(verifiers.size).toBe(1000);
  });
});
