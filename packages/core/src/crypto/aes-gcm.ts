/**
 * AES-256-GCM through WebCrypto (native in Node and every browser). This file is the raw
 * primitive wrapper, checked against Wycheproof; `sealed-box.ts` builds Latchkey's
 * self-describing ciphertext format on top of it.
 */
import { toBufferSource } from '../bytes.ts';

export type AesGcmKey = CryptoKey;

/** Imports a raw 128- or 256-bit key, usable only for encrypt/decrypt and never exportable. */
export async function importAesGcmKey(raw: Uint8Array): Promise<AesGcmKey> {
  if (raw.length !== 16 && raw.length !== 32) throw new RangeError('AES-GCM key must be 16 or 32 bytes');
  return crypto.subtle.importKey('raw', toBufferSource(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Returns ciphertext || tag. `tagLength` is in bits (128 unless a vector says otherwise). */
export async function aesGcmEncrypt(
  key: AesGcmKey,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  tagLength = 128,
): Promise<Uint8Array> {
  const out = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength },
    key,
    toBufferSource(plaintext),
  );
  return new Uint8Array(out);
}

/** Throws (a DOMException from WebCrypto) when the tag does not verify. */
export async function aesGcmDecrypt(
  key: AesGcmKey,
  iv: Uint8Array,
  ciphertextAndTag: Uint8Array,
  aad: Uint8Array,
  tagLength = 128,
): Promise<Uint8Array> {
  const out = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength },
    key,
    toBufferSource(ciphertextAndTag),
  );
  return new Uint8Array(out);
}
