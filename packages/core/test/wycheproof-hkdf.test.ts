/** Wycheproof HKDF-SHA-256 vectors against `crypto/hkdf.ts`. Invalid vectors ask for more than 255·32 bytes and must throw. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/bytes.ts';
import { hkdfSha256 } from '../src/crypto/hkdf.ts';
import { label, loadWycheproof, type WycheproofTest } from './helpers/wycheproof.ts';

interface HkdfTest extends WycheproofTest {
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
}
interface HkdfGroup {
  readonly tests: readonly HkdfTest[];
}

const vectors = loadWycheproof<HkdfGroup>('hkdf_sha256_test.json');

describe(`Wycheproof HKDF-SHA-256 (${vectors.numberOfTests} vectors)`, () => {
  it('derives every valid okm and refuses every invalid size', () => {
    const failures: string[] = [];
    let valid = 0;
    let invalid = 0;
    for (const group of vectors.testGroups) {
      for (const t of group.tests) {
        let okm: string | undefined;
        try {
          okm = bytesToHex(hkdfSha256(hexToBytes(t.ikm), hexToBytes(t.salt), hexToBytes(t.info), t.size));
        } catch {
          okm = undefined;
        }
        if (t.result === 'valid') {
          valid++;
          if (okm !== t.okm) failures.push(`${label(t)}: got ${okm ?? 'a throw'}`);
        } else {
          invalid++;
          if (okm !== undefined) failures.push(`${label(t)}: derived ${t.size} bytes instead of throwing`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(valid + invalid).toBe(vectors.numberOfTests);
    expect(valid).toBeGreaterThan(80);
    expect(invalid).toBeGreaterThan(0);
  });

  it('accepts a string info as its UTF-8 bytes, and refuses non-integer or non-positive lengths', () => {
    const ikm = new Uint8Array(32).fill(1);
    const salt = new Uint8Array(0);
    expect(bytesToHex(hkdfSha256(ikm, salt, 'ctx', 32))).toBe(bytesToHex(hkdfSha256(ikm, salt, new TextEncoder().encode('ctx'), 32)));
    expect(hkdfSha256(ikm, salt, 'ctx', 255 * 32)).toHaveLength(255 * 32);
    for (const length of [0, -1, 1.5, Number.NaN, 255 * 32 + 1]) expect(() => hkdfSha256(ikm, salt, 'ctx', length)).toThrow(RangeError);
  });
});
