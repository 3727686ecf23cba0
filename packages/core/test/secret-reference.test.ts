/** Secret references `lk://vault/item/field` and `{{ lk://… }}` templates (SPEC §2.7). */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { fillTemplate, formatSecretReference, looksLikeSecretReference, parseSecretReference, templateReferences } from '../src/secret-reference.ts';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'not a LatchkeyError';
  }
  return 'no error';
};

describe('parseSecretReference', () => {
  it('parses names, ids and every field, case-insensitively for the field', () => {
    expect(parseSecretReference('lk://Personal/GitHub/password')).toEqual({
      text: 'lk://Personal/GitHub/password',
      vault: 'Personal',
      item: 'GitHub',
      field: 'password',
    });
    expect(parseSecretReference('lk://Work Vault/My DB/Username').field).toBe('username');
    for (const field of ['username', 'password', 'notes', 'url', 'totp', 'title']) expect(parseSecretReference(`lk://v/i/${field}`).field).toBe(field);
    const id = '8e56a4ee-8476-4b2c-8dc5-b00a8fa4d48f';
    expect(parseSecretReference(`lk://${id}/${id}/password`)).toMatchObject({ vault: id, item: id });
  });

  it('percent-decodes each part, so names may hold / % and non-ASCII', () => {
    expect(parseSecretReference('lk://A%2FB/50%25 off/notes')).toMatchObject({ vault: 'A/B', item: '50% off' });
    expect(parseSecretReference('lk://Café/Ünïcødé 🔑/password')).toMatchObject({ vault: 'Café', item: 'Ünïcødé 🔑' });
    const written = formatSecretReference('A/B', '100%', 'totp');
    expect(written).toBe('lk://A%2FB/100%25/totp');
    expect(parseSecretReference(written)).toMatchObject({ vault: 'A/B', item: '100%', field: 'totp' });
  });

  it.each([
    ['op://Personal/GitHub/password'],
    ['lk://Personal/GitHub'],
    ['lk://Personal/a/b/password'],
    ['lk:///GitHub/password'],
    ['lk://Personal/ /password'],
    ['lk://Personal/GitHub/secret'],
    ['lk://Personal/Git%zzHub/password'],
    [''],
  ])('refuses %j with invalid_reference', (text) => {
    expect(codeOf(() => parseSecretReference(text))).toBe('invalid_reference');
  });

  it('tells which environment values are meant as references', () => {
    expect(looksLikeSecretReference(' lk://a/b/password ')).toBe(true);
    expect(looksLikeSecretReference('postgres://lk://a')).toBe(false);
    expect(looksLikeSecretReference('')).toBe(false);
  });
});

describe('templates', () => {
  const template = 'user={{ lk://Work/DB/username }}\npass={{lk://Work/DB/password}}\nagain={{   lk://Work/DB/password   }}\nkeep={{ not a ref }} {{}}\n';

  it('finds every reference, with or without spaces, repeats included', () => {
    expect(templateReferences(template).map((r) => r.text)).toEqual(['lk://Work/DB/username', 'lk://Work/DB/password', 'lk://Work/DB/password']);
    expect(templateReferences('no references')).toEqual([]);
  });

  it('fills them and leaves everything else as it was', () => {
    const values = new Map([
      ['lk://Work/DB/username', 'app'],
      ['lk://Work/DB/password', 's3cr$t&{{x}}'],
    ]);
    expect(fillTemplate(template, values)).toBe('user=app\npass=s3cr$t&{{x}}\nagain=s3cr$t&{{x}}\nkeep={{ not a ref }} {{}}\n');
  });

  it('refuses a malformed reference in a template, and a reference without a value', () => {
    expect(codeOf(() => templateReferences('x={{ lk://only/two }}'))).toBe('invalid_reference');
    expect(codeOf(() => fillTemplate('x={{ lk://a/b/password }}', new Map()))).toBe('invalid_reference');
  });
});
