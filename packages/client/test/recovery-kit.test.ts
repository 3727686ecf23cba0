/**
 * Tests for the Recovery Kit and recovery share cards (PDF and text): one-page A4 PDFs whose
 * extractable text holds the code (one contiguous string) or the share, the account's email
 * and sign-in address, and the advice SPEC §2.2 asks for; no QR code on the Recovery Kit, and
 * on a share card a QR code whose modules are exactly the share text's; no code or share in the
 * document metadata; text versions within 80 columns.
 */
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core/errors';
import { generateRecoveryCode, lastGroupOf } from '@latchkey/core/recovery-code';
import { combineRecoveryShares, splitRecoveryCode, type RecoveryShare } from '@latchkey/core/recovery-shares';
import { createRecoveryKitPdf, createRecoveryKitText, type RecoveryKitInput } from '../src/recovery-kit.ts';
import { createShareCardPdf, createShareCardText } from '../src/share-cards.ts';
import { KitOverflowError } from '../src/kit-document.ts';
import { extractPdfPaths, extractPdfText } from '@latchkey/client/testing';
import { expectedModules, readQr } from './helpers/pdf-qr.ts';

const recoveryCode = generateRecoveryCode();
const input: RecoveryKitInput = {
  email: 'alice@example.org',
  signInAddress: 'https://latchkey.example.org',
  recoveryCode,
  createdAt: new Date(2025, 2, 14, 9, 30),
};
const LONG_ADDRESS = `https://latchkey.internal.example-corporation.co.uk/${'teams/'.repeat(12)}sign-in`;

async function expectOnePageA4(bytes: Uint8Array): Promise<PDFDocument> {
  expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  expect(pdf.getPageCount()).toBe(1);
  const { width, height } = pdf.getPage(0).getSize();
  expect(width).toBeCloseTo(595.28, 1);
  expect(height).toBeCloseTo(841.89, 1);
  return pdf;
}

/** Title, subject, author and keywords: what viewers show and desktop search indexes. */
function metadataOf(pdf: PDFDocument): string {
  return [pdf.getTitle(), pdf.getSubject(), pdf.getAuthor(), pdf.getKeywords(), pdf.getCreator(), pdf.getProducer()].join('\n');
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

function expectColumns(text: string, max = 80): void {
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(max);
}

describe('createRecoveryKitPdf', () => {
  it('is a one-page A4 PDF', async () => {
    await expectOnePageA4(await createRecoveryKitPdf(input));
  });

  it('shows the code as one contiguous string, its last group, the email and the sign-in address', async () => {
    const text = await extractPdfText(await createRecoveryKitPdf(input));
    expect(text).toContain('Latchkey Recovery Kit');
    expect(text).toContain('Created on 2025-03-14');
    // Drawn in one piece (one text-show operation), so copy and paste and pdftotext give it whole.
    expect(text.split('\n')).toContain(recoveryCode);
    expect(text.split('\n')).toContain(lastGroupOf(recoveryCode));
    expect(text).toMatch(/Last group of the code \(the confirmation step may ask you for it\)/);
    expect(text.split('\n')).toContain(input.email);
    expect(text.split('\n')).toContain(input.signInAddress);
  });

  it('says what the code is for, that it is reusable, where to keep it and how to use it', async () => {
    const text = flat(await extractPdfText(await createRecoveryKitPdf(input)));
    expect(text).toMatch(/resets your account password and your Secret Key/);
    expect(text).toMatch(/lost every device/);
    expect(text).toMatch(/passkey/);
    expect(text).toMatch(/reusable: it stays valid after you use it/);
    expect(text).toMatch(/Replace it after you have used it, and at once if someone else may have seen it/);
    expect(text).toMatch(/offline, in a safe place/);
    expect(text).toMatch(/split it into shares for trusted family members/);
    expect(text).toContain('"Having trouble signing in?", then "Use recovery code"');
    expect(text).toMatch(/in a terminal, run latchkey recover/);
  });

  it('draws no QR code: nothing a camera could capture in passing', async () => {
    const paths = await extractPdfPaths(await createRecoveryKitPdf(input));
    // Rules and lines only (at most a couple of rectangles each), never a module matrix.
    for (const path of paths) expect(path.rectangles.length).toBeLessThan(5);
  });

  it('keeps the code out of the document metadata and out of the raw file', async () => {
    const bytes = await createRecoveryKitPdf(input);
    const pdf = await expectOnePageA4(bytes);
    expect(pdf.getTitle()).toBe('Latchkey Recovery Kit');
    expect(pdf.getAuthor()).toBeUndefined();
    expect(pdf.getKeywords()).toBeUndefined();
    expect(pdf.getCreationDate()?.getTime()).toBe(input.createdAt!.getTime());
    const metadata = metadataOf(pdf);
    const compact = recoveryCode.replace(/-/g, '');
    for (const value of [recoveryCode, compact, compact.slice(2, 12), lastGroupOf(recoveryCode), input.email]) {
      expect(metadata).not.toContain(value);
    }
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).not.toContain(recoveryCode);
    expect(raw).not.toContain(compact.slice(2, 12));
    expect(raw).not.toContain(input.email);
  });

  it('canonicalizes what was typed and refuses a code with a typo or a malformed one', async () => {
    const typed = recoveryCode.toLowerCase().replace(/-/g, ' ');
    const text = await extractPdfText(await createRecoveryKitPdf({ ...input, recoveryCode: typed }));
    expect(text.split('\n')).toContain(recoveryCode);
    const last = recoveryCode.at(-1)!;
    const typo = `${recoveryCode.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    await expect(createRecoveryKitPdf({ ...input, recoveryCode: typo })).rejects.toMatchObject({ code: 'recovery_code_typo' });
    expect(() => createRecoveryKitText({ ...input, recoveryCode: 'R1-ABC' })).toThrow(LatchkeyError);
    await expect(createRecoveryKitPdf({ ...input, signInAddress: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('is reproducible, and fits a long sign-in address and characters the fonts cannot draw', async () => {
    const a = await createRecoveryKitPdf(input);
    const b = await createRecoveryKitPdf(input);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const text = await extractPdfText(await createRecoveryKitPdf({ ...input, signInAddress: LONG_ADDRESS, email: 'zoë.李@example.org' }));
    expect(text.replace(/\n/g, '')).toContain(LONG_ADDRESS);
    expect(text).toContain('zoë.?@example.org');
    expect(text.split('\n')).toContain(recoveryCode);
  });

  it('falls back to a compact layout for an extremely long address and email instead of failing', async () => {
    const signInAddress = `https://${'a'.repeat(400)}.example.org/`;
    const email = `${'b'.repeat(242)}@example.org`;
    const bytes = await createRecoveryKitPdf({ ...input, signInAddress, email });
    await expectOnePageA4(bytes);
    const text = await extractPdfText(bytes);
    expect(text.split('\n')).toContain(recoveryCode);
    expect(text.split('\n')).toContain(lastGroupOf(recoveryCode));
    expect(text.replace(/\n/g, '')).toContain(signInAddress);
    expect(text.replace(/\n/g, '')).toContain(email);
    expect(flat(text)).toMatch(/reusable: it stays valid after you use it/);
    expect(flat(text)).toContain('"Having trouble signing in?", then "Use recovery code"');
  });

  it('refuses input that fits no layout with a named overflow error, never a cut-off kit', async () => {
    const email = `${'b'.repeat(20_000)}@example.org`;
    const failure = await createRecoveryKitPdf({ ...input, email }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KitOverflowError);
    expect(failure).not.toBeInstanceOf(RangeError);
    expect(failure).toMatchObject({ code: 'kit_overflow' });
  });
});

describe('createRecoveryKitText', () => {
  it('holds the code, its last group, the email, the sign-in address and the advice, within 80 columns', () => {
    const text = createRecoveryKitText(input);
    expect(text).toMatch(/^LATCHKEY RECOVERY KIT\nCreated on 2025-03-14\n/);
    expect(text).toContain(`Recovery code:    ${recoveryCode}\n`);
    expect(text).toContain(`Email address:    ${input.email}\n`);
    expect(text).toContain(`Sign-in address:  ${input.signInAddress}\n`);
    expect(text).toMatch(new RegExp(`last group, to check a copy at a glance:\\n\\s+${lastGroupOf(recoveryCode)}\\n`));
    const words = flat(text);
    expect(words).toMatch(/reusable: it stays valid after you use it/);
    expect(words).toMatch(/passkey/);
    expect(words).toMatch(/lost every device/);
    expect(words).toContain('"Having trouble signing in?", then "Use recovery code"');
    expectColumns(text);
  });

  it('stays within 80 columns with a long address and email', () => {
    const text = createRecoveryKitText({ ...input, signInAddress: LONG_ADDRESS, email: `${'a'.repeat(70)}@example.org` });
    expectColumns(text);
    expect(text.replace(/\n\s*/g, '')).toContain(LONG_ADDRESS);
    expect(text.split('\n')).toContain(`Recovery code:    ${recoveryCode}`);
  });
});

describe('share cards', () => {
  let shares: RecoveryShare[];
  const shareInput = (share: RecoveryShare) => ({ email: input.email, signInAddress: input.signInAddress, share, createdAt: input.createdAt });

  beforeAll(async () => {
    shares = await splitRecoveryCode(recoveryCode, { total: 5, threshold: 3 });
  });

  it('a card is a one-page A4 PDF saying which share it is, whose account, and what to do with it', async () => {
    const share = shares[1]!;
    const text = await extractPdfText(await createShareCardPdf(shareInput(share)));
    await expectOnePageA4(await createShareCardPdf(shareInput(share)));
    expect(text).toContain('Latchkey Recovery Share 2 of 5');
    expect(text).toContain('Recovery share 2 of 5 \u2014 any 3 rebuild the recovery code');
    expect(text.split('\n')).toContain(input.email);
    expect(text.split('\n')).toContain(input.signInAddress);
    // Grouped on lines that break after a dash: joined, they are exactly the share text.
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('S1-'));
    expect(start).toBeGreaterThan(-1);
    expect(lines.slice(start, start + 8).join('')).toContain(share.text);
    const words = flat(text);
    expect(words).toMatch(/someone you trust/);
    expect(words).toMatch(/On its own this share reveals nothing/);
    expect(words).toMatch(/Any 3 shares together rebuild the recovery code/);
    expect(words).toMatch(/will not collude/);
    // A card never carries the code itself.
    expect(text).not.toContain(recoveryCode);
    expect(text).not.toContain(recoveryCode.replace(/-/g, '').slice(2));
  });

  it('draws a QR code whose modules are exactly the share text', async () => {
    for (const share of [shares[0]!, shares[4]!]) {
      const grid = readQr(await extractPdfPaths(await createShareCardPdf(shareInput(share))));
      expect(grid).toEqual(expectedModules(share.text));
      const n = grid.length;
      for (const [r, c] of [
        [0, 0],
        [0, n - 1],
        [n - 1, 0],
      ] as const)
        expect(grid[r]![c]).toBe(true);
    }
    // The shares the cards carry really rebuild the code.
    expect(await combineRecoveryShares([shares[0]!.text, shares[2]!.text, shares[4]!.text])).toBe(recoveryCode);
  });

  it('keeps the share out of the metadata and out of the raw file', async () => {
    const share = shares[2]!;
    const bytes = await createShareCardPdf(shareInput(share));
    const pdf = await expectOnePageA4(bytes);
    expect(pdf.getTitle()).toBe('Latchkey recovery share');
    const metadata = metadataOf(pdf);
    const compact = share.text.replace(/-/g, '');
    for (const value of [share.text, compact.slice(2, 14), share.text.split('-')[5]!, recoveryCode, input.email]) expect(metadata).not.toContain(value);
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).not.toContain(share.text.slice(0, 20));
    expect(raw).not.toContain(input.email);
  });

  it('fits on one page with a long sign-in address and the largest share numbers, and without email or address', async () => {
    const many = await splitRecoveryCode(recoveryCode, { total: 255, threshold: 254 });
    const share = many[254]!;
    for (const [email, signInAddress] of [
      [`${'a'.repeat(60)}@example.org`, LONG_ADDRESS],
      [`${'b'.repeat(242)}@example.org`, `https://${'a'.repeat(400)}.example.org/`],
    ] as const) {
      const bytes = await createShareCardPdf({ email, signInAddress, share });
      await expectOnePageA4(bytes);
      const text = await extractPdfText(bytes);
      expect(text).toContain('Recovery share 255 of 255 \u2014 any 254 rebuild the recovery code');
      expect(text.replace(/\n/g, '')).toContain(share.text);
      expect(text.replace(/\n/g, '')).toContain(email);
      expect(readQr(await extractPdfPaths(bytes))).toEqual(expectedModules(share.text));
    }
    const bare = await extractPdfText(await createShareCardPdf({ email: '', signInAddress: '', share: shares[0]! }));
    expect(bare).toContain('Latchkey Recovery Share 1 of 5');
    expect(flat(bare)).toContain('any 3 rebuild the recovery code of a Latchkey account.');
    expect(bare).not.toContain('Sign-in address');
    const bareText = createShareCardText({ email: '', signInAddress: '', share: shares[0]! });
    expect(bareText).not.toContain('Sign-in address');
    expect(bareText).not.toMatch(/\n\n\n/);
    expectColumns(bareText);
  });

  it('refuses a card whose share text is mistyped or does not match its numbers', async () => {
    const share = shares[0]!;
    const last = share.text.at(-1)!;
    const typo = { ...share, text: `${share.text.slice(0, -1)}${last === 'A' ? 'B' : 'A'}` };
    await expect(createShareCardPdf(shareInput(typo))).rejects.toMatchObject({ code: 'share_invalid' });
    expect(() => createShareCardText(shareInput({ ...share, threshold: 2 }))).toThrow(LatchkeyError);
    expect(() => createShareCardText(shareInput({ ...share, index: 6 }))).toThrow(LatchkeyError);
    expect(() => createShareCardText({ ...shareInput(share), signInAddress: 'file:///etc/passwd' })).toThrow(LatchkeyError);
  });

  it('the text card holds the share (grouped, first line "S1-"), the account and the advice, within 80 columns', async () => {
    const share = shares[3]!;
    const text = createShareCardText(shareInput(share));
    expectColumns(text);
    expect(text).toMatch(/^LATCHKEY RECOVERY SHARE 4 OF 5\n/);
    expect(flat(text)).toContain('Recovery share 4 of 5 \u2014 any 3 rebuild the recovery code of the Latchkey account below.');
    expect(text).toContain(`Account:          ${input.email}\n`);
    expect(text).toContain(`Sign-in address:  ${input.signInAddress}\n`);
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('S1-'));
    const shareBlock: string[] = [];
    for (let i = start; lines[i] !== ''; i++) shareBlock.push(lines[i]!);
    expect(shareBlock.length).toBeGreaterThan(1);
    expect(shareBlock.join('')).toBe(share.text);
    for (const line of shareBlock.slice(0, -1)) expect(line.endsWith('-')).toBe(true);
    // What a person copies from the card (line breaks included) rebuilds the code with two others.
    expect(await combineRecoveryShares([shareBlock.join('\n'), shares[0]!.text, shares[1]!.text])).toBe(recoveryCode);
    expect(flat(text)).toMatch(/will not collude/);
    expect(flat(text)).toMatch(/On its own this share reveals nothing/);
    expect(text).not.toContain(recoveryCode);
  });
});
