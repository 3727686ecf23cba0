/**
 * Passphrases from the vendored EFF long word list: the list is the published one in shape
 * (7,776 distinct words, abacus … zoom, alphabetical), words are uniform draws (boundary shown with
 * an injected source), a passphrase reads back to one draw only (so the entropy figure is the
 * text's), and bad options are refused with `invalid_request`.
 */
import { describe, expect, it } from 'vitest';
import { EFF_LONG_WORDLIST } from '../src/eff-long-wordlist.ts';
import { LatchkeyError } from '../src/errors.ts';
import { DEFAULT_PASSPHRASE_OPTIONS, generatePassphrase, passphraseEntropyBits, type PassphraseOptions } from '../src/passphrase-generator.ts';
import { rejectionLimit, type RandomSource } from '../src/uniform-random.ts';

function scripted(values: number[]): RandomSource & { taken: () => number } {
  let next = 0;
  const source = (buffer: Uint32Array) => {
    for (let i = 0; i < buffer.length; i++) {
      if (next >= values.length) throw new Error('scripted source ran out');
      buffer[i] = values[next++]!;
    }
    return buffer;
  };
  return Object.assign(source, { taken: () => next });
}

const plain: PassphraseOptions = { words: 2, separator: ' ', capitalize: false, number: false };

describe('the EFF long word list', () => {
  it('has the published shape: 7,776 distinct words in order, abacus to zoom', () => {
    expect(EFF_LONG_WORDLIST).toHaveLength(7776);
    expect(new Set(EFF_LONG_WORDLIST).size).toBe(7776);
    expect(EFF_LONG_WORDLIST[0]).toBe('abacus');
    expect(EFF_LONG_WORDLIST[1]).toBe('abdomen');
    expect(EFF_LONG_WORDLIST[7775]).toBe('zoom');
    expect([...EFF_LONG_WORDLIST].sort()).toEqual([...EFF_LONG_WORDLIST]);
    for (const word of ['clicker', 'unicorn', 'zealous', 'lunacy', 'ladybug']) expect(EFF_LONG_WORDLIST).toContain(word);
  });

  it('holds only lower-case words, the hyphenated ones starting with a part that is no word', () => {
    const hyphenated = EFF_LONG_WORDLIST.filter((word) => word.includes('-'));
    expect(hyphenated).toEqual(['drop-down', 'felt-tip', 't-shirt', 'yo-yo']);
    for (const word of EFF_LONG_WORDLIST) expect(word).toMatch(/^[a-z]+(-[a-z]+)?$/);
    // Why "-" as a separator still reads back to one draw: a part before a hyphen never ends a word.
    for (const word of hyphenated) expect(EFF_LONG_WORDLIST).not.toContain(word.split('-')[0]);
  });
});

describe('generatePassphrase', () => {
  it('picks words by index, uniformly, rejecting at the boundary', () => {
    expect(generatePassphrase(plain, scripted([0, 7775]))).toBe('abacus zoom');
    const limit = rejectionLimit(7776);
    const source = scripted([limit, limit - 1, 7776 + 1]);
    expect(generatePassphrase(plain, source)).toBe(`zoom ${EFF_LONG_WORDLIST[1]}`);
    expect(source.taken()).toBe(3);
  });

  it('capitalises every word and appends one digit to one word when asked', () => {
    expect(generatePassphrase({ ...plain, capitalize: true }, scripted([0, 7775]))).toBe('Abacus Zoom');
    // Words abacus, zoom; then the word to get the digit (1: the second), then the digit (7).
    expect(generatePassphrase({ ...plain, separator: '-', number: true }, scripted([0, 7775, 1, 7]))).toBe('abacus-zoom7');
  });

  it('makes passphrases of list words with the separator', () => {
    for (let i = 0; i < 50; i++) {
      const words = generatePassphrase({ ...DEFAULT_PASSPHRASE_OPTIONS, separator: ' . ' }).split(' . ');
      expect(words).toHaveLength(6);
      for (const word of words) expect(EFF_LONG_WORDLIST).toContain(word);
    }
    const withNumber = generatePassphrase({ ...plain, words: 4, number: true, capitalize: true });
    expect(withNumber.match(/[0-9]/g)).toHaveLength(1);
    expect(withNumber.split(' ').every((word) => /^[A-Z]/.test(word))).toBe(true);
  });

  it('refuses bad options with invalid_request', () => {
    const bad: PassphraseOptions[] = [
      { ...plain, words: 0 },
      { ...plain, words: 65 },
      { ...plain, words: 2.5 },
      { ...plain, separator: 'x' },
      { ...plain, separator: '1' },
      { ...plain, separator: '' },
      { ...plain, separator: '---------' },
    ];
    for (const options of bad) {
      expect(() => generatePassphrase(options)).toThrow(LatchkeyError);
      expect(() => passphraseEntropyBits(options)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
    expect(generatePassphrase({ ...plain, words: 1, separator: '' }, scripted([0]))).toBe('abacus');
  });
});

describe('passphraseEntropyBits', () => {
  it('is log2(7776) ≈ 12.925 bits a word, plus log2(10 × words) for the digit', () => {
    expect(passphraseEntropyBits(DEFAULT_PASSPHRASE_OPTIONS)).toBeCloseTo(77.549, 3);
    expect(passphraseEntropyBits({ ...plain, words: 1 })).toBeCloseTo(12.925, 3);
    expect(passphraseEntropyBits({ ...DEFAULT_PASSPHRASE_OPTIONS, number: true })).toBeCloseTo(77.549 + Math.log2(60), 3);
    expect(passphraseEntropyBits({ ...DEFAULT_PASSPHRASE_OPTIONS, capitalize: true })).toBe(passphraseEntropyBits(DEFAULT_PASSPHRASE_OPTIONS));
  });
});
