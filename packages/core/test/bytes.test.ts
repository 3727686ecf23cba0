/** Byte helpers: strict base64url (one spelling per value), hex, UTF-8 and constant-time comparison. */
import { describe, expect, it } from 'vitest';
import {
  bytesToHex,
  concatBytes,
  equalBytes,
  fromBase64Url,
  fromUtf8,
  hexToBytes,
  isBase64Url,
  portableFromBase64Url,
  randomBytes,
  toBase64Url,
  toBufferSource,
  utf8,
  wipe,
} from '../src/bytes.ts';

// Node runs `fromBase64Url` natively (Buffer, made strict by a round trip); browsers run the
// portable loop. Both are held to every case.
describe.each([
  ['native', fromBase64Url],
  ['portable', portableFromBase64Url],
] as const)('base64url (%s decoder)', (_name, decode) => {
  const accepts = (text: string) => {
    try {
      decode(text);
      return true;
    } catch {
      return false;
    }
  };

  it('encodes the RFC 4648 test vectors without padding', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of cases) {
      expect(toBase64Url(utf8(text))).toBe(encoded);
      expect(fromUtf8(decode(encoded))).toBe(text);
    }
  });

  it('uses the URL-safe alphabet', () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(decode('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it('round trips every length from 0 to 100 and a value larger than one encoding chunk', () => {
    for (let n = 0; n <= 100; n++) {
      const bytes = randomBytes(n);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decode(text)).toEqual(bytes);
    }
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
    expect(decode(toBase64Url(big))).toEqual(big);
  });

  it('rejects padding, the standard alphabet, whitespace, impossible lengths and other characters', () => {
    const bad = ['Zg==', 'Zg=', 'Zm8=', '+/8A', 'ab/c', 'ab+c', 'Z', 'Zm9vY', ' Zg', 'Zg ', 'Zg\n', 'Z g', 'Zm9v\u00e9', '.', 'Zg%3D'];
    for (const text of bad) {
      expect(() => decode(text), text).toThrow(TypeError);
      expect(accepts(text)).toBe(false);
    }
  });

  it('rejects characters above 127 whose code modulo 128 is in the alphabet, in a whole group of four and in the tail', () => {
    // U+00C1 and U+0141 are 'A' + 128 and 'A' + 256; U+00E7 is 'g' + 128.
    for (const text of ['\u00c1AAA', 'AA\u0141A', 'AAAA\u00c1A', 'AAAAA\u0141A', 'Z\u00e7', 'Zm9vZ\u00e7', 'AAAA\uffff']) {
      expect(() => decode(text), JSON.stringify(text)).toThrow(TypeError);
    }
  });

  it('decodes every character of the alphabet at every position of a group', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let shift = 0; shift < 4; shift++) {
      const text = (alphabet.slice(shift) + alphabet.slice(0, shift)).repeat(2);
      expect(toBase64Url(decode(text))).toBe(text);
    }
  });

  it('rejects non-canonical encodings whose unused trailing bits are set', () => {
    // 'Zg' is the only spelling of 'f'; 'Zh'..'Zv' decode to the same byte with stray bits.
    for (const text of ['Zh', 'Zi', 'Zv', 'Zm9', 'Zm-', 'AB', 'AAB']) {
      expect(() => decode(text), text).toThrow(TypeError);
    }
    expect(decode('AA')).toEqual(new Uint8Array([0]));
    expect(decode('AAA')).toEqual(new Uint8Array([0, 0]));
    // Exhaustive over one-byte and two-byte values' last character: exactly one spelling is accepted.
    for (const prefix of ['Z', 'Zm']) {
      const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter((c) => accepts(prefix + c));
      expect(accepted).toHaveLength(prefix.length === 1 ? 4 : 16);
    }
  });

  it('accepts the empty string as zero bytes', () => {
    expect(decode('')).toEqual(new Uint8Array(0));
    expect(accepts('')).toBe(true);
  });

  it('returns a plain Uint8Array of its own, never a view of a shared pool', () => {
    const bytes = decode('AAECAwQF');
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(6);
  });
});

describe('isBase64Url', () => {
  it('tells strict base64url from anything else', () => {
    expect(isBase64Url('Zm9vYg')).toBe(true);
    expect(isBase64Url('Zm9vYg==')).toBe(false);
    expect(isBase64Url('Zh')).toBe(false);
  });
});

describe('equalBytes', () => {
  it('compares length and every byte', () => {
    const a = randomBytes(32);
    expect(equalBytes(a, new Uint8Array(a))).toBe(true);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(equalBytes(a, a.subarray(0, 31))).toBe(false);
    expect(equalBytes(a.subarray(0, 31), a)).toBe(false);
    for (const i of [0, 15, 31]) {
      const b = new Uint8Array(a);
      b[i]! ^= 0x01;
      expect(equalBytes(a, b)).toBe(false);
    }
  });
});

describe('hex, UTF-8 and helpers', () => {
  it('round trips hex and rejects odd lengths and non-hex characters', () => {
    const bytes = randomBytes(40);
    expect(hexToBytes(bytesToHex(bytes))).toEqual(bytes);
    expect(hexToBytes('00ffA0')).toEqual(new Uint8Array([0, 255, 160]));
    expect(bytesToHex(new Uint8Array([0, 255, 160]))).toBe('00ffa0');
    for (const bad of ['0', 'abc', 'zz', '0x00', ' 00']) expect(() => hexToBytes(bad)).toThrow(TypeError);
  });

  it('decodes UTF-8 strictly', () => {
    expect(fromUtf8(utf8('héllo ✓ 🔑'))).toBe('héllo ✓ 🔑');
    expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow(TypeError);
    expect(() => fromUtf8(new Uint8Array([0xc3]))).toThrow(TypeError);
  });

  it('concatenates, copies and wipes', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(concatBytes()).toEqual(new Uint8Array(0));
    const source = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const copy = toBufferSource(source);
    expect(copy).toEqual(new Uint8Array([2, 3]));
    expect(copy.buffer).not.toBe(source.buffer);
    expect(copy.byteOffset).toBe(0);
    const secret = randomBytes(16);
    secret[0] = 1;
    wipe(secret);
    expect(secret).toEqual(new Uint8Array(16));
  });

  it('randomBytes returns the requested length and differs between calls', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(65_536)).toHaveLength(65_536);
    expect(equalBytes(randomBytes(32), randomBytes(32))).toBe(false);
  });

  it('randomBytes serves lengths above the 65,536-byte quota of one getRandomValues call', () => {
    // BUG (src/bytes.ts): a single crypto.getRandomValues call throws QuotaExceededError above
    // 65,536 bytes; randomBytes must fill larger buffers in chunks.
    const out = randomBytes(200_000);
    expect(out).toHaveLength(200_000);
    expect(out.subarray(150_000).some((b) => b !== 0)).toBe(true);
  });
});
