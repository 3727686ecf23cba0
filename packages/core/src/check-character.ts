/**
 * The alphabet and check character shared by every code a person types or prints (Secret
 * Keys, recovery codes, recovery shares): 32 characters without look-alikes (no 0/O, 1/I), and a
 * check character that catches every single substitution and every swap of two adjacent
 * characters before any request is made.
 */

export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A weighted sum over GF(32): each position's weight is a non-zero power of x modulo
 * x^5 + x^2 + 1 (the check character itself has weight 1). x has order 31, so the weights repeat
 * every 31 positions: they are distinct only within any 31 consecutive positions.
 *
 * What that guarantees, at any length: every single substitution is caught (the weight is
 * non-zero), and every swap of two different characters fewer than 31 positions apart is caught
 * (their weights differ), which includes every adjacent swap. A swap of two characters exactly
 * 31, 62, ... positions apart is NOT caught (same weight), nor are all double substitutions.
 * Luhn mod 32 would miss swapping the alphabet's first and last characters.
 */
export function checkCharacter(chars: string): string {
  let sum = 0;
  for (const c of chars) {
    const value = CODE_ALPHABET.indexOf(c);
    if (value < 0) throw new RangeError('character outside the code alphabet');
    sum ^= value;
    sum = sum & 0x10 ? ((sum << 1) ^ 0b100101) & 0x1f : sum << 1;
  }
  return CODE_ALPHABET[sum]!;
}

/** Random characters from the alphabet; 32 divides 256, so taking each byte mod 32 is unbiased. */
export function randomCodeCharacters(count: number, random: (n: number) => Uint8Array): string {
  return Array.from(random(count), (b) => CODE_ALPHABET[b % 32]).join('');
}

/** Upper-cases and drops spaces and dashes: what a person typed, in comparable form. */
export const compactCode = (input: string): string => input.toUpperCase().replace(/[\s-]/g, '');

export function firstForeignCharacter(chars: string): string | undefined {
  return [...chars].find((c) => !CODE_ALPHABET.includes(c));
}

/** Splits `chars` into dash-separated groups of the given sizes. */
export function groupCode(chars: string, sizes: readonly number[]): string {
  const groups: string[] = [];
  let rest = chars;
  for (const size of sizes) {
    groups.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  if (rest.length > 0) groups.push(rest);
  return groups.join('-');
}
