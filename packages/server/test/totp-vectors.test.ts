/**
 * RFC 4226 (HOTP) and RFC 6238 (TOTP, SHA-1) test vectors through `otpauth`, and Latchkey's
 * `totpStep`: a 6-digit code is the 8-digit vector modulo 10^6, valid within ±1 step only.
 */
import { describe, expect, it } from 'vitest';
import { HOTP, Secret, TOTP } from 'otpauth';
import { totpStep } from '../src/services/totp.ts';

const rfcSecret = Secret.fromUTF8('12345678901234567890');

describe('RFC 4226 HOTP vectors', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it.each(expected.map((code, counter) => [counter, code] as const))('counter %i → %s', (counter, code) => {
    expect(new HOTP({ secret: rfcSecret, digits: 6, algorithm: 'SHA1' }).generate({ counter })).toBe(code);
  });
});

describe('RFC 6238 TOTP vectors (SHA-1)', () => {
  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  it.each(vectors)('T = %i → %s', (seconds, code) => {
    const totp = new TOTP({ secret: rfcSecret, digits: 8, period: 30, algorithm: 'SHA1' });
    expect(totp.generate({ timestamp: seconds * 1000 })).toBe(code);
    // Latchkey uses 6 digits: the same value modulo 10^6, in the step of that time.
    expect(totpStep(rfcSecret.base32, code.slice(-6), new Date(seconds * 1000))).toBe(Math.floor(seconds / 30));
  });

  it('accepts one step of drift either way and refuses two', () => {
    const t = 1234567890 * 1000;
    const code = new TOTP({ secret: rfcSecret, digits: 6, period: 30 }).generate({ timestamp: t });
    expect(totpStep(rfcSecret.base32, code, new Date(t + 30_000))).toBe(Math.floor(t / 30_000));
    expect(totpStep(rfcSecret.base32, code, new Date(t - 30_000))).toBe(Math.floor(t / 30_000));
    expect(totpStep(rfcSecret.base32, code, new Date(t + 60_000))).toBeUndefined();
    expect(totpStep(rfcSecret.base32, code, new Date(t - 60_000))).toBeUndefined();
  });
});
