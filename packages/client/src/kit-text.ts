/**
 * What every kit's plain-text version is made of, and the fields every kit prints: the date
 * line, labelled rows, wrapped paragraphs and bullets within 80 columns (a terminal's width,
 * and what `--save FILE` writes), and the checks on the sign-in address and email before they
 * are printed. Shared by the Emergency Kit, the Recovery Kit, share cards and the backup-codes
 * sheet so they read alike. No node: imports (bundled for the web).
 */
import { LatchkeyError } from '@latchkey/core/errors';

/** The widest line of any text kit. */
export const TEXT_WIDTH = 80;

/** Labels are padded to this width, so the values line up in a column. */
export const LABEL_WIDTH = 18;

/** The local calendar date (YYYY-MM-DD): a person reads the kit in their own time zone. */
export function formatKitDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** One line whatever was passed: a stray newline must not break the layout or forge a line. */
export const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

/**
 * Checks the sign-in address (when given): only http(s), no embedded credentials, so a kit
 * never tells a person to go to a `javascript:` or look-alike address. Empty stays empty.
 */
export function checkSignInAddress(address: string): string {
  const value = oneLine(address);
  if (value === '') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The sign-in address is not a valid URL.', { cause });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new LatchkeyError('invalid_request', 'The sign-in address must start with https:// or http://.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new LatchkeyError('invalid_request', 'The sign-in address must not contain a user name or password.');
  }
  return value;
}

/** Greedy word wrap to `width` columns; a word longer than the line (a long URL) is cut into pieces. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** "Label:           value", or the label on its own line and the value indented below it when it is long. */
export function textRow(label: string, value: string): string[] {
  const head = `${label}:`.padEnd(LABEL_WIDTH);
  if (head.length + value.length <= TEXT_WIDTH) return [`${head}${value}`];
  return [`${label}:`, ...wrapText(value, TEXT_WIDTH - 2).map((l) => `  ${l}`)];
}

/** "- text", wrapped with a hanging indent. */
export const textBullet = (text: string): string[] => wrapText(text, TEXT_WIDTH - 4).map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`));

export const textParagraph = (text: string): string[] => wrapText(text, TEXT_WIDTH - 2);
