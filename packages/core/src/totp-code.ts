/**
 * The current code of a TOTP secret stored in an item (RFC 6238 over RFC 4226 HOTP): an
 * `otpauth://totp/…` URI (its `secret`, `digits`, `period`, `algorithm`) or a bare base32
 * secret (6 digits, 30 seconds, SHA-1, what sites mean when they show one). HMAC from
 * @noble/hashes.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { LatchkeyError } from './errors.ts';

export interface TotpParameters {
  readonly secret: Uint8Array;
  readonly digits: number;
  readonly period: number;
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const invalid = (why: string) => new LatchkeyError('invalid_request', `The TOTP secret is not usable: ${why}.`);

/** RFC 4648 base32, case-insensitive, spaces, dashes and padding ignored. */
export function decodeBase32(text: string): Uint8Array {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  if (clean === '') throw invalid('it is empty');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of clean) {
    const index = BASE32.indexOf(c);
    if (index < 0) throw invalid(`"${c}" is not a base32 character`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

/** @throws `invalid_request` for a URI or secret that does not give a usable TOTP. */
export function parseTotp(stored: string): TotpParameters {
  const text = stored.trim();
  if (!/^otpauth:/i.test(text)) return { secret: decodeBase32(text), digits: 6, period: 30, algorithm: 'SHA1' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('the otpauth:// URI does not parse');
  }
  if (url.host.toLowerCase() !== 'totp') throw invalid(`"${url.host}" codes are not time-based (only otpauth://totp)`);
  const secret = url.searchParams.get('secret');
  if (secret === null) throw invalid('the URI has no secret');
  const digits = Number(url.searchParams.get('digits') ?? '6');
  const period = Number(url.searchParams.get('period') ?? '30');
  const algorithm = (url.searchParams.get('algorithm') ?? 'SHA1').toUpperCase();
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw invalid('digits must be 6 to 10');
  if (!Number.isInteger(period) || period < 1 || period > 3600) throw invalid('the period must be 1 to 3600 seconds');
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') throw invalid(`the algorithm ${algorithm} is not SHA1, SHA256 or SHA512`);
  return { secret: decodeBase32(secret), digits, period, algorithm };
}

const HASHES = { SHA1: sha1, SHA256: sha256, SHA512: sha512 } as const;

/** The HOTP value for `counter` (RFC 4226 §5.3, dynamic truncation). */
export function hotp(params: Omit<TotpParameters, 'period'>, counter: number): string {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = hmac(HASHES[params.algorithm], params.secret, message);
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** params.digits).padStart(params.digits, '0');
}

/** The code at `nowMs` (ms since the epoch) for an item's stored TOTP field. */
export function totpCode(stored: string, nowMs: number = Date.now()): string {
  const params = parseTotp(stored);
  return hotp(params, Math.floor(nowMs / 1000 / params.period));
}

/** The code at `nowMs` and the whole seconds it has left, for showing it with a countdown. */
export function currentTotp(stored: string, nowMs: number = Date.now()): { readonly code: string; readonly secondsLeft: number } {
  const params = parseTotp(stored);
  const seconds = Math.floor(nowMs / 1000);
  return { code: hotp(params, Math.floor(seconds / params.period)), secondsLeft: params.period - (seconds % params.period) };
}
