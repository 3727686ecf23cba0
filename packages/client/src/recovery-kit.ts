/**
 * The Recovery Kit and recovery share cards (SPEC §2.2), as one-page A4 PDFs for printing and
 * as plain text (at most 80 columns) for `--save FILE` and terminals.
 *
 * - The Recovery Kit holds the recovery code: what it is for, that it stays valid after use,
 *   where to keep it, how to use it, and the code itself in large monospace as one contiguous
 *   string, with its last group repeated on its own, so a person can check a copy at a glance.
 * - A share card holds one Shamir share of a recovery code (`splitRecoveryCode`): "share N of
 *   M, any K rebuild the recovery code", whose account it is, what to do with it, the share
 *   text grouped for typing, and a QR code of the share text.
 *
 * QR codes: the share card has one, the Recovery Kit deliberately does not. A recovery code
 * alone (with access to the account's email) resets the account, and a QR code is read in a
 * split second by any phone camera: a kit on a desk, in a photo of a room or in a video call
 * could be captured whole without anyone noticing, whereas copying 44 characters takes
 * deliberate effort. Recovery codes are rarely used, so typing one costs little. A single
 * share, by contrast, reveals nothing, and shares are long (over 200 characters), so scanning
 * saves real effort and typing mistakes.
 *
 * The document metadata (title, subject) is generic: no email, no code, no share; viewers show
 * it and desktop search indexes it. These functions return bytes or a string and never write a
 * file: where a kit goes is the user's explicit choice. No node: imports (bundled for the web).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { lastGroupOf, parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { parseRecoveryShare, type RecoveryShare } from '@latchkey/core/recovery-shares';
import { createKitPdf, type KitDocument, type KitSection } from './kit-document.ts';

export interface RecoveryKitInput {
  email: string;
  /** The address the user signs in at (the server URL). */
  signInAddress: string;
  recoveryCode: RecoveryCode | string;
  /** When the code was made; defaults to now. */
  createdAt?: Date;
}

export interface ShareCardInput {
  /** The account the share belongs to; may be empty when it is not known (then omitted). */
  email: string;
  /** May be empty when it is not known (then omitted). */
  signInAddress: string;
  share: RecoveryShare;
  createdAt?: Date;
}

const TEXT_WIDTH = 80;

/* ------------------------------------------------------------------------------------------ */
/* Shared helpers                                                                             */
/* ------------------------------------------------------------------------------------------ */

/** The local calendar date: a person reads the kit in their own time zone. */
function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** One line whatever was passed: a stray newline must not break the layout or forge a line. */
const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

/**
 * Checks the sign-in address (when given): only http(s), no embedded credentials, so a kit
 * never tells a person to go to a `javascript:` or look-alike address.
 */
function checkSignInAddress(address: string): string {
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

/** Word wrap for the text versions. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
    // A single word longer than the line (a long URL) is cut into pieces.
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Renders the first layout that fits on one page. Kits are laid out for ordinary addresses;
 * a very long sign-in address or email falls back to a more compact layout (smaller type for
 * them, shorter explanations) rather than failing to print. Only absurd input still throws.
 */
async function firstFitting(layouts: readonly (() => KitDocument)[]): Promise<Uint8Array> {
  let overflow: unknown;
  for (const layout of layouts) {
    try {
      return await createKitPdf(layout());
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      overflow = error;
    }
  }
  throw overflow;
}

const LABEL_WIDTH = 18;

/** "Label:           value", or the label on its own line and the value below when it is long. */
function row(label: string, value: string): string[] {
  const head = `${label}:`.padEnd(LABEL_WIDTH);
  if (head.length + value.length <= TEXT_WIDTH) return [`${head}${value}`];
  return [`${label}:`, ...wrap(value, TEXT_WIDTH - 2).map((l) => `  ${l}`)];
}

const bullet = (text: string): string[] => wrap(text, TEXT_WIDTH - 4).map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`));

const paragraph = (text: string): string[] => wrap(text, TEXT_WIDTH - 2);

/* ------------------------------------------------------------------------------------------ */
/* Recovery Kit                                                                               */
/* ------------------------------------------------------------------------------------------ */

const KIT_TITLE = 'Latchkey Recovery Kit';

const KIT_INTRO =
  'This kit holds your recovery code. If you forget your account password and lose your Secret ' +
  'Key, even both at once, it lets you set a new password and get a new Secret Key. Keep it ' +
  'offline, somewhere safe.';

const KIT_PURPOSE: readonly string[] = [
  'It resets your account password and your Secret Key when you have lost one or both of them.',
  'It works even when you have lost every device you use Latchkey on.',
  'It works for accounts that unlock with a passkey: for them it is the only way back in without help.',
  'You also need access to your email: Latchkey emails you a one-time code first. ' +
    'Two-factor authentication stays on; it is still needed to read your data afterwards.',
];

/** The same points in one paragraph, for the compact layout. */
const KIT_PURPOSE_SHORT =
  'It resets your password and Secret Key if you lose one or both, even with every device lost, and it works ' +
  'for passkey accounts. You also need your email; two-factor authentication stays on.';

const KIT_USE: readonly string[] = [
  'Go to your sign-in page, choose "Having trouble signing in?", then "Use recovery code".',
  'Enter your email address and the code Latchkey emails you, then this recovery code.',
  'Choose a new account password. You get a new Secret Key: print or save the new Emergency Kit. ' +
    'Every other device is signed out.',
  // Not spelled out with the address and email: a long address would be printed twice.
  'Or, in a terminal, run latchkey recover with the sign-in address and email address above.',
];

const KIT_LAST_GROUP_NOTE = 'Its last group, to check a copy at a glance:';

const KIT_ADVICE_HEADING = 'Keeping your recovery code safe';

const KIT_ADVICE: readonly string[] = [
  'Keep it offline, in a safe place only you can reach, such as a safe or a safe deposit box. ' +
    'Not in Latchkey itself, and not with the password of your email account.',
  'It is reusable: it stays valid after you use it. Replace it after you have used it, and at once ' +
    'if someone else may have seen it. Replacing it stops the old code working.',
  'You may split it into shares for trusted family members (latchkey recovery-code split): ' +
    'a number of them you choose rebuild it together; one alone reveals nothing.',
  'Latchkey cannot look this code up for you. Test it from time to time with "Check my code" in your ' +
    'account settings (or latchkey recovery-code check).',
];

interface RecoveryKitContent {
  email: string;
  signInAddress: string;
  recoveryCode: RecoveryCode;
  lastGroup: string;
  subtitle: string;
  createdAt: Date;
}

/**
 * Validates once for both renderings: a code with a typo (`recovery_code_typo`) or a malformed
 * one (`recovery_code_malformed`) is refused rather than printed onto a kit that would not work.
 */
function prepareKit(input: RecoveryKitInput): RecoveryKitContent {
  const recoveryCode = parseRecoveryCode(input.recoveryCode);
  const createdAt = input.createdAt ?? new Date();
  return {
    email: oneLine(input.email),
    signInAddress: checkSignInAddress(input.signInAddress),
    recoveryCode,
    lastGroup: lastGroupOf(recoveryCode),
    subtitle: `Created on ${formatDate(createdAt)}`,
    createdAt,
  };
}

/** The Recovery Kit as a one-page A4 PDF. */
export async function createRecoveryKitPdf(input: RecoveryKitInput): Promise<Uint8Array> {
  const kit = prepareKit(input);
  const layout = (compact: boolean): KitDocument => {
    const sections: KitSection[] = [];
    if (kit.signInAddress !== '') sections.push({ kind: 'field', label: 'Sign-in address', value: kit.signInAddress, keepTogether: compact });
    if (kit.email !== '') sections.push({ kind: 'field', label: 'Email address', value: kit.email, keepTogether: compact });
    sections.push(
      { kind: 'field', label: 'Recovery code', value: kit.recoveryCode, prominent: true, keepTogether: true, secret: true },
      // The kit builder has no highlighting; repeating the group on its own is the highlight, and
      // it is what a person's eye finds when the confirmation step asks for it.
      { kind: 'field', label: 'Last group of the code (the confirmation step may ask you for it)', value: kit.lastGroup, prominent: true, secret: true },
      ...(compact
        ? [{ kind: 'paragraph', text: KIT_PURPOSE_SHORT } as const]
        : [{ kind: 'heading', text: 'What this code is for' } as const, { kind: 'list', items: KIT_PURPOSE } as const]),
      { kind: 'heading', text: 'How to use it' },
      { kind: 'list', items: KIT_USE },
    );
    return {
      title: KIT_TITLE,
      subtitle: kit.subtitle,
      intro: KIT_INTRO,
      sections,
      footer: { heading: KIT_ADVICE_HEADING, items: KIT_ADVICE },
      // Generic on purpose: viewers show these and desktop search indexes them.
      metadata: { title: KIT_TITLE, subject: 'Account recovery for a Latchkey account' },
      createdAt: kit.createdAt,
    };
  };
  return firstFitting([() => layout(false), () => layout(true)]);
}

/** The Recovery Kit as plain text (at most 80 columns), for `--save FILE` or a terminal. */
export function createRecoveryKitText(input: RecoveryKitInput): string {
  const kit = prepareKit(input);
  return [
    KIT_TITLE.toUpperCase(),
    kit.subtitle,
    '',
    ...paragraph(KIT_INTRO),
    '',
    ...(kit.signInAddress !== '' ? row('Sign-in address', kit.signInAddress) : []),
    ...(kit.email !== '' ? row('Email address', kit.email) : []),
    ...row('Recovery code', kit.recoveryCode),
    '',
    ...paragraph(KIT_LAST_GROUP_NOTE),
    `${' '.repeat(LABEL_WIDTH)}${kit.lastGroup}`,
    '',
    'What this code is for',
    ...KIT_PURPOSE.flatMap(bullet),
    '',
    'How to use it',
    ...KIT_USE.flatMap(bullet),
    '',
    KIT_ADVICE_HEADING,
    ...KIT_ADVICE.flatMap(bullet),
    '',
  ].join('\n');
}

/* ------------------------------------------------------------------------------------------ */
/* Share cards                                                                                */
/* ------------------------------------------------------------------------------------------ */

/** Groups per printed line of a share: 8 groups of 5 (48 characters with dashes) read and type well. */
const SHARE_GROUPS_PER_LINE = 8;

/**
 * The share text in lines of whole groups, each line but the last ending with its dash, so the
 * lines joined without separators give back exactly the share text (and parsing ignores
 * spaces, dashes and line breaks anyway). The first line starts with "S1-". In the PDF the kit
 * builder wraps the one-string value at dashes, which gives the same lines at its font size.
 */
function shareLines(text: string): string[] {
  const [version, ...groups] = text.split('-');
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += SHARE_GROUPS_PER_LINE) {
    const last = i + SHARE_GROUPS_PER_LINE >= groups.length;
    const line = groups.slice(i, i + SHARE_GROUPS_PER_LINE).join('-') + (last ? '' : '-');
    lines.push(i === 0 ? `${version}-${line}` : line);
  }
  return lines;
}

interface ShareCardContent {
  email: string;
  signInAddress: string;
  share: RecoveryShare;
  /** "Recovery share N of M — any K rebuild the recovery code of …" */
  summary: string;
  subtitle: string;
  createdAt: Date;
}

const shareAdvice = (share: RecoveryShare): string[] => [
  'Give this card to someone you trust, such as a family member, to keep somewhere safe. Give each share to a different person.',
  `Any ${share.threshold} shares together rebuild the recovery code and, with access to the account's email, ` +
    'can recover the account: choose people who will not collude behind the account holder\'s back.',
  `To use it, the account holder collects ${share.threshold} shares and, on the sign-in page, chooses ` +
    '"Having trouble signing in?", then "Use recovery code".',
];

/** Said on every card, next to the QR code in the PDF. */
const SHARE_ALONE = 'On its own this share reveals nothing about the recovery code.';

const SHARE_FOOTER: readonly string[] = [
  'If a share is lost or may have been copied, replace the recovery code and split the new one: ' +
    'every share of the old code then becomes useless. A mistyped or altered share is reported, never silently accepted.',
];

/** Validates the share (its text must parse and agree with its numbers) once for both renderings. */
function prepareShare(input: ShareCardInput): ShareCardContent {
  const { share } = input;
  const decoded = parseRecoveryShare(share.text);
  if (decoded.threshold !== share.threshold || decoded.total !== share.total || share.index < 1 || share.index > share.total) {
    throw new LatchkeyError('share_invalid', 'This share card does not match its share.');
  }
  const createdAt = input.createdAt ?? new Date();
  const email = oneLine(input.email);
  return {
    email,
    signInAddress: checkSignInAddress(input.signInAddress),
    share,
    summary:
      `Recovery share ${share.index} of ${share.total} \u2014 any ${share.threshold} rebuild the recovery code ` +
      (email !== '' || input.signInAddress.trim() !== '' ? 'of the Latchkey account below.' : 'of a Latchkey account.'),
    subtitle: `Created on ${formatDate(createdAt)}`,
    createdAt,
  };
}

const SHARE_QR_CAPTION = `Scan this code to enter the share instead of typing it. ${SHARE_ALONE}`;

/** A share card as a one-page A4 PDF. */
export async function createShareCardPdf(input: ShareCardInput): Promise<Uint8Array> {
  const card = prepareShare(input);
  const layout = (compact: boolean): KitDocument => {
    const sections: KitSection[] = [];
    if (card.email !== '') sections.push({ kind: 'field', label: 'Account (email address)', value: card.email, keepTogether: compact });
    if (card.signInAddress !== '') sections.push({ kind: 'field', label: 'Sign-in address', value: card.signInAddress, keepTogether: compact });
    sections.push(
      // One string: the builder wraps it after dashes (8 groups to a line at the prominent size).
      { kind: 'field', label: `Share ${card.share.index} of ${card.share.total}`, value: card.share.text, prominent: !compact, secret: true },
      { kind: 'qr', text: card.share.text, caption: SHARE_QR_CAPTION, secret: true },
      ...(compact ? [] : [{ kind: 'heading', text: 'What to do with this card' } as const]),
      { kind: 'list', items: shareAdvice(card.share) },
    );
    return {
      title: `Latchkey Recovery Share ${card.share.index} of ${card.share.total}`,
      subtitle: card.subtitle,
      intro: card.summary,
      sections,
      footer: { items: SHARE_FOOTER },
      // Generic on purpose: no email, no share, not even which share it is.
      metadata: { title: 'Latchkey recovery share', subject: 'Part of a Latchkey recovery code' },
      createdAt: card.createdAt,
    };
  };
  return firstFitting([() => layout(false), () => layout(true)]);
}

/** A share card as plain text (at most 80 columns). The share starts on a line beginning "S1-". */
export function createShareCardText(input: ShareCardInput): string {
  const card = prepareShare(input);
  return [
    `LATCHKEY RECOVERY SHARE ${card.share.index} OF ${card.share.total}`,
    ...paragraph(card.subtitle),
    '',
    ...paragraph(`${card.summary} ${SHARE_ALONE}`),
    '',
    ...(card.email !== '' ? row('Account', card.email) : []),
    ...(card.signInAddress !== '' ? row('Sign-in address', card.signInAddress) : []),
    ...(card.email !== '' || card.signInAddress !== '' ? [''] : []),
    `Share ${card.share.index} of ${card.share.total}:`,
    ...shareLines(card.share.text),
    '',
    'What to do with this card',
    ...shareAdvice(card.share).flatMap(bullet),
    ...SHARE_FOOTER.flatMap(bullet),
    '',
  ].join('\n');
}
