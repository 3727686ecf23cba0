/**
 * Uniform random choices from the platform CSPRNG (`crypto.getRandomValues`, in browsers and
 * Node alike) without modulo bias: a 32-bit value is used only when it falls below the largest
 * multiple of n that fits in 2^32, otherwise it is thrown away and another is drawn
 * (docs/protocol.md, "Password and passphrase generator").
 */
import { LatchkeyError } from './errors.ts';

/** Fills `values` with random 32-bit words, as `crypto.getRandomValues` does. Tests inject their own. */
export type RandomSource = (values: Uint32Array) => Uint32Array;

export const systemRandom: RandomSource = (values) => crypto.getRandomValues(values);

const TWO_POW_32 = 0x1_0000_0000;

/** The first 32-bit value that is rejected when choosing among n: 2^32 rounded down to a multiple of n. */
export const rejectionLimit = (n: number): number => TWO_POW_32 - (TWO_POW_32 % n);

/** A uniform random integer in [0, n), for a whole n from 1 to 2^32. */
export function randomBelow(n: number, random: RandomSource = systemRandom): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new LatchkeyError('invalid_request', 'A random choice needs between 1 and 2^32 options.');
  const limit = rejectionLimit(n);
  const buffer = new Uint32Array(1);
  for (;;) {
    random(buffer);
    const value = buffer[0]!;
    if (value < limit) return value % n;
  }
}
