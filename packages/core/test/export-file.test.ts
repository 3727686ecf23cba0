/** The encrypted Latchkey export (core/export-file.ts): round trip, wrong password, altered or cut files, bounded parameters. */
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { EXPORT_KDF, exportContent, openExport, sealExport } from '../src/export-file.ts';
import { KEY_STRETCHING_PARAMETERS } from '../src/opaque.ts';

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'not a LatchkeyError';
  }
  return 'no error';
};

const content = exportContent([
  {
    name: 'Ünï vault',
    items: [{ kind: 'login', title: 'GitHub', username: 'octo', password: 'pässwörd', urls: ['https://github.com'], notes: 'a\nb', totp: 'JBSWY3DPEHPK3PXP' }],
  },
]);

// Each Argon2id run (64 MiB, t=3) takes seconds in JavaScript on a small machine.
describe('encrypted export', { timeout: 120_000 }, () => {
  it('uses the account key stretching parameters', () => {
    expect(EXPORT_KDF).toEqual(KEY_STRETCHING_PARAMETERS);
  });

  it('opens with its password, losslessly, and refuses a wrong password or any change with invalid_file', async () => {
    const sealed = await sealExport(content, 'export password 1');
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('pässwörd');
    expect(text).not.toContain('GitHub');
    expect(await openExport(JSON.parse(text), 'export password 1')).toEqual(content);
    expect(await codeOf(openExport(sealed, 'export password 2'))).toBe('invalid_file');
    // Other parameters (within bounds) derive another key, and the associated data binds them too.
    expect(await codeOf(openExport({ ...sealed, kdf: { ...sealed.kdf, iterations: 1, memoryKiB: 19456 } }, 'export password 1'))).toBe('invalid_file');
    expect(await codeOf(openExport({ ...sealed, box: sealed.box.slice(0, -10) }, 'export password 1'))).toBe('invalid_file');
  });

  it('refuses malformed files and parameters that would exhaust the device before deriving anything', async () => {
    const sealed = await sealExport(content, 'export password 1');
    expect(await codeOf(openExport({ ...sealed, kdf: { ...sealed.kdf, memoryKiB: 64 * 1048576 } }, 'x'))).toBe('invalid_file');
    expect(await codeOf(openExport({ ...sealed, kdf: { ...sealed.kdf, algorithm: 'pbkdf2' } }, 'x'))).toBe('invalid_file');
    expect(await codeOf(openExport({ ...sealed, kdf: { ...sealed.kdf, salt: 'c2hvcnQ' } }, 'x'))).toBe('invalid_file');
    expect(await codeOf(openExport({ ...sealed, version: 2 }, 'x'))).toBe('invalid_file');
    expect(await codeOf(openExport({ format: 'other' }, 'x'))).toBe('invalid_file');
    expect(await codeOf(openExport(null, 'x'))).toBe('invalid_file');
  });
});
