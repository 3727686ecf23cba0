/** TOTP codes from stored secrets: RFC 6238 Appendix B vectors, otpauth:// URIs, bare base32 secrets, bad input. */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { currentTotp, decodeBase32, hotp, parseTotp, totpCode } from '../src/totp-code.ts';

const base32 = (bytes: Uint8Array): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
};
const ascii = (s: string) => new TextEncoder().encode(s);
const SEEDS = {
  SHA1: base32(ascii('12345678901234567890')),
  SHA256: base32(ascii('12345678901234567890123456789012')),
  SHA512: base32(ascii('1234567890123456789012345678901234567890123456789012345678901234')),
};

describe('totpCode', () => {
  // RFC 6238 Appendix B (8 digits).
  it.each([
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1234567890, '89005924', '91819424', '93441116'],
    [20000000000, '65353130', '77737706', '47863826'],
  ])('at %i s matches RFC 6238', (seconds, sha1, sha256, sha512) => {
    const at = seconds * 1000;
    expect(totpCode(`otpauth://totp/x?secret=${SEEDS.SHA1}&digits=8`, at)).toBe(sha1);
    expect(totpCode(`otpauth://totp/x?secret=${SEEDS.SHA256}&digits=8&algorithm=SHA256`, at)).toBe(sha256);
    expect(totpCode(`otpauth://totp/x?secret=${SEEDS.SHA512}&digits=8&algorithm=sha512`, at)).toBe(sha512);
  });

  it('takes a bare base32 secret (6 digits, 30 s, SHA-1), in any case and with spaces', () => {
    expect(totpCode(SEEDS.SHA1, 59_000)).toBe('287082');
    expect(totpCode(SEEDS.SHA1.toLowerCase().replace(/(.{4})/g, '$1 '), 59_000)).toBe('287082');
    expect(parseTotp(SEEDS.SHA1)).toMatchObject({ digits: 6, period: 30, algorithm: 'SHA1' });
  });

  it('honours the period of a URI', () => {
    const uri = `otpauth://totp/Site:me?secret=${SEEDS.SHA1}&period=60&issuer=Site`;
    expect(totpCode(uri, 0)).toBe(hotp(parseTotp(uri), 0));
    expect(totpCode(uri, 59_999)).toBe(totpCode(uri, 0));
  });

  it.each([
    ['otpauth://hotp/x?secret=GEZDGNBV&counter=1'],
    ['otpauth://totp/x'],
    ['otpauth://totp/x?secret=GEZ1'],
    ['otpauth://totp/x?secret=GEZDGNBV&digits=4'],
    ['otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5'],
    ['   '],
    ['not base32!'],
  ])('refuses %j with invalid_request', (stored) => {
    expect(() => totpCode(stored, 0)).toThrow(LatchkeyError);
  });

  it('decodes base32 per RFC 4648', () => {
    expect(new TextDecoder().decode(decodeBase32('MZXW6YTBOI======'))).toBe('foobar');
  });
});

describe('currentTotp', () => {
  it('gives the code with the whole seconds left in its period', () => {
    const uri = `otpauth://totp/x?secret=${SEEDS.SHA1}&digits=8`;
    expect(currentTotp(uri, 59_000)).toEqual({ code: '94287082', secondsLeft: 1 });
    expect(currentTotp(uri, 30_000)).toEqual({ code: totpCode(uri, 30_000), secondsLeft: 30 });
    expect(currentTotp(`otpauth://totp/x?secret=${SEEDS.SHA1}&period=60`, 61_500).secondsLeft).toBe(59);
  });
});
