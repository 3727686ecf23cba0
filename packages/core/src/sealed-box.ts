/**
 * Latchkey's symmetric ciphertext format: base64url( 0x01 || nonce[12] || AES-256-GCM(ct || tag) ),
 * always with associated data from `associatedData()`. The leading version byte is itself
 * authenticated (it is prefixed to the associated data) so a downgrade cannot go unnoticed.
 */
import { concatBytes, fromBase64Url, randomBytes, toBase64Url, utf8 } from './bytes.ts';
import { aesGcmDecrypt, aesGcmEncrypt, importAesGcmKey, type AesGcmBackend, type AesGcmKey } from './crypto/aes-gcm.ts';
import { LatchkeyError } from './errors.ts';

const VERSION = 0x01;
const NONCE_LENGTH = 12;

export type BoxKey = AesGcmKey;

/** Imports a 256-bit key once so that many boxes can be opened without re-importing it. `backend` is for tests. */
export async function importBoxKey(raw: Uint8Array, backend?: AesGcmBackend): Promise<BoxKey> {
  if (raw.length !== 32) throw new RangeError('box key must be 32 bytes');
  return importAesGcmKey(raw, backend);
}

const adBytes = (ad: string) => concatBytes(new Uint8Array([VERSION]), utf8(ad));

export async function sealBox(key: BoxKey, plaintext: Uint8Array, ad: string): Promise<string> {
  const nonce = randomBytes(NONCE_LENGTH);
  const ct = await aesGcmEncrypt(key, nonce, plaintext, adBytes(ad));
  return toBase64Url(concatBytes(new Uint8Array([VERSION]), nonce, ct));
}

/** Throws `LatchkeyError('decryption_failed')` for a wrong key, wrong associated data, tampering or a malformed box. */
export async function openBox(key: BoxKey, box: string, ad: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(box);
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The encrypted data is malformed.', { cause });
  }
  if (bytes.length < 1 + NONCE_LENGTH + 16 || bytes[0] !== VERSION) {
    throw new LatchkeyError('decryption_failed', 'The encrypted data is malformed.');
  }
  try {
    return await aesGcmDecrypt(key, bytes.subarray(1, 1 + NONCE_LENGTH), bytes.subarray(1 + NONCE_LENGTH), adBytes(ad));
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The encrypted data could not be decrypted: wrong key or tampered data.', { cause });
  }
}
