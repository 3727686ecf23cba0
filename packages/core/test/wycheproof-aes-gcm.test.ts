/**
 * Wycheproof AES-GCM vectors against `crypto/aes-gcm.ts`, on each back end this platform has
 * (in Node: the native `node:crypto` one, which the SDK uses, and WebCrypto, which browsers use).
 *
 * What runs and what is skipped, and why:
 * - 192-bit keys: `importAesGcmKey` accepts only 128- and 256-bit keys (Latchkey uses 256);
 *   those groups are skipped and counted, and a test below pins that they are refused.
 * - Tag lengths: WebCrypto allows 32, 64, 96, 104, 112, 120 and 128 bits; other groups are skipped.
 * - IV lengths: WebCrypto allows any non-empty IV, but Node's implementation only accepts
 *   12..128 bytes (browsers accept more). Each group's IV length is probed on the running
 *   platform and unsupported groups are skipped and counted. Zero-length IVs are not skipped:
 *   those vectors are invalid and must be refused.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, fromUtf8, hexToBytes, randomBytes, utf8 } from '../src/bytes.ts';
import { aesGcmDecrypt, aesGcmDecryptMany, aesGcmEncrypt, defaultAesGcmBackend, importAesGcmKey, type AesGcmBackend } from '../src/crypto/aes-gcm.ts';
import { label, loadWycheproof, type WycheproofTest } from './helpers/wycheproof.ts';

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}
interface AeadGroup {
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
  readonly tests: readonly AeadTest[];
}

const vectors = loadWycheproof<AeadGroup>('aes_gcm_test.json');
const WEBCRYPTO_TAG_LENGTHS = new Set([32, 64, 96, 104, 112, 120, 128]);

async function ivLengthSupported(backend: AesGcmBackend, ivBytes: number): Promise<boolean> {
  const key = await importAesGcmKey(new Uint8Array(16), backend);
  try {
    await aesGcmEncrypt(key, new Uint8Array(ivBytes), new Uint8Array(1), new Uint8Array(0));
    return true;
  } catch {
    return false;
  }
}

async function runnableOn(backend: AesGcmBackend) {
  const skipped = { keySize192: 0, tagLength: 0, ivLength: 0 };
  const runnable: { group: AeadGroup; test: AeadTest }[] = [];
  for (const group of vectors.testGroups) {
    if (group.keySize === 192) skipped.keySize192 += group.tests.length;
    else if (!WEBCRYPTO_TAG_LENGTHS.has(group.tagSize)) skipped.tagLength += group.tests.length;
    else if (group.ivSize > 0 && !(await ivLengthSupported(backend, group.ivSize / 8))) skipped.ivLength += group.tests.length;
    else for (const test of group.tests) runnable.push({ group, test });
  }
  return { skipped, runnable, totalSkipped: skipped.keySize192 + skipped.tagLength + skipped.ivLength };
}

async function check(backend: AesGcmBackend, group: AeadGroup, t: AeadTest): Promise<string | undefined> {
  const key = await importAesGcmKey(hexToBytes(t.key), backend);
  const iv = hexToBytes(t.iv);
  const aad = hexToBytes(t.aad);
  const msg = hexToBytes(t.msg);
  const expected = concatBytes(hexToBytes(t.ct), hexToBytes(t.tag));

  let encrypted: Uint8Array | undefined;
  try {
    encrypted = await aesGcmEncrypt(key, iv, msg, aad, group.tagSize);
  } catch {
    encrypted = undefined;
  }
  let decrypted: Uint8Array | undefined;
  try {
    decrypted = await aesGcmDecrypt(key, iv, expected, aad, group.tagSize);
  } catch {
    decrypted = undefined;
  }

  // The batch decryption (a sync's path, 128-bit tags only) must agree with the single one, vector for vector.
  if (group.tagSize === 128) {
    let many: Uint8Array | undefined;
    try {
      [many] = await aesGcmDecryptMany(key, [{ iv, ciphertextAndTag: expected, aad }]);
    } catch {
      many = undefined;
    }
    if ((many === undefined) !== (decrypted === undefined)) return 'aesGcmDecryptMany disagrees with aesGcmDecrypt on acceptance';
    if (many !== undefined && bytesToHex(many) !== t.msg) return 'aesGcmDecryptMany returned a wrong plaintext';
  }

  if (t.result === 'valid') {
    if (encrypted === undefined) return 'encrypt threw';
    if (bytesToHex(encrypted) !== bytesToHex(expected)) return 'encrypt differs from ct||tag';
    if (decrypted === undefined) return 'decrypt threw';
    if (bytesToHex(decrypted) !== t.msg) return 'decrypt differs from msg';
    return undefined;
  }
  if (t.result === 'invalid') {
    if (decrypted !== undefined) return 'decrypt accepted an invalid vector';
    // Where the vector is invalid because of a bad tag, encrypting msg must not reproduce it.
    if (encrypted !== undefined && bytesToHex(encrypted) === bytesToHex(expected)) return 'encrypt produced the invalid ct||tag';
    return undefined;
  }
  // 'acceptable' (none in this file today): either outcome, but never a wrong plaintext.
  if (decrypted !== undefined && bytesToHex(decrypted) !== t.msg) return 'decrypt returned a wrong plaintext';
  return undefined;
}

const backends: AesGcmBackend[] = defaultAesGcmBackend() === 'native' ? ['native', 'webcrypto'] : ['webcrypto'];

describe.each(backends)(`Wycheproof AES-GCM (${vectors.numberOfTests} vectors), %s back end`, async (backend) => {
  const { skipped, runnable, totalSkipped } = await runnableOn(backend);
  it(`runs ${runnable.length} vectors; skips ${totalSkipped} (192-bit key: ${skipped.keySize192}, tag length: ${skipped.tagLength}, IV length unsupported here: ${skipped.ivLength})`, async () => {
    const failures: string[] = [];
    for (const { group, test } of runnable) {
      const problem = await check(backend, group, test);
      if (problem !== undefined) failures.push(`${label(test)}: ${problem}`);
    }
    expect(failures).toEqual([]);
    expect(runnable.length + totalSkipped).toBe(vectors.numberOfTests);
    expect(runnable.length).toBeGreaterThan(150);
    expect(runnable.filter((r) => r.test.result === 'invalid').length).toBeGreaterThan(50);
  });

  it('never skips the groups Latchkey relies on (256-bit key, 96-bit IV, 128-bit tag)', () => {
    const used = vectors.testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128);
    expect(used.length).toBeGreaterThan(0);
    for (const g of used) for (const t of g.tests) expect(runnable.some((r) => r.test === t)).toBe(true);
  });

  it('refuses 192-bit keys, which is why those groups are skipped', async () => {
    await expect(importAesGcmKey(new Uint8Array(24), backend)).rejects.toThrow(RangeError);
  });

  it('decrypts many ciphertexts in order, and refuses the whole batch when one of them does not verify', async () => {
    const key = await importAesGcmKey(randomBytes(32), backend);
    const inputs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const iv = randomBytes(12);
        const aad = utf8(`aad ${i}`);
        return { iv, aad, ciphertextAndTag: await aesGcmEncrypt(key, iv, utf8(`message ${i}`), aad) };
      }),
    );
    expect((await aesGcmDecryptMany(key, inputs)).map((p) => fromUtf8(p))).toEqual(inputs.map((_, i) => `message ${i}`));
    expect(await aesGcmDecryptMany(key, [])).toEqual([]);
    const tampered = inputs.map((x, i) => (i === 13 ? { ...x, aad: utf8('aad 12') } : x));
    await expect(aesGcmDecryptMany(key, tampered)).rejects.toThrow();
  });

  it('rejects a ciphertext shorter than the tag', async () => {
    const key = await importAesGcmKey(new Uint8Array(32), backend);
    await expect(aesGcmDecrypt(key, new Uint8Array(12), new Uint8Array(15), new Uint8Array(0))).rejects.toThrow();
  });
});
