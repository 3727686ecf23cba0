/**
 * The Recovery Kit (docs/protocol.md §14.4, §19), as a one-page A4 PDF for printing and as plain text (at most 80
 * columns) for `--save FILE` and terminals. Share cards are in `share-cards.ts`.
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
import { lastGroupOf, parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { createFirstFittingKitPdf, type KitDocument, type KitSection } from './kit-document.ts';
import { LABEL_WIDTH, checkSignInAddress, formatKitDate, oneLine, textBullet as bullet, textParagraph as paragraph, textRow as row } from './kit-text.ts';

export interface RecoveryKitInput {
  email: string;
  /** The address the user signs in at (the server URL). */
  signInAddress: string;
  recoveryCode: RecoveryCode | string;
  /** When the code was made; defaults to now. */
  createdAt?: Date;
}

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
    'Two-step verification stays on; it is still needed to read your data afterwards.',
];

/** The same points in one paragraph, for the compact layout. */
const KIT_PURPOSE_SHORT =
  'It resets your password and Secret Key if you lose one or both, even with every device lost, and it works ' +
  'for passkey accounts. You also need your email; two-step verification stays on.';

const KIT_USE: readonly string[] = [
  'Go to your sign-in page, choose "Having trouble signing in?", then "Use recovery code".',
  'Enter your email address and the code Latchkey emails you, then this recovery code.',
  'Choose a new account password. You get a new Secret Key: print or save the new Emergency Kit. ' + 'Every other device is signed out.',
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
  'Latchkey cannot look this code up for you. Test it from time to time with "Check my code" in your ' + 'account settings (or latchkey recovery-code check).',
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
    subtitle: `Created on ${formatKitDate(createdAt)}`,
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
  return createFirstFittingKitPdf([() => layout(false), () => layout(true)]);
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
