/**
 * Random passwords from the browser's CSPRNG. Characters are drawn without modulo bias
 * (rejection sampling), and every chosen character class is guaranteed to appear (many sites
 * insist) by redrawing rather than by placing characters at fixed positions.
 */

export interface GeneratorOptions {
  readonly length: number;
  readonly lower: boolean;
  readonly upper: boolean;
  readonly digits: boolean;
  readonly symbols: boolean;
  /** Leave out characters people confuse when reading or typing (0/O, 1/l/I). */
  readonly avoidLookAlikes: boolean;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = { length: 20, lower: true, upper: true, digits: true, symbols: true, avoidLookAlikes: true };
export const MIN_LENGTH = 8;
export const MAX_LENGTH = 128;

const CLASSES = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  symbols: '!#$%&*+-=?@^_~.,:;',
} as const;
const LOOK_ALIKES = /[0O1lI]/g;

/** A uniform random integer in [0, n). */
function randomBelow(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0]! < limit) return buf[0]! % n;
  }
}

/** Throws RangeError for a length outside [MIN_LENGTH, MAX_LENGTH] or when no class is chosen. */
export function generatePassword(options: GeneratorOptions): string {
  if (!Number.isInteger(options.length) || options.length < MIN_LENGTH || options.length > MAX_LENGTH) {
    throw new RangeError(`length must be a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}`);
  }
  const classes = (Object.keys(CLASSES) as (keyof typeof CLASSES)[])
    .filter((name) => options[name])
    .map((name) => (options.avoidLookAlikes ? CLASSES[name].replace(LOOK_ALIKES, '') : CLASSES[name]));
  if (classes.length === 0) throw new RangeError('choose at least one kind of character');
  const alphabet = classes.join('');
  for (;;) {
    const password = Array.from({ length: options.length }, () => alphabet[randomBelow(alphabet.length)]).join('');
    if (classes.every((chars) => [...password].some((c) => chars.includes(c)))) return password;
  }
}

/** Bits of entropy of a generated password with these options (shown to the user). */
export function generatedEntropyBits(options: GeneratorOptions): number {
  const size = (Object.keys(CLASSES) as (keyof typeof CLASSES)[])
    .filter((name) => options[name])
    .reduce((sum, name) => sum + (options.avoidLookAlikes ? CLASSES[name].replace(LOOK_ALIKES, '') : CLASSES[name]).length, 0);
  return size === 0 ? 0 : Math.floor(options.length * Math.log2(size));
}
