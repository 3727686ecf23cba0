/**
 * Byte helpers shared by every format: strict base64url, UTF-8, concatenation and a
 * constant-time comparison. Strictness matters: a lenient decoder would let two different
 * strings name the same ciphertext, and malformed input must fail loudly at the boundary.
 */

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int32Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The 6-bit value of the character at `i`, or -1 (all bits set) for one outside the alphabet. */
const sextet = (text: string, i: number): number => {
  const code = text.charCodeAt(i);
  // Codes above 127 index the table modulo 128 but are forced to -1 by the sign of 127 - code.
  return DECODE[code & 127]! | ((127 - code) >> 31);
};

/** The part of Node's `Buffer` used here, typed structurally so the browser build needs no Node types. */
interface NativeBuffer {
  from(
    memory: ArrayBufferLike,
    offset: number,
    length: number,
  ): {
    write(text: string, encoding: 'base64url'): number;
    toString(encoding: 'base64url'): string;
  };
}
const NATIVE_BUFFER = (globalThis as { Buffer?: NativeBuffer }).Buffer;

/**
 * Node's native decoder, made strict by a round trip: it skips characters outside the alphabet,
 * takes `+` and `/` and ignores stray trailing bits, but only the one canonical spelling of the
 * bytes re-encodes to the text it came from. It writes into a Uint8Array of our own (through a
 * Buffer view of it: no shared pool, no copy). Several times faster than the loop below for a
 * sync's 3,000 ciphertexts; browsers (no `Buffer`) take the loop.
 * @returns undefined where there is no native decoder.
 */
function nativeBase64Url(text: string): Uint8Array | undefined {
  if (NATIVE_BUFFER === undefined) return undefined;
  if (text.length % 4 === 1) throw new TypeError('invalid base64url');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  const view = NATIVE_BUFFER.from(out.buffer, 0, out.length);
  if (view.write(text, 'base64url') !== out.length || view.toString('base64url') !== text) {
    throw new TypeError(/^[A-Za-z0-9_-]*$/.test(text) ? 'non-canonical base64url' : 'invalid base64url');
  }
  return out;
}

/**
 * Decodes unpadded base64url. Throws `TypeError` on any character outside the alphabet, an
 * impossible length, or a non-canonical spelling (unused trailing bits set), so each value has
 * exactly one accepted spelling. Natively where the platform can, else `portableFromBase64Url`.
 */
export function fromBase64Url(text: string): Uint8Array {
  return nativeBase64Url(text) ?? portableFromBase64Url(text);
}

/**
 * `fromBase64Url` in plain JavaScript, what browsers run (exported so tests hold it to the same
 * cases as the native path). Four characters at a time, with validity folded into one OR checked
 * after the loop: every item ciphertext of a sync goes through here (docs/protocol.md §6.1).
 */
export function portableFromBase64Url(text: string): Uint8Array {
  const n = text.length;
  const rest = n % 4;
  if (rest === 1) throw new TypeError('invalid base64url');
  const whole = n - rest;
  const out = new Uint8Array((whole / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let invalid = 0;
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    invalid |= a | b | c | d;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = triple >> 16;
    out[o + 1] = triple >> 8;
    out[o + 2] = triple;
    o += 3;
  }
  let unused = 0;
  if (rest === 2) {
    const a = sextet(text, whole);
    const b = sextet(text, whole + 1);
    invalid |= a | b;
    out[o] = (a << 2) | (b >> 4);
    unused = b & 0x0f;
  } else if (rest === 3) {
    const a = sextet(text, whole);
    const b = sextet(text, whole + 1);
    const c = sextet(text, whole + 2);
    invalid |= a | b | c;
    const pair = (a << 10) | (b << 4) | (c >> 2);
    out[o] = pair >> 8;
    out[o + 1] = pair;
    unused = c & 0x03;
  }
  if (invalid < 0) throw new TypeError('invalid base64url');
  if (unused !== 0) throw new TypeError('non-canonical base64url');
  return out;
}

export function isBase64Url(text: string): boolean {
  try {
    fromBase64Url(text);
    return true;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (text: string): Uint8Array => encoder.encode(text);
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Compares in time independent of where the first difference is. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < length; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65_536)));
  return out;
}

/** Overwrites key material we no longer need; best effort in a garbage-collected runtime. */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh ArrayBuffer-backed copy, as WebCrypto's typings want. */
export function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}
