/**
 * Tests for the Emergency Kit (PDF and text) and the kit PDF builder: the PDF is a valid
 * one-page A4 document whose extractable text holds the sign-in details, whose QR code is
 * exactly the setup code's module matrix, and which never holds a password or puts a secret
 * in its metadata.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core/errors';
import { generateSecretKey, type SecretKey } from '@latchkey/core/secret-key';
import { createSetupCode, parseSetupCode } from '@latchkey/core/setup-code';
import { createEmergencyKitPdf, createEmergencyKitText, type EmergencyKitInput } from '../src/emergency-kit.ts';
import { KitOverflowError, createFirstFittingKitPdf, createKitPdf, qrModules, type KitDocument } from '../src/kit-document.ts';
import { extractPdfPaths, extractPdfText } from '@latchkey/client/testing';
import { expectedModules, readQr } from './helpers/pdf-qr.ts';

const secretKey = generateSecretKey();
const input: EmergencyKitInput = {
  signInAddress: 'https://latchkey.example.org',
  email: 'alice@example.org',
  name: 'Alice Example',
  secretKey,
  createdAt: new Date(2025, 2, 14, 9, 30),
};
const PASSWORD = 'Tr0ub4dor&3-correct-horse';

describe('createEmergencyKitPdf', () => {
  it('is a one-page A4 PDF that pdf-lib loads', async () => {
    const bytes = await createEmergencyKitPdf(input);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect(width).toBeCloseTo(595.28, 1);
    expect(height).toBeCloseTo(841.89, 1);
  });

  it('shows the sign-in address, email, name, date and the Secret Key as one contiguous string', async () => {
    const text = await extractPdfText(await createEmergencyKitPdf(input));
    expect(text).toContain('Latchkey Emergency Kit');
    expect(text).toContain(secretKey);
    expect(text.split('\n')).toContain(secretKey);
    expect(text).toContain(input.email);
    expect(text).toContain(input.signInAddress);
    expect(text).toContain('Created for Alice Example on 2025-03-14');
    expect(text).toContain('Account password');
    expect(text).toMatch(/both your Secret Key and your account password/);
    expect(text).toMatch(/Never store your account password with it/);
  });

  it("names only what exists: the sign-in page's own setup-code wording, no app, no organizer recovery", async () => {
    const text = (await extractPdfText(await createEmergencyKitPdf(input))).replace(/\s+/g, ' ');
    // The caption quotes the web sign-in page; this fails if either wording drifts.
    const signInPage = readFileSync(new URL('../../web/app/pages/sign-in/NewBrowserSignIn.tsx', import.meta.url), 'utf8');
    const summary = /<summary>([^<]+)<\/summary>/.exec(signInPage)?.[1];
    expect(summary).toBe("Fill in from your Emergency Kit's setup code");
    expect(text).toContain(`under "${summary}" on the sign-in page`);
    expect(text).toContain("phone's camera");
    for (const kit of [text, createEmergencyKitText(input)]) {
      expect(kit).not.toMatch(/Latchkey app|organizer|administrator/);
    }
  });

  it('has no password parameter, and a smuggled password appears nowhere', async () => {
    expectTypeOf<EmergencyKitInput>().not.toHaveProperty('password');
    // @ts-expect-error: the kit takes no password, by design.
    const typed: EmergencyKitInput = { ...input, password: PASSWORD };
    const smuggled = { ...input, password: PASSWORD, accountPassword: PASSWORD } as EmergencyKitInput;
    const bytes = await createEmergencyKitPdf(smuggled);
    const text = await extractPdfText(bytes);
    expect(text).not.toContain(PASSWORD);
    expect(Buffer.from(bytes).toString('latin1')).not.toContain(PASSWORD);
    expect(createEmergencyKitText(smuggled)).not.toContain(PASSWORD);
    expect(createEmergencyKitText(typed)).not.toContain(PASSWORD);
    // The QR payload cannot carry it either.
    const grid = readQr(await extractPdfPaths(bytes));
    expect(grid).toEqual(expectedModules(createSetupCode({ server: input.signInAddress, email: input.email, secretKey })));
  });

  it('draws a QR code whose modules are exactly the setup code', async () => {
    const bytes = await createEmergencyKitPdf(input);
    // Built by hand from the documented format, so the test does not trust createSetupCode alone.
    const setupCode = `latchkey-setup:v1?server=https%3A%2F%2Flatchkey.example.org&email=alice%40example.org&secret-key=${secretKey}`;
    expect(createSetupCode({ server: input.signInAddress, email: input.email, secretKey })).toBe(setupCode);
    expect(parseSetupCode(setupCode)).toEqual({ server: input.signInAddress, email: input.email, secretKey });

    const grid = readQr(await extractPdfPaths(bytes));
    const expected = expectedModules(setupCode);
    expect(grid).toEqual(expected);
    expect(grid).toEqual(qrModules(setupCode));
    const dark = (m: boolean[][]) => m.flat().filter(Boolean).length;
    expect(dark(grid)).toBe(dark(expected));
    // The three finder patterns prove orientation: top-left, top-right and bottom-left corners.
    const n = grid.length;
    for (const [r, c] of [
      [0, 0],
      [0, n - 1],
      [n - 1, 0],
    ] as const)
      expect(grid[r]![c]).toBe(true);
    expect(grid[n - 1]![n - 1]).toBe(expected[n - 1]![n - 1]);
  });

  it('keeps every secret out of the document metadata', async () => {
    const bytes = await createEmergencyKitPdf(input);
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getTitle()).toBe('Latchkey Emergency Kit');
    expect(pdf.getSubject()).toBe('Sign-in details for a Latchkey account');
    expect(pdf.getCreator()).toBe('Latchkey');
    expect(pdf.getProducer()).toBe('Latchkey');
    expect(pdf.getAuthor()).toBeUndefined();
    expect(pdf.getKeywords()).toBeUndefined();
    expect(pdf.getCreationDate()?.getTime()).toBe(input.createdAt!.getTime());
    const metadata = [pdf.getTitle(), pdf.getSubject(), pdf.getCreator(), pdf.getProducer()].join('\n');
    for (const value of [secretKey, secretKey.slice(3, 9), input.email, input.name!]) expect(metadata).not.toContain(value);
    // Nothing readable outside the compressed page content either (e.g. an uncompressed Info dict).
    const raw = Buffer.from(bytes).toString('latin1');
    expect(raw).not.toContain(secretKey);
    expect(raw).not.toContain(input.email);
  });

  it('is reproducible for the same input', async () => {
    const a = await createEmergencyKitPdf(input);
    const b = await createEmergencyKitPdf(input);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('wraps a long sign-in address and survives names the standard fonts cannot draw', async () => {
    const signInAddress = `https://latchkey.internal.example-corporation.co.uk/${'teams/'.repeat(12)}sign-in`;
    const bytes = await createEmergencyKitPdf({ ...input, signInAddress, name: 'Zoë 李雷 🙂', email: 'zoë@example.org' });
    const text = await extractPdfText(bytes);
    expect(text.replace(/\n/g, '')).toContain(signInAddress);
    expect(text.split('\n')).toContain(secretKey);
    expect(text).toContain('Created for Zoë ?? ? on');
    expect(text).toContain('zoë@example.org');
    expect(readQr(await extractPdfPaths(bytes))).toEqual(expectedModules(createSetupCode({ server: signInAddress, email: 'zoë@example.org', secretKey })));
    expect(createEmergencyKitText({ ...input, name: 'Zoë 李雷 🙂' })).toContain('Created for Zoë 李雷 🙂 on');
  });

  it('refuses a Secret Key with a typo and a sign-in address that is not http(s)', async () => {
    const typo = (secretKey.slice(0, -2) + (secretKey.at(-2) === 'A' ? 'B' : 'A') + secretKey.at(-1)) as SecretKey;
    await expect(createEmergencyKitPdf({ ...input, secretKey: typo })).rejects.toMatchObject({ code: 'secret_key_typo' });
    expect(() => createEmergencyKitText({ ...input, secretKey: typo })).toThrow(LatchkeyError);
    await expect(createEmergencyKitPdf({ ...input, signInAddress: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('createEmergencyKitText', () => {
  it('has the details, a blank for the password, and what to do with the kit', () => {
    const text = createEmergencyKitText(input);
    expect(text).toMatch(/^LATCHKEY EMERGENCY KIT\nCreated for Alice Example on 2025-03-14\n/);
    expect(text).toContain(`Sign-in address:  ${input.signInAddress}\n`);
    expect(text).toContain(`Email address:    ${input.email}\n`);
    expect(text).toContain(`Secret Key:       ${secretKey}\n`);
    expect(text).toMatch(/\nAccount password: _{20,}\n/);
    expect(text).toMatch(/Print it/);
    expect(text).toMatch(/somewhere safe|somewhere only you can reach/);
    expect(text).toMatch(/Never store your account password with it/);
    expect(text.replace(/\s+/g, ' ')).toMatch(/both your Secret Key and your account password/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('omits the name line part when no name is given', () => {
    const { name: _name, ...rest } = input;
    expect(createEmergencyKitText(rest).split('\n')[1]).toBe('Created on 2025-03-14');
  });
});

describe('createKitPdf', () => {
  const base: KitDocument = {
    title: 'Test kit',
    intro: 'Intro.',
    sections: [{ kind: 'field', label: 'Code', value: 'SECRET-VALUE-123', secret: true }],
    footer: { items: ['Keep it safe.'] },
    metadata: { title: 'Test kit', subject: 'Testing' },
  };

  it('refuses metadata that repeats a value marked secret', async () => {
    await expect(createKitPdf({ ...base, metadata: { title: 'Kit SECRET-VALUE-123', subject: 'x' } })).rejects.toThrow(/metadata/);
  });

  it('refuses content that does not fit on one page instead of cutting it off', async () => {
    const sections = Array.from({ length: 60 }, (_, i) => ({ kind: 'paragraph' as const, text: `Paragraph ${i}` }));
    const overflow = await createKitPdf({ ...base, sections }).catch((error: unknown) => error);
    expect(overflow).toBeInstanceOf(KitOverflowError);
    expect(overflow).toBeInstanceOf(LatchkeyError);
    expect(overflow).toMatchObject({ code: 'kit_overflow', name: 'KitOverflowError' });
  });

  it('falls back to the next layout on overflow, and reports overflow when none fits', async () => {
    const tooLong = { ...base, sections: Array.from({ length: 60 }, (_, i) => ({ kind: 'paragraph' as const, text: `Paragraph ${i}` })) };
    const fits = await createFirstFittingKitPdf([() => tooLong, () => base]);
    expect(await extractPdfText(fits)).toContain(base.title);
    await expect(createFirstFittingKitPdf([() => tooLong, () => tooLong])).rejects.toMatchObject({ code: 'kit_overflow' });
    // Any other failure is not swallowed by the fallback.
    await expect(createFirstFittingKitPdf([() => ({ ...base, metadata: { title: 'Kit SECRET-VALUE-123', subject: 'x' } }), () => base])).rejects.toThrow(
      /metadata/,
    );
  });

  it('draws headings, lists and paragraphs as extractable text', async () => {
    const text = await extractPdfText(
      await createKitPdf({
        ...base,
        sections: [
          { kind: 'heading', text: 'Share 2 of 5' },
          { kind: 'list', items: ['First step', 'Second step'] },
          { kind: 'paragraph', text: 'Quotes \u201cwork\u201d \u2014 and dashes.' },
        ],
      }),
    );
    expect(text).toContain('Share 2 of 5');
    expect(text).toContain('\u2022\nFirst step');
    expect(text).toContain('Quotes \u201cwork\u201d \u2014 and dashes.');
  });
});
