/**
 * Wycheproof X25519 vectors against `crypto/x25519.ts` (WebCrypto, the primitive HPKE uses).
 *
 * Policy for results:
 * - valid: the shared secret equals the vector's.
 * - invalid (none in this file today): must throw.
 * - acceptable: decided per flag, strictest first:
 *   - ZeroSharedSecret (LowOrderPublic): the result would be all zeros, which carries no secret;
 *     `x25519SharedSecret` must throw (WebCrypto requires an OperationError here).
 *   - every other acceptable flag (Twist, NonCanonicalPublic, EdgeCaseMultiplication,
 *     SpecialPublicKey, ...): RFC 7748 says to mask the top bit and compute on the twist, so
 *     the function must return exactly the vector's shared secret. Throwing would be tolerable
 *     by Wycheproof but is not what the platform does, and a change there should be noticed.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/bytes.ts';
import { x25519SharedSecret } from '../src/crypto/x25519.ts';
import { label, loadWycheproof, type WycheproofTest } from './helpers/wycheproof.ts';

interface XdhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}
interface XdhGroup {
  readonly curve: string;
  readonly tests: readonly XdhTest[];
}

const vectors = loadWycheproof<XdhGroup>('x25519_test.json');

type Expectation = 'equal' | 'throw';
const expectationFor = (t: XdhTest): Expectation => {
  if (t.result === 'valid') return 'equal';
  if (t.result === 'invalid') return 'throw';
  return t.flags.includes('ZeroSharedSecret') ? 'throw' : 'equal';
};

describe(`Wycheproof X25519 (${vectors.numberOfTests} vectors)`, () => {
  it('every group is curve25519', () => {
    for (const g of vectors.testGroups) expect(g.curve).toBe('curve25519');
  });

  it('valid vectors give the shared secret; acceptable ones follow the per-flag policy', async () => {
    const failures: string[] = [];
    const counts = { valid: 0, acceptableEqual: 0, acceptableThrow: 0, invalid: 0 };
    for (const group of vectors.testGroups) {
      for (const t of group.tests) {
        const expectation = expectationFor(t);
        let shared: string | undefined;
        try {
          shared = bytesToHex(await x25519SharedSecret(hexToBytes(t.private), hexToBytes(t.public)));
        } catch {
          shared = undefined;
        }
        if (t.result === 'valid') counts.valid++;
        else if (t.result === 'invalid') counts.invalid++;
        else if (expectation === 'equal') counts.acceptableEqual++;
        else counts.acceptableThrow++;

        if (expectation === 'equal' && shared !== t.shared) failures.push(`${label(t)}: got ${shared ?? 'a throw'}`);
        if (expectation === 'throw' && shared !== undefined) failures.push(`${label(t)}: returned ${shared} instead of throwing`);
      }
    }
    expect(failures).toEqual([]);
    expect(counts.valid + counts.acceptableEqual + counts.acceptableThrow + counts.invalid).toBe(vectors.numberOfTests);
    expect(counts.valid).toBeGreaterThan(200);
    expect(counts.acceptableThrow).toBeGreaterThan(0);
  });

  it('never returns an all-zero secret for an all-zero public key', async () => {
    // The platform's check (WebCrypto's OperationError), which x25519.ts documents and relies on.
    await expect(x25519SharedSecret(new Uint8Array(32).fill(7), new Uint8Array(32))).rejects.toMatchObject({ name: 'OperationError' });
  });

  it('rejects keys of the wrong length', async () => {
    await expect(x25519SharedSecret(new Uint8Array(31), new Uint8Array(32).fill(9))).rejects.toThrow(RangeError);
    await expect(x25519SharedSecret(new Uint8Array(32), new Uint8Array(33))).rejects.toThrow(RangeError);
  });
});
