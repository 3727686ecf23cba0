/**
 * The shared code alphabet and check character (Secret Keys, recovery codes, recovery shares):
 * 32 unambiguous characters, and a check character that catches every single substitution and
 * every swap of two adjacent characters, whatever the length, checked exhaustively over random
 * strings of several lengths (including lengths past 31, where the weights start to repeat), and
 * the limit that repetition brings: a swap of two characters exactly 31 apart goes unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../src/bytes.ts';
import { CODE_ALPHABET, checkCharacter, compactCode, firstForeignCharacter, groupCode, randomCodeCharacters } from '../src/check-character.ts';

const LENGTHS = [1, 2, 5, 26, 30, 31, 32, 33, 34, 63, 64, 185];

const randomString = (length: number) => randomCodeCharacters(length, randomBytes);

/** The body with its check character appended: what is printed. */
const withCheck = (body: string) => body + checkCharacter(body);

/** True when the printed string (body + check character) still verifies. */
const verifies = (printed: string) => checkCharacter(printed.slice(0, -1)) === printed.slice(-1);

describe('code alphabet', () => {
  it('has 32 unique characters, upper case and digits, without 0, O, 1 or I', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).toMatch(/^[2-9A-Z]+$/);
    for (const c of '0O1I') expect(CODE_ALPHABET).not.toContain(c);
    expect(CODE_ALPHABET).toBe('23456789ABCDEFGHJKLMNPQRSTUVWXYZ');
  });

  it('random characters come only from the alphabet, each byte mod 32 (unbiased)', () => {
    expect(randomCodeCharacters(4, () => new Uint8Array([0, 31, 32, 255]))).toBe(`2Z2Z`);
    const counts = new Map<string, number>();
    for (const c of randomString(32_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // Each character expected 1,000 times; 6 standard deviations either side.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(6 * Math.sqrt(1000));
  });
});

describe('checkCharacter', () => {
  it('is one alphabet character, deterministic, and refuses characters outside the alphabet', () => {
    const body = randomString(20);
    expect(CODE_ALPHABET).toContain(checkCharacter(body));
    expect(checkCharacter(body)).toBe(checkCharacter(body));
    expect(checkCharacter('')).toBe(CODE_ALPHABET[0]);
    for (const bad of ['ABC0', 'O', 'a', '1', 'I', '-', ' ']) expect(() => checkCharacter(bad)).toThrow(RangeError);
  });

  for (const length of LENGTHS) {
    it(`catches every single substitution in random strings of ${length} characters (check character included)`, () => {
      for (let round = 0; round < 4; round++) {
        const printed = withCheck(randomString(length));
        expect(verifies(printed)).toBe(true);
        for (let i = 0; i < printed.length; i++) {
          for (const c of CODE_ALPHABET) {
            if (c === printed[i]) continue;
            const typo = printed.slice(0, i) + c + printed.slice(i + 1);
            expect(verifies(typo), `${printed}: position ${i} -> ${c}`).toBe(false);
          }
        }
      }
    });

    it(`catches every swap of two adjacent different characters in random strings of ${length} characters`, () => {
      for (let round = 0; round < 20; round++) {
        const printed = withCheck(randomString(length));
        for (let i = 0; i + 1 < printed.length; i++) {
          if (printed[i] === printed[i + 1]) continue;
          const swapped = printed.slice(0, i) + printed[i + 1] + printed[i] + printed.slice(i + 2);
          expect(verifies(swapped), `${printed}: swap at ${i}`).toBe(false);
        }
      }
    });
  }

  it('catches swaps of every pair of different characters at every position (not only random ones)', () => {
    // Luhn mod 32 would miss swapping the first and last alphabet characters; this must not.
    for (const length of [2, 6, 34]) {
      const filler = randomString(length - 2);
      for (let i = 0; i + 1 < length; i++) {
        for (const a of CODE_ALPHABET) {
          for (const b of CODE_ALPHABET) {
            if (a === b) continue;
            const body = filler.slice(0, i) + a + b + filler.slice(i);
            const swapped = filler.slice(0, i) + b + a + filler.slice(i);
            expect(checkCharacter(swapped)).not.toBe(checkCharacter(body));
          }
        }
      }
    }
  });

  it('weights repeat every 31 positions: swaps fewer than 31 apart are caught, swaps exactly 31 apart are not', () => {
    for (let round = 0; round < 5; round++) {
      const printed = withCheck(randomString(40));
      for (let i = 0; i < printed.length; i++) {
        for (let j = i + 1; j < printed.length && j - i <= 31; j++) {
          if (printed[i] === printed[j]) continue;
          const swapped = printed.slice(0, i) + printed[j] + printed.slice(i + 1, j) + printed[i] + printed.slice(j + 1);
          expect(verifies(swapped), `${printed}: swap ${i} <-> ${j}`).toBe(j - i === 31);
        }
      }
    }
  });

  it('a body of n characters is completed by exactly one check character', () => {
    const body = randomString(34);
    expect([...CODE_ALPHABET].filter((c) => verifies(body + c))).toEqual([checkCharacter(body)]);
  });
});

describe('helpers', () => {
  it('compactCode upper-cases and drops spaces, dashes and line breaks', () => {
    expect(compactCode(' r1-abcde fghjk\n-lmn\tpq ')).toBe('R1ABCDEFGHJKLMNPQ');
  });

  it('firstForeignCharacter finds the first character outside the alphabet', () => {
    expect(firstForeignCharacter('ABC')).toBeUndefined();
    expect(firstForeignCharacter('AB0C1')).toBe('0');
    expect(firstForeignCharacter('abc')).toBe('a');
  });

  it('groupCode splits into dash-separated groups, any rest in a last group', () => {
    expect(groupCode('ABCDEFGHJK', [5, 5])).toBe('ABCDE-FGHJK');
    expect(groupCode('ABCDEFGHJKL', [5, 5])).toBe('ABCDE-FGHJK-L');
    expect(groupCode('ABC', [2, 5])).toBe('AB-C');
  });
});
