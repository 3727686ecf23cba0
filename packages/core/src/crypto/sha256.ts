/** SHA-256 (FIPS 180-4) from @noble/hashes. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8 } from '../bytes.ts';

export function sha256(message: Uint8Array): Uint8Array {
  return nobleSha256(message);
}

export function sha256Hex(text: string): string {
  return bytesToHex(nobleSha256(utf8(text)));
}
