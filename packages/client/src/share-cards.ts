/**
 * Recovery share cards (docs/protocol.md §15): one Shamir share of a recovery code (`splitRecoveryCode`)
 * per card, as a one-page A4 PDF and as plain text (at most 80 columns). A card says "share N
 * of M, any K rebuild the recovery code", whose account it is and what to do with it, with the
 * share text grouped for typing and, on the PDF, a QR code of the share text: a single share
 * reveals nothing, and shares are long (over 200 characters), so scanning saves real effort
 * and typing mistakes (the Recovery Kit itself deliberately has no QR code; see
 * `recovery-kit.ts`).
 *
 * The document metadata is generic: no email, no share, not even which share it is. These
 * functions return bytes or a string and never write a file. No node: imports (bundled for the web).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { parseRecoveryShare, type RecoveryShare } from '@latchkey/core/recovery-shares';
import { createFirstFittingKitPdf, type KitDocument, type KitSection } from './kit-document.ts';
import { checkSignInAddress, formatKitDate, oneLine, textBullet as bullet, textParagraph as paragraph, textRow as row } from './kit-text.ts';

export interface ShareCardInput {
  /** The account the share belongs to; may be empty when it is not known (then omitted). */
  email: string;
  /** May be empty when it is not known (then omitted). */
  signInAddress: string;
  share: RecoveryShare;
  createdAt?: Date;
}

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
    "can recover the account: choose people who will not collude behind the account holder's back.",
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
    subtitle: `Created on ${formatKitDate(createdAt)}`,
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
  return createFirstFittingKitPdf([() => layout(false), () => layout(true)]);
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
