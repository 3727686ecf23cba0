/**
 * Tests for the backup-codes sheet (PDF and text), built in the SDK like the other kits: every
 * code is on it, numbered, with whose account it is and how the codes work; no code in the PDF
 * metadata; text within 80 columns; values a server could send to break the layout refused.
 */
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { backupCodesInColumns, createBackupCodesSheetPdf, createBackupCodesSheetText, type BackupCodesSheetInput } from '../src/backup-codes-sheet.ts';
import { extractPdfText } from '@latchkey/client/testing';

const codes = Array.from({ length: 10 }, (_, i) => `K7QM-${String(i).repeat(4)}-X9ZP`.replace(/[01]/g, 'A'));
const input: BackupCodesSheetInput = {
  email: 'alice@example.org',
  signInAddress: 'https://latchkey.example.org',
  codes,
  createdAt: new Date(2025, 2, 14, 9, 30),
};

describe('backup-codes sheet', () => {
  it('the PDF is one A4 page with every code, the account and the advice, and no code in its metadata', async () => {
    const bytes = await createBackupCodesSheetPdf(input);
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    const text = await extractPdfText(bytes);
    for (const code of codes) expect(text).toContain(code);
    expect(text).toContain(' 1. ');
    expect(text).toContain('10. ');
    expect(text).toContain(input.email);
    expect(text).toContain(input.signInAddress);
    expect(text).toContain('For alice@example.org · created 2025-03-14');
    expect(text.replace(/\s+/g, ' ')).toContain('Creating new backup codes makes all of these stop working.');
    const metadata = [pdf.getTitle(), pdf.getSubject(), pdf.getKeywords(), pdf.getAuthor()].join('\n');
    for (const code of codes) expect(metadata).not.toContain(code);
    expect(metadata).not.toContain(input.email);
  });

  it('the text is numbered, within 80 columns, and the same for the same input', () => {
    const text = createBackupCodesSheetText(input);
    expect(text).toMatch(/^LATCHKEY BACKUP CODES\nFor alice@example.org · created 2025-03-14\n/);
    expect(text).toContain(`Sign-in address:  ${input.signInAddress}\n`);
    for (const [i, code] of codes.entries()) expect(text.split('\n')).toContain(`${String(i + 1).padStart(2, ' ')}. ${code}`);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(createBackupCodesSheetText(input)).toBe(text);
  });

  it('lays the printed codes out in two numbered columns', () => {
    const columns = backupCodesInColumns(['AAAA-1', 'BBBB-2', 'CCCC-3']).split('\n');
    expect(columns).toEqual([' 1. AAAA-1             3. CCCC-3', ' 2. BBBB-2']);
  });

  it('refuses what is not a list of backup codes (a line break, an empty list) and a sign-in address that is not http(s)', async () => {
    for (const bad of [[], ['K7QM-AAAA\nForged line'], ['has space'], Array.from({ length: 41 }, () => 'K7QM-AAAA')]) {
      expect(() => createBackupCodesSheetText({ ...input, codes: bad })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
      await expect(createBackupCodesSheetPdf({ ...input, codes: bad })).rejects.toMatchObject({ code: 'invalid_request' });
    }
    expect(() => createBackupCodesSheetText({ ...input, signInAddress: 'javascript:alert(1)' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
