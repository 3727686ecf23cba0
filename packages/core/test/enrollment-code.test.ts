/** Verification codes for device enrollment: format, entropy, typo tolerance and refusals. */
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET } from '../src/check-character.ts';
import { ENROLLMENT_CODE_ENTROPY_BITS, enrollmentCodeBytes, generateEnrollmentCode, parseEnrollmentCode } from '../src/enrollment-code.ts';
import { fromUtf8 } from '../src/bytes.ts';
import { expectLatchkeyErrorSync } from './helpers/errors.ts';

describe('enrollment codes', () => {
  it('are XXX-XXX-XXX from the code alphabet, 40 random bits, and differ each time', () => {
    const code = generateEnrollmentCode();
    expect(code).toMatch(/^[23456789A-HJ-NP-Z]{3}-[23456789A-HJ-NP-Z]{3}-[23456789A-HJ-NP-Z]{3}$/);
    expect(ENROLLMENT_CODE_ENTROPY_BITS).toBe(8 * Math.log2(CODE_ALPHABET.length));
    expect(new Set(Array.from({ length: 50 }, generateEnrollmentCode)).size).toBe(50);
  });

  it('parse back whatever the case, spaces and dashes, to the same canonical bytes', () => {
    const code = generateEnrollmentCode();
    const typed = ` ${code.toLowerCase().replaceAll('-', ' ')} `;
    expect(parseEnrollmentCode(typed)).toBe(code);
    expect(fromUtf8(enrollmentCodeBytes(parseEnrollmentCode(typed)))).toBe(code.replaceAll('-', ''));
  });

  it('catch a mistyped character and a swap of two neighbours before a run is spent', () => {
    const code = generateEnrollmentCode().replaceAll('-', '');
    const other = CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[4]!) + 1) % 32]!;
    expectLatchkeyErrorSync(() => parseEnrollmentCode(code.slice(0, 4) + other + code.slice(5)), 'enrollment_code_typo');
    if (code[1] !== code[2]) expectLatchkeyErrorSync(() => parseEnrollmentCode(code[0]! + code[2]! + code[1]! + code.slice(3)), 'enrollment_code_typo');
  });

  it('refuse wrong lengths, look-alikes and other characters', () => {
    const code = generateEnrollmentCode().replaceAll('-', '');
    for (const bad of [code.slice(1), `${code}2`, `0${code.slice(1)}`, `I${code.slice(1)}`, `é${code.slice(1)}`, '', 'x'.repeat(100)]) {
      expectLatchkeyErrorSync(() => parseEnrollmentCode(bad), 'enrollment_code_malformed');
    }
  });
});
