/** HKDF-SHA-256 (RFC 5869) from @noble/hashes. Every caller passes its own `info` context string. */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../bytes.ts';

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array | string, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) throw new RangeError('hkdf length out of range');
  return hkdf(sha256, ikm, salt, typeof info === 'string' ? utf8(info) : info, length);
}
