/**
 * Tests for the setup code carried by the Emergency Kit's QR code: it round-trips, it never
 * carries a password, and every kind of damaged or forged code is refused with invalid_request.
 */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { generateSecretKey, SECRET_KEY_ALPHABET } from '../src/secret-key.ts';
import { createSetupCode, parseSetupCode, SETUP_CODE_PREFIX } from '../src/setup-code.ts';

const secretKey = generateSecretKey('ABCDEF');
const server = 'https://vault.example.org/latchkey';
const email = 'alice+kit@example.org';

function expectInvalid(fn: () => unknown): LatchkeyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('invalid_request');
    return error as LatchkeyError;
  }
  throw new Error('expected invalid_request');
}

/** Changes one secret character of a canonical Secret Key to another alphabet character. */
function withTypo(key: string): string {
  const i = key.length - 3;
  const c = key[i]!;
  const replacement = SECRET_KEY_ALPHABET[(SECRET_KEY_ALPHABET.indexOf(c) + 1) % 32]!;
  return key.slice(0, i) + replacement + key.slice(i + 1);
}

describe('createSetupCode', () => {
  it('has the documented format', () => {
    const code = createSetupCode({ server, email, secretKey });
    expect(code).toBe(`latchkey-setup:v1?server=${encodeURIComponent(server)}&email=${encodeURIComponent(email)}&secret-key=${secretKey}`);
    expect(code.startsWith(SETUP_CODE_PREFIX)).toBe(true);
    expect(code).toContain('alice%2Bkit%40example.org');
  });

  it('canonicalizes a Secret Key typed in lower case and without dashes', () => {
    const sloppy = secretKey.toLowerCase().replace(/-/g, ' ');
    expect(createSetupCode({ server, email, secretKey: sloppy })).toBe(createSetupCode({ server, email, secretKey }));
  });

  it('has no place for a password, even if one is smuggled in', () => {
    const input = { server, email, secretKey, password: 'correct horse battery staple' };
    const code = createSetupCode(input);
    expect(code).not.toContain('password');
    expect(code).not.toContain('correct');
  });

  it('refuses a Secret Key with a typo, a non-http(s) server and a bad email', () => {
    expect(expectInvalid(() => createSetupCode({ server, email, secretKey: withTypo(secretKey) })).message).toMatch(/typo/);
    expectInvalid(() => createSetupCode({ server: 'javascript:alert(1)', email, secretKey }));
    expectInvalid(() => createSetupCode({ server, email: 'not an email', secretKey }));
  });
});

describe('parseSetupCode', () => {
  it('round-trips', () => {
    for (const s of [server, 'http://localhost:8080', 'https://[::1]:8443/a?b=c&d=e#f', 'https://bücher.example/']) {
      for (const e of [email, 'josé@exämple.org', 'a&b=c@example.org']) {
        expect(parseSetupCode(createSetupCode({ server: s, email: e, secretKey }))).toEqual({ server: s, email: e, secretKey });
      }
    }
  });

  it('ignores surrounding whitespace, the case of the scheme, and unknown parameters', () => {
    const code = createSetupCode({ server, email, secretKey });
    expect(parseSetupCode(`  ${code}\r\n`).secretKey).toBe(secretKey);
    expect(parseSetupCode(code.replace('latchkey-setup', 'LATCHKEY-SETUP')).email).toBe(email);
    expect(parseSetupCode(`${code}&hint=new-device`).server).toBe(server);
  });

  it('returns the Secret Key in canonical form', () => {
    const code = `${SETUP_CODE_PREFIX}server=${encodeURIComponent(server)}&email=${encodeURIComponent(email)}&secret-key=${secretKey.toLowerCase()}`;
    expect(parseSetupCode(code).secretKey).toBe(secretKey);
  });

  it('catches a typo in the Secret Key without echoing the key', () => {
    const code = createSetupCode({ server, email, secretKey }).replace(secretKey, withTypo(secretKey));
    const error = expectInvalid(() => parseSetupCode(code));
    expect(error.message).toMatch(/typo/);
    expect(error.message).not.toContain(secretKey.slice(3, 9));
    expect((error.cause as LatchkeyError).code).toBe('secret_key_typo');
  });

  it('refuses servers that are not http(s) URLs', () => {
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'ftp://example.org',
      'data:text/html,hi',
      'example.org',
      '//example.org',
      'https://user:pw@example.org/',
    ]) {
      const code = `${SETUP_CODE_PREFIX}server=${encodeURIComponent(bad)}&email=${encodeURIComponent(email)}&secret-key=${secretKey}`;
      expectInvalid(() => parseSetupCode(code));
    }
  });

  it('refuses malformed codes', () => {
    const good = createSetupCode({ server, email, secretKey });
    const cases = [
      '',
      'hello',
      `https://example.org/?secret-key=${secretKey}`,
      good.replace(':v1?', ':v2?'),
      good.replace(':v1?', ':v1'),
      good.replace(/&secret-key=[^&]*/, ''),
      good.replace(/&email=[^&]*/, ''),
      good.replace(/server=[^&]*/, 'server='),
      good.replace(/email=[^&]*/, 'email=no-at-sign'),
      good.replace(/secret-key=[^&]*/, 'secret-key=L1-NOTAKEY'),
      `${good}&email=${encodeURIComponent('mallory@example.org')}`,
      `${good}&`,
      `${good}&=x`,
      `${good}&novalue`,
      good.replace('server=', 'server=%E0%A4%A'),
      `${good}&pad=${'x'.repeat(5000)}`,
    ];
    for (const text of cases) expectInvalid(() => parseSetupCode(text));
  });

  it('never echoes unknown parameter names (they could be anything scanned)', () => {
    const good = createSetupCode({ server, email, secretKey });
    const error = expectInvalid(() => parseSetupCode(`${good}&${secretKey}=1&${secretKey}=2`));
    expect(error.message).not.toContain(secretKey);
  });
});
