/** Test helper: the stable code a promise fails with. Fails the test if it resolves or throws anything else. */
import { LatchkeyError } from '@latchkey/core/errors';

export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
  throw new Error('expected a LatchkeyError');
}
