/**
 * The backup-codes sheet (docs/protocol.md §16.2, §19): the two-step verification backup codes, numbered, with
 * whose account they are for and how they work, as a one-page A4 PDF for printing and as plain
 * text (at most 80 columns). Each code works once; creating new codes makes all of these stop
 * working.
 *
 * The codes come from the server: each must be one short token (letters, digits and dashes),
 * so a malformed or hostile value cannot break the layout or forge a line on the sheet. The
 * metadata is generic (no codes, no email). These functions return bytes or a string and never
 * write a file. No node: imports (bundled for the web).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { createFirstFittingKitPdf, type KitDocument } from './kit-document.ts';
import { checkSignInAddress, formatKitDate, oneLine, textBullet, textParagraph, textRow } from './kit-text.ts';

export interface BackupCodesSheetInput {
  email: string;
  /** The address the user signs in at (the server URL). */
  signInAddress: string;
  codes: readonly string[];
  /** When the codes were made; defaults to now. */
  createdAt?: Date;
}

const TITLE = 'Latchkey backup codes';

const INTRO = 'Each code signs you in once, in place of your authenticator app or security key. Creating new backup codes makes all of these stop working.';

const ADVICE: readonly string[] = ['Store this page with your Emergency Kit, not on this device.', 'Cross out each code when you use it.'];

/** The most codes a sheet holds (the server makes 10); more would not be a backup-codes list. */
const MAX_CODES = 40;

const CODE_PATTERN = /^[A-Za-z0-9-]{4,64}$/;

interface SheetContent {
  email: string;
  signInAddress: string;
  codes: readonly string[];
  subtitle: string;
  createdAt: Date;
}

function prepare(input: BackupCodesSheetInput): SheetContent {
  if (input.codes.length === 0 || input.codes.length > MAX_CODES || !input.codes.every((code) => CODE_PATTERN.test(code))) {
    throw new LatchkeyError('invalid_request', 'These are not backup codes: each must be one short run of letters, digits and dashes.');
  }
  const createdAt = input.createdAt ?? new Date();
  const email = oneLine(input.email);
  return {
    email,
    signInAddress: checkSignInAddress(input.signInAddress),
    codes: input.codes,
    subtitle: `${email !== '' ? `For ${email} · ` : ''}created ${formatKitDate(createdAt)}`,
    createdAt,
  };
}

/** "N. code", numbered from 1 with the numbers right-aligned. */
const numbered = (codes: readonly string[], i: number): string => (codes[i] === undefined ? '' : `${String(i + 1).padStart(2, ' ')}. ${codes[i]}`);

/** The codes numbered in two columns, one line per pair (for the printed page). */
export function backupCodesInColumns(codes: readonly string[]): string {
  const half = Math.ceil(codes.length / 2);
  return Array.from({ length: half }, (_, i) => `${numbered(codes, i).padEnd(22, ' ')}${numbered(codes, i + half)}`.trimEnd()).join('\n');
}

/** The backup-codes sheet as a one-page A4 PDF. */
export async function createBackupCodesSheetPdf(input: BackupCodesSheetInput): Promise<Uint8Array> {
  const sheet = prepare(input);
  const layout = (compact: boolean): KitDocument => ({
    title: TITLE,
    subtitle: sheet.subtitle,
    intro: INTRO,
    sections: [
      ...(sheet.signInAddress !== '' ? [{ kind: 'field', label: 'Sign-in address', value: sheet.signInAddress, keepTogether: compact } as const] : []),
      ...(sheet.email !== '' ? [{ kind: 'field', label: 'Email address', value: sheet.email, keepTogether: compact } as const] : []),
      { kind: 'field', label: 'Your backup codes (each works once)', value: backupCodesInColumns(sheet.codes), secret: true, prominent: !compact },
    ],
    footer: { heading: 'Keep it safe', items: ADVICE },
    // Generic on purpose: viewers show these and desktop search indexes them.
    metadata: { title: TITLE, subject: 'Two-step verification backup codes' },
    createdAt: sheet.createdAt,
  });
  return createFirstFittingKitPdf([() => layout(false), () => layout(true)]);
}

/** The backup-codes sheet as plain text (at most 80 columns). */
export function createBackupCodesSheetText(input: BackupCodesSheetInput): string {
  const sheet = prepare(input);
  return [
    TITLE.toUpperCase(),
    sheet.subtitle,
    '',
    ...textParagraph(INTRO),
    '',
    ...(sheet.signInAddress !== '' ? textRow('Sign-in address', sheet.signInAddress) : []),
    ...(sheet.email !== '' ? textRow('Email address', sheet.email) : []),
    '',
    'Your backup codes (each works once)',
    ...sheet.codes.map((_, i) => numbered(sheet.codes, i)),
    '',
    ...ADVICE.flatMap(textBullet),
    '',
  ].join('\n');
}
