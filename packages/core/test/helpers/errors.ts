/** Asserts that a call fails with a `LatchkeyError` of the given code (never a bare Error or another code). */
import { expect } from 'vitest';
import { LatchkeyError, type ErrorCode } from '../../src/errors.ts';

export async function expectLatchkeyError(run: () => unknown, code: ErrorCode): Promise<LatchkeyError> {
  let outcome: unknown;
  try {
    await run();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) throw new Error(`expected LatchkeyError(${code}), but the call succeeded`);
  expect(outcome).toBeInstanceOf(LatchkeyError);
  expect((outcome as LatchkeyError).code).toBe(code);
  return outcome as LatchkeyError;
}

/** The synchronous form, for parsers. */
export function expectLatchkeyErrorSync(run: () => unknown, code: ErrorCode): LatchkeyError {
  let outcome: unknown;
  try {
    run();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) throw new Error(`expected LatchkeyError(${code}), but the call succeeded`);
  expect(outcome).toBeInstanceOf(LatchkeyError);
  expect((outcome as LatchkeyError).code).toBe(code);
  return outcome as LatchkeyError;
}

/** Returns the error code a synchronous call fails with, `'ok'` when it succeeds, or `'other'` for a non-Latchkey error. */
export function codeOf(run: () => unknown): ErrorCode | 'ok' | 'other' {
  try {
    run();
    return 'ok';
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'other';
  }
}
