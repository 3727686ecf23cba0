/**
 * Random passwords, shared by the web app and the CLI (docs/protocol.md, "Password and passphrase
 * generator"). Each character is a uniform draw over the chosen alphabet (rejection sampling, see
 * uniform-random.ts). Every chosen class is guaranteed to appear, because many sites insist, by
 * drawing the whole password again until it has one of each: that keeps every qualifying password
 * exactly as likely as any other, where placing one character of each class at a fixed or chosen
 * position would not. The entropy reported is log2 of the number of qualifying passwords.
 */
import { LatchkeyError } from './errors.ts';
import { randomBelow, systemRandom, type RandomSource } from './uniform-random.ts';

export interface PasswordOptions {
  readonly length: number;
  readonly lower: boolean;
  readonly upper: boolean;
  readonly digits: boolean;
  readonly symbols: boolean;
  /** Leave out characters people confuse when reading or typing (0/O, 1/l/I). */
  readonly avoidLookAlikes: boolean;
}

export const DEFAULT_PASSWORD_OPTIONS: PasswordOptions = { length: 20, lower: true, upper: true, digits: true, symbols: true, avoidLookAlikes: false };
export const MIN_PASSWORD_LENGTH = 1;
export const MAX_PASSWORD_LENGTH = 1024;

export const CHARACTER_CLASSES = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: '!#$%&*+-=?@^_~.,:;',
} as const;
export type CharacterClass = keyof typeof CHARACTER_CLASSES;
export const LOOK_ALIKES = '0O1lI';

/** The characters of each chosen class, look-alikes removed if asked; throws `invalid_request` for options no password can meet. */
export function chosenClasses(options: PasswordOptions): string[] {
  const { length } = options;
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new LatchkeyError('invalid_request', `The length must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}.`);
  }
  const classes = (Object.keys(CHARACTER_CLASSES) as CharacterClass[])
    .filter((name) => options[name])
    .map((name) => [...CHARACTER_CLASSES[name]].filter((c) => !(options.avoidLookAlikes && LOOK_ALIKES.includes(c))).join(''));
  if (classes.length === 0) throw new LatchkeyError('invalid_request', 'Choose at least one kind of character.');
  if (length < classes.length)
    throw new LatchkeyError('invalid_request', `A password with ${classes.length} kinds of character needs at least ${classes.length} characters.`);
  return classes;
}

/** A password with these options; throws `invalid_request` (see chosenClasses). */
export function generatePassword(options: PasswordOptions, random: RandomSource = systemRandom): string {
  const classes = chosenClasses(options);
  const alphabet = classes.join('');
  for (;;) {
    let password = '';
    for (let i = 0; i < options.length; i++) password += alphabet[randomBelow(alphabet.length, random)];
    if (classes.every((chars) => [...password].some((c) => chars.includes(c)))) return password;
  }
}

/**
 * How many passwords these options can produce: strings of the length over the alphabet that
 * contain each chosen class, counted by inclusion–exclusion over the classes left out.
 */
export function passwordSpaceSize(options: PasswordOptions): bigint {
  const sizes = chosenClasses(options).map((chars) => chars.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  let count = 0n;
  for (let mask = 0; mask < 1 << sizes.length; mask++) {
    let missing = 0;
    let bits = 0;
    sizes.forEach((size, i) => {
      if (mask & (1 << i)) {
        missing += size;
        bits++;
      }
    });
    const term = BigInt(total - missing) ** BigInt(options.length);
    count += bits % 2 === 0 ? term : -term;
  }
  return count;
}

/** log2 of a positive bigint, to double precision. */
export function log2BigInt(value: bigint): number {
  if (value <= 0n) throw new RangeError('log2 of a non-positive number');
  const bitLength = value.toString(2).length;
  const shift = Math.max(0, bitLength - 64);
  return shift + Math.log2(Number(value >> BigInt(shift)));
}

/** Bits of entropy of a password generated with these options: log2 of passwordSpaceSize. */
export function passwordEntropyBits(options: PasswordOptions): number {
  return log2BigInt(passwordSpaceSize(options));
}
