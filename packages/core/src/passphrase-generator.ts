/**
 * Passphrases: words drawn uniformly and independently from the EFF long word list (7,776 words,
 * eff-long-wordlist.ts) with rejection sampling (uniform-random.ts), joined by a separator,
 * optionally capitalised, optionally with one random digit after one random word
 * (docs/protocol.md, "Password and passphrase generator").
 *
 * The entropy reported is log2 of the number of equally likely draws: words × log2(7776), plus
 * log2(10 × words) for the digit. It is also the entropy of the text, because a passphrase reads
 * back to one draw only: the separator may not hold letters or digits, so it never appears inside
 * a word except for "-", and the four hyphenated words (drop-down, felt-tip, t-shirt, yo-yo) start
 * with a part that is not itself a word, so the split is still unique.
 */
import { EFF_LONG_WORDLIST } from './eff-long-wordlist.ts';
import { LatchkeyError } from './errors.ts';
import { randomBelow, systemRandom, type RandomSource } from './uniform-random.ts';

export interface PassphraseOptions {
  readonly words: number;
  readonly separator: string;
  /** Upper-case the first letter of every word (adds no entropy; for sites that demand a capital). */
  readonly capitalize: boolean;
  /** Append one random digit to one random word (for sites that demand a digit). */
  readonly number: boolean;
}

export const DEFAULT_PASSPHRASE_OPTIONS: PassphraseOptions = { words: 6, separator: '-', capitalize: false, number: false };
export const MIN_PASSPHRASE_WORDS = 1;
export const MAX_PASSPHRASE_WORDS = 64;
export const MAX_SEPARATOR_LENGTH = 8;

function checkOptions(options: PassphraseOptions): void {
  const { words, separator } = options;
  if (!Number.isInteger(words) || words < MIN_PASSPHRASE_WORDS || words > MAX_PASSPHRASE_WORDS) {
    throw new LatchkeyError('invalid_request', `The number of words must be a whole number from ${MIN_PASSPHRASE_WORDS} to ${MAX_PASSPHRASE_WORDS}.`);
  }
  if ([...separator].length > MAX_SEPARATOR_LENGTH || /[\p{L}\p{N}]/u.test(separator) || (separator === '' && words > 1)) {
    throw new LatchkeyError('invalid_request', `The separator must be 1 to ${MAX_SEPARATOR_LENGTH} characters with no letters or digits.`);
  }
}

/** A passphrase with these options; throws `invalid_request` for bad options. */
export function generatePassphrase(options: PassphraseOptions, random: RandomSource = systemRandom): string {
  checkOptions(options);
  const words = Array.from({ length: options.words }, () => EFF_LONG_WORDLIST[randomBelow(EFF_LONG_WORDLIST.length, random)]!);
  const shaped = options.capitalize ? words.map((word) => word[0]!.toUpperCase() + word.slice(1)) : words;
  if (options.number) {
    const at = randomBelow(shaped.length, random);
    shaped[at] += String(randomBelow(10, random));
  }
  return shaped.join(options.separator);
}

/** Bits of entropy of a passphrase generated with these options (see the comment at the top). */
export function passphraseEntropyBits(options: PassphraseOptions): number {
  checkOptions(options);
  return options.words * Math.log2(EFF_LONG_WORDLIST.length) + (options.number ? Math.log2(10 * options.words) : 0);
}
