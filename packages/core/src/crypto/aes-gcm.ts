/**
 * AES-256-GCM: the platform's native implementation, checked against Wycheproof; `sealed-box.ts`
 * builds Latchkey's self-describing ciphertext format on top of it.
 *
 * Two back ends, both OpenSSL/BoringSSL underneath: in Node, `node:crypto`'s synchronous
 * cipher (reached through `process.getBuiltinModule`, so no import ties this module to Node and
 * browsers never load it); elsewhere WebCrypto. Both give the same bytes. The synchronous one
 * matters for many small ciphertexts: each WebCrypto call costs a promise and a thread-pool hop
 * (~30 µs), several times the cipher itself for a 300-byte item (docs/protocol.md §6.1).
 */
import { toBufferSource } from '../bytes.ts';

/** The parts of `node:crypto` used here, typed structurally so the browser build needs no Node types. */
interface NativeAead {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}
interface NativeCrypto {
  createSecretKey(key: Uint8Array): object;
  createCipheriv(algorithm: string, key: object, iv: Uint8Array, options: { authTagLength: number }): NativeAead & { getAuthTag(): Uint8Array };
  createDecipheriv(algorithm: string, key: object, iv: Uint8Array, options: { authTagLength: number }): NativeAead & { setAuthTag(tag: Uint8Array): unknown };
}

const nodeCrypto = (): NativeCrypto | undefined => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:crypto') as NativeCrypto | undefined;
};

export type AesGcmBackend = 'native' | 'webcrypto';

/** A key usable only for encrypt/decrypt; its raw bytes are not reachable from it. */
export type AesGcmKey =
  | { readonly backend: 'native'; readonly bits: number; readonly key: object; readonly crypto: NativeCrypto }
  | { readonly backend: 'webcrypto'; readonly bits: number; readonly key: CryptoKey };

/** The back end `importAesGcmKey` picks on this platform unless told otherwise. */
export const defaultAesGcmBackend = (): AesGcmBackend => (nodeCrypto() !== undefined ? 'native' : 'webcrypto');

/**
 * Imports a raw 128- or 256-bit key. `backend` is for tests that hold both back ends to the same
 * vectors; callers leave it out.
 */
export async function importAesGcmKey(raw: Uint8Array, backend: AesGcmBackend = defaultAesGcmBackend()): Promise<AesGcmKey> {
  if (raw.length !== 16 && raw.length !== 32) throw new RangeError('AES-GCM key must be 16 or 32 bytes');
  const native = backend === 'native' ? nodeCrypto() : undefined;
  if (backend === 'native' && native === undefined) throw new Error('no native AES-GCM on this platform');
  if (native !== undefined) return { backend: 'native', bits: raw.length * 8, key: native.createSecretKey(raw.slice()), crypto: native };
  const key = await crypto.subtle.importKey('raw', toBufferSource(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return { backend: 'webcrypto', bits: raw.length * 8, key };
}

/**
 * Wraps a WebCrypto AES-GCM key the caller made or loaded itself (typically non-extractable,
 * kept in IndexedDB), so its bytes never pass through JavaScript.
 * @throws TypeError unless it is a 128- or 256-bit AES-GCM secret key allowed to encrypt and decrypt.
 */
export function aesGcmKeyFromCryptoKey(key: CryptoKey): AesGcmKey {
  const algorithm = key.algorithm as { name?: string; length?: number };
  if (key.type !== 'secret' || algorithm.name !== 'AES-GCM' || (algorithm.length !== 128 && algorithm.length !== 256)) {
    throw new TypeError('not an AES-GCM key of 128 or 256 bits');
  }
  if (!key.usages.includes('encrypt') || !key.usages.includes('decrypt')) throw new TypeError('the AES-GCM key must allow encrypt and decrypt');
  return { backend: 'webcrypto', bits: algorithm.length, key };
}

// The tag lengths WebCrypto allows; the native back end is held to the same set.
const TAG_LENGTHS = new Set([32, 64, 96, 104, 112, 120, 128]);
const checkTagLength = (tagLength: number) => {
  if (!TAG_LENGTHS.has(tagLength)) throw new RangeError(`unsupported AES-GCM tag length ${tagLength}`);
};
const algorithm = (key: AesGcmKey) => `aes-${key.bits}-gcm`;

/** Returns ciphertext || tag. `tagLength` is in bits (128 unless a vector says otherwise). */
export async function aesGcmEncrypt(key: AesGcmKey, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, tagLength = 128): Promise<Uint8Array> {
  checkTagLength(tagLength);
  if (key.backend === 'native') {
    if (iv.length === 0) throw new RangeError('AES-GCM needs a non-empty IV');
    const cipher = key.crypto.createCipheriv(algorithm(key), key.key, iv, { authTagLength: tagLength / 8 });
    cipher.setAAD(aad);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    const out = new Uint8Array(head.length + tail.length + tag.length);
    out.set(head, 0);
    out.set(tail, head.length);
    out.set(tag, head.length + tail.length);
    return out;
  }
  const out = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength },
    key.key,
    toBufferSource(plaintext),
  );
  return new Uint8Array(out);
}

/**
 * The native back end's decryption, synchronous. Throws when the tag does not verify.
 * @param tagBytes the tag length in bytes.
 */
function nativeDecrypt(key: AesGcmKey & { backend: 'native' }, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array, tagBytes: number): Uint8Array {
  if (iv.length === 0) throw new RangeError('AES-GCM needs a non-empty IV');
  if (ciphertextAndTag.length < tagBytes) throw new RangeError('AES-GCM ciphertext shorter than its tag');
  const decipher = key.crypto.createDecipheriv(algorithm(key), key.key, iv, { authTagLength: tagBytes });
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertextAndTag.subarray(ciphertextAndTag.length - tagBytes));
  const head = decipher.update(ciphertextAndTag.subarray(0, ciphertextAndTag.length - tagBytes));
  const tail = decipher.final(); // throws here when the tag does not verify
  // Copied into a plain Uint8Array of its own: Node's Buffers may be views of a shared pool.
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

const webCryptoDecrypt = async (key: AesGcmKey & { backend: 'webcrypto' }, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array, tagLength: number) =>
  new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength },
      key.key,
      toBufferSource(ciphertextAndTag),
    ),
  );

/** Throws when the tag does not verify (an `Error` from OpenSSL or a `DOMException` from WebCrypto). */
export async function aesGcmDecrypt(key: AesGcmKey, iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array, tagLength = 128): Promise<Uint8Array> {
  checkTagLength(tagLength);
  if (key.backend === 'native') return nativeDecrypt(key, iv, ciphertextAndTag, aad, tagLength / 8);
  return webCryptoDecrypt(key, iv, ciphertextAndTag, aad, tagLength);
}

export interface AesGcmInput {
  readonly iv: Uint8Array;
  readonly ciphertextAndTag: Uint8Array;
  readonly aad: Uint8Array;
}

/**
 * Decrypts many ciphertexts under one key (128-bit tags), results in input order. On the native
 * back end it is one synchronous loop, with no promise per ciphertext; on WebCrypto the calls
 * are all started at once. Throws as `aesGcmDecrypt` does when any tag does not verify.
 */
export async function aesGcmDecryptMany(key: AesGcmKey, inputs: readonly AesGcmInput[]): Promise<Uint8Array[]> {
  if (key.backend === 'native') return inputs.map((x) => nativeDecrypt(key, x.iv, x.ciphertextAndTag, x.aad, 16));
  return Promise.all(inputs.map((x) => webCryptoDecrypt(key, x.iv, x.ciphertextAndTag, x.aad, 128)));
}
