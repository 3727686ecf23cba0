/**
 * Generated passwords: the chosen classes and only those, each at least once (by redrawing the
 * whole password, shown with an injected source), look-alikes left out when asked, bad options
 * refused with `invalid_request`, and entropy as log2 of the exact number of possible passwords
 * (checked against brute-force counts and known figures).
 */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import {
  CHARACTER_CLASSES,
  DEFAULT_PASSWORD_OPTIONS,
  LOOK_ALIKES,
  generatePassword,
  passwordEntropyBits,
  passwordSpaceSize,
  type PasswordOptions,
} from '../src/password-generator.ts';
import type { RandomSource } from '../src/uniform-random.ts';

const none: PasswordOptions = { length: 20, lower: false, upper: false, digits: false, symbols: false, avoidLookAlikes: false };

function scripted(values: number[]): RandomSource & { taken: () => number } {
  let next = 0;
  const source = (buffer: Uint32Array) => {
    for (let i = 0; i < buffer.length; i++) buffer[i] = values[next++] ?? Number.NaN;
    if (next > values.length) throw new Error('scripted source ran out');
    return buffer;
  };
  return Object.assign(source, { taken: () => next });
}

/** Counts by enumeration the strings of `length` over the classes' alphabet that hold every class. */
function bruteForceCount(classes: string[], length: number): number {
  const alphabet = classes.join('');
  let count = 0;
  const indices = new Array<number>(length).fill(0);
  for (;;) {
    const word = indices.map((i) => alphabet[i]).join('');
    if (classes.every((chars) => [...word].some((c) => chars.includes(c)))) count++;
    let k = 0;
    while (k < length && ++indices[k]! === alphabet.length) indices[k++] = 0;
    if (k === length) return count;
  }
}

describe('generatePassword', () => {
  it('draws each character uniformly from the alphabet, in class order', () => {
    expect(generatePassword({ ...none, length: 4, digits: true }, scripted([0, 1, 2, 9]))).toBe('0129');
  });

  it('redraws the whole password until every chosen class appears', () => {
    // Alphabet: a–z (indices 0–25), then 0–9 (26–35). "ab" lacks a digit, so it is thrown away whole.
    const source = scripted([0, 1, 0, 26]);
    expect(generatePassword({ ...none, length: 2, lower: true, digits: true }, source)).toBe('a0');
    expect(source.taken()).toBe(4);
  });

  it('uses the chosen classes, and each of them, in every password', () => {
    for (let i = 0; i < 200; i++) {
      const password = generatePassword({ ...DEFAULT_PASSWORD_OPTIONS, length: 8 });
      expect(password).toHaveLength(8);
      for (const chars of Object.values(CHARACTER_CLASSES)) expect([...password].some((c) => chars.includes(c))).toBe(true);
    }
    const noSymbols = generatePassword({ ...DEFAULT_PASSWORD_OPTIONS, length: 200, symbols: false });
    expect(noSymbols).toMatch(/^[A-Za-z0-9]{200}$/);
    expect(generatePassword({ ...none, length: 50, digits: true })).toMatch(/^[0-9]{50}$/);
  });

  it('leaves out look-alike characters when asked', () => {
    const password = generatePassword({ ...DEFAULT_PASSWORD_OPTIONS, length: 1024, avoidLookAlikes: true });
    expect([...password].filter((c) => LOOK_ALIKES.includes(c))).toEqual([]);
  });

  it('refuses options no password can meet, with invalid_request', () => {
    const bad: PasswordOptions[] = [
      { ...DEFAULT_PASSWORD_OPTIONS, length: 0 },
      { ...DEFAULT_PASSWORD_OPTIONS, length: 1025 },
      { ...DEFAULT_PASSWORD_OPTIONS, length: 12.5 },
      { ...DEFAULT_PASSWORD_OPTIONS, length: 3 },
      none,
    ];
    for (const options of bad) {
      expect(() => generatePassword(options)).toThrow(LatchkeyError);
      expect(() => generatePassword(options)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
      expect(() => passwordEntropyBits(options)).toThrow(LatchkeyError);
    }
  });
});

describe('passwordEntropyBits', () => {
  it('counts exactly the passwords that hold every chosen class', () => {
    expect(passwordSpaceSize({ ...none, length: 2, lower: true, digits: true })).toBe(2n * 26n * 10n);
    expect(passwordSpaceSize({ ...none, length: 3, lower: true, digits: true })).toBe(
      BigInt(bruteForceCount([CHARACTER_CLASSES.lower, CHARACTER_CLASSES.digits], 3)),
    );
    const noLookAlikes = { ...none, length: 3, upper: true, digits: true, symbols: true, avoidLookAlikes: true };
    const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', CHARACTER_CLASSES.symbols];
    expect(passwordSpaceSize(noLookAlikes)).toBe(BigInt(bruteForceCount(classes, 3)));
  });

  it('gives the known figures for one class and for the defaults', () => {
    expect(passwordEntropyBits({ ...none, length: 6, digits: true })).toBeCloseTo(6 * Math.log2(10), 10);
    expect(passwordEntropyBits({ ...none, length: 20, lower: true })).toBeCloseTo(20 * Math.log2(26), 10);
    // 20 characters over 80: 126.44 bits for any string, ~0.11 fewer for those that hold all four classes.
    const bits = passwordEntropyBits(DEFAULT_PASSWORD_OPTIONS);
    expect(bits).toBeLessThan(20 * Math.log2(80));
    expect(bits).toBeCloseTo(126.3247, 4);
    // A very long password still has an exact, finite figure.
    expect(passwordEntropyBits({ ...DEFAULT_PASSWORD_OPTIONS, length: 1024 })).toBeCloseTo(1024 * Math.log2(80), 6);
  });
});
