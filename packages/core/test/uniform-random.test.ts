/**
 * Uniform choice without modulo bias: a 32-bit value at or above the largest multiple of n is
 * thrown away (shown with an injected source at the exact boundary), powers of two never reject,
 * and many real draws come out even (a loose bound, so the test cannot flake).
 */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { randomBelow, rejectionLimit, type RandomSource } from '../src/uniform-random.ts';

/** A source that hands out the given 32-bit values in order and counts how many were taken. */
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

const MAX_U32 = 0xffff_ffff;

describe('randomBelow', () => {
  it('puts the rejection boundary at 2^32 rounded down to a multiple of n', () => {
    expect(rejectionLimit(10)).toBe(4_294_967_290);
    expect(rejectionLimit(3)).toBe(4_294_967_295);
    expect(rejectionLimit(7776)).toBe(2 ** 32 - (2 ** 32 % 7776));
    expect(rejectionLimit(7776) % 7776).toBe(0);
    expect(rejectionLimit(256)).toBe(2 ** 32);
  });

  it('rejects every value from the boundary up and takes the first one below it', () => {
    const limit = rejectionLimit(10);
    const source = scripted([limit, limit + 1, MAX_U32, limit - 1]);
    expect(randomBelow(10, source)).toBe((limit - 1) % 10);
    expect(source.taken()).toBe(4);
  });

  it('takes a value just below the boundary at once, and 0 as 0', () => {
    const limit = rejectionLimit(7776);
    const below = scripted([limit - 1]);
    expect(randomBelow(7776, below)).toBe(7775);
    expect(below.taken()).toBe(1);
    expect(randomBelow(7776, scripted([0]))).toBe(0);
  });

  it('never rejects for a power of two, even the largest value', () => {
    const source = scripted([MAX_U32]);
    expect(randomBelow(64, source)).toBe(63);
    expect(source.taken()).toBe(1);
    expect(randomBelow(2 ** 32, scripted([MAX_U32]))).toBe(MAX_U32);
  });

  it('refuses a number of options that is not a whole number from 1 to 2^32', () => {
    for (const n of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) {
      expect(() => randomBelow(n, scripted([0]))).toThrow(LatchkeyError);
    }
    expect(randomBelow(1, scripted([MAX_U32]))).toBe(0);
  });

  it('spreads many real draws evenly over the choices', () => {
    const n = 6;
    const draws = 60_000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[randomBelow(n)]!++;
    // Each count is binomial with mean 10,000 and standard deviation ~91; ±700 is over 7 sigma.
    for (const count of counts) expect(Math.abs(count - draws / n)).toBeLessThan(700);
  });
});
