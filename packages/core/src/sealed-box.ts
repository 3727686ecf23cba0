/**
 * Latchkey's symmetric ciphertext format: base64url( 0x01 || nonce[12] || AES-256-GCM(ct || tag) ),
 * always with associated data from `associatedData()`. The leading version byte is itself
 * authenticated (it is prefixed to the associated data) so a downgrade cannot go unnoticed.
 */
import { associatedDataBytes, type Binding, type CiphertextPurpose } from './associated-data.ts';
import { concatBytes, fromBase64Url, randomBytes, toBase64Url, utf8 } from './bytes.ts';
import { aesGcmDecrypt, aesGcmDecryptMany, aesGcmEncrypt, importAesGcmKey, type AesGcmBackend, type AesGcmInput, type AesGcmKey } from './crypto/aes-gcm.ts';
import { LatchkeyError } from './errors.ts';

const VERSION = 0x01;
const NONCE_LENGTH = 12;

export type BoxKey = AesGcmKey;

/** Imports a 256-bit key once so that many boxes can be opened without re-importing it. `backend` is for tests. */
export async function importBoxKey(raw: Uint8Array, backend?: AesGcmBackend): Promise<BoxKey> {
  if (raw.length !== 32) throw new RangeError('box key must be 32 bytes');
  return importAesGcmKey(raw, backend);
}

const asciiEncoder = new TextEncoder();

/**
 * The version byte, then the associated data as UTF-8, in one allocation: associated data from
 * `associatedData()` is ASCII, so its UTF-8 is exactly one byte per character; anything else
 * takes the general path.
 */
function adBytes(ad: string): Uint8Array {
  const out = new Uint8Array(ad.length + 1);
  out[0] = VERSION;
  const { read, written } = asciiEncoder.encodeInto(ad, out.subarray(1));
  if (read === ad.length && written === ad.length) return out;
  return concatBytes(new Uint8Array([VERSION]), utf8(ad));
}

/** What a box authenticates besides its content, as `openBoxes` takes it: the version byte, then `associatedData(purpose, binding)`. */
export const boxAssociatedData = (purpose: CiphertextPurpose, binding: Binding): BoxAssociatedData => ({
  bytes: associatedDataBytes(purpose, binding, VERSION),
});

/** Built only by `boxAssociatedData`, so the version byte is always there. */
export interface BoxAssociatedData {
  readonly bytes: Uint8Array;
}

export async function sealBox(key: BoxKey, plaintext: Uint8Array, ad: string): Promise<string> {
  const nonce = randomBytes(NONCE_LENGTH);
  const ct = await aesGcmEncrypt(key, nonce, plaintext, adBytes(ad));
  return toBase64Url(concatBytes(new Uint8Array([VERSION]), nonce, ct));
}

const malformed = () => new LatchkeyError('decryption_failed', 'The encrypted data is malformed.');
const undecryptable = (cause: unknown) =>
  new LatchkeyError('decryption_failed', 'The encrypted data could not be decrypted: wrong key or tampered data.', { cause });

/** The AES-GCM input of one box, checked for form. */
function parseBox(box: string, ad: string | BoxAssociatedData): AesGcmInput {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(box);
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The encrypted data is malformed.', { cause });
  }
  if (bytes.length < 1 + NONCE_LENGTH + 16 || bytes[0] !== VERSION) throw malformed();
  return { iv: bytes.subarray(1, 1 + NONCE_LENGTH), ciphertextAndTag: bytes.subarray(1 + NONCE_LENGTH), aad: typeof ad === 'string' ? adBytes(ad) : ad.bytes };
}

/** Throws `LatchkeyError('decryption_failed')` for a wrong key, wrong associated data, tampering or a malformed box. */
export async function openBox(key: BoxKey, box: string, ad: string): Promise<Uint8Array> {
  const input = parseBox(box, ad);
  try {
    return await aesGcmDecrypt(key, input.iv, input.ciphertextAndTag, input.aad);
  } catch (cause) {
    throw undecryptable(cause);
  }
}

/**
 * `openBox` for many boxes under one key, plaintexts in input order: one synchronous pass on the
 * native back end (docs/protocol.md §6.1). Throws `decryption_failed` as `openBox` does if
 * any box does not open, so no caller sees part of a tampered set as if it were whole. Each `ad`
 * is `associatedData(…)` or, cheaper, `boxAssociatedData(…)` of the same purpose and binding.
 */
export async function openBoxes(key: BoxKey, boxes: ReadonlyArray<{ readonly box: string; readonly ad: string | BoxAssociatedData }>): Promise<Uint8Array[]> {
  const inputs = boxes.map((b) => parseBox(b.box, b.ad));
  try {
    return await aesGcmDecryptMany(key, inputs);
  } catch (cause) {
    throw undecryptable(cause);
  }
}
