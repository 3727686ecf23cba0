/** Wycheproof HMAC-SHA-256 vectors against `crypto/hmac.ts`. Groups truncate the tag to `tagSize` bits; the prefix is compared. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../src/bytes.ts';
import { hmacSha256 } from '../src/crypto/hmac.ts';
import { label, loadWycheproof, type WycheproofTest } from './helpers/wycheproof.ts';

interface MacTest extends WycheproofTest {
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
}
interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly MacTest[];
}

const vectors = loadWycheproof<MacGroup>('hmac_sha256_test.json');

describe(`Wycheproof HMAC-SHA-256 (${vectors.numberOfTests} vectors)`, () => {
  it('matches every valid tag and mismatches every invalid one', () => {
    const failures: string[] = [];
    let valid = 0;
    let invalid = 0;
    for (const group of vectors.testGroups) {
      const tagBytes = group.tagSize / 8;
      for (const t of group.tests) {
        const full = hmacSha256(hexToBytes(t.key), hexToBytes(t.msg));
        expect(full).toHaveLength(32);
        const matches = bytesToHex(full.subarray(0, tagBytes)) === t.tag.toLowerCase();
        if (t.result === 'valid') {
          valid++;
          if (!matches) failures.push(`${label(t)}: tag differs`);
        } else {
          invalid++;
          if (matches) failures.push(`${label(t)}: a modified tag matched`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(valid + invalid).toBe(vectors.numberOfTests);
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(50);
  });
});
