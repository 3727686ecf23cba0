/** The text pieces every kit shares: wrapping within the width, rows, bullets, the date and the one-line fields. */
import { describe, expect, it } from 'vitest';
import { LABEL_WIDTH, TEXT_WIDTH, checkSignInAddress, formatKitDate, oneLine, textBullet, textRow, wrapText } from '../src/kit-text.ts';

describe('kit text', () => {
  it('wraps at word boundaries and cuts a word longer than the line', () => {
    expect(wrapText('one two three', 7)).toEqual(['one two', 'three']);
    const url = `https://example.org/${'x'.repeat(100)}`;
    const lines = wrapText(url, 40);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines.join('')).toBe(url);
  });

  it('puts a short value beside its label and a long one below it, never past the width', () => {
    expect(textRow('Email address', 'a@example.org')).toEqual([`${'Email address:'.padEnd(LABEL_WIDTH)}a@example.org`]);
    const long = `https://${'a'.repeat(150)}.example.org`;
    const rows = textRow('Sign-in address', long);
    expect(rows[0]).toBe('Sign-in address:');
    expect(rows.slice(1).every((l) => l.startsWith('  ') && l.length <= TEXT_WIDTH)).toBe(true);
    expect(
      rows
        .slice(1)
        .map((l) => l.trim())
        .join(''),
    ).toBe(long);
  });

  it('bullets with a hanging indent', () => {
    const lines = textBullet('word '.repeat(40).trim());
    expect(lines[0]!.startsWith('- ')).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('  ') && !l.startsWith('   '))).toBe(true);
    expect(lines.every((l) => l.length <= TEXT_WIDTH)).toBe(true);
  });

  it('dates in local time, fields on one line, and only http(s) sign-in addresses without credentials', () => {
    expect(formatKitDate(new Date(2025, 0, 5, 23, 59))).toBe('2025-01-05');
    expect(oneLine(' Alice\n  Example\t')).toBe('Alice Example');
    expect(checkSignInAddress(' https://latchkey.example.org ')).toBe('https://latchkey.example.org');
    expect(checkSignInAddress('')).toBe('');
    for (const bad of ['javascript:alert(1)', 'not a url', 'https://user:pw@latchkey.example.org', 'file:///etc/passwd']) {
      expect(() => checkSignInAddress(bad)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });
});
