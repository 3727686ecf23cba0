/**
 * The Emergency Kit (docs/protocol.md §19): what a person needs to sign in on a new device or after
 * losing every device: sign-in address, email, Secret Key, and a blank for the account
 * password. Offered after sign-up and after recovery, as a PDF (with a QR code that sets up a
 * new device) and as plain text for terminals.
 *
 * The input deliberately has no password: the kit is kept on paper or in a file, and the
 * password must never be written into it by software. These functions return bytes or a
 * string; saving, printing or showing them is the caller's job and the user's explicit choice.
 */
import { parseSecretKey, type SecretKey } from '@latchkey/core/secret-key';
import { createSetupCode } from '@latchkey/core/setup-code';
import { createKitPdf, type KitDocument } from './kit-document.ts';
import { checkSignInAddress, formatKitDate, oneLine, textBullet, textParagraph, textRow } from './kit-text.ts';

export interface EmergencyKitInput {
  /** The address the user signs in at (the server URL). */
  signInAddress: string;
  email: string;
  /** The account holder's name, shown on the kit so a household can tell kits apart. */
  name?: string;
  secretKey: SecretKey;
  /** When the kit was made (it changes whenever the Secret Key does); defaults to now. */
  createdAt?: Date;
}

const TITLE = 'Latchkey Emergency Kit';

const INTRO =
  'This kit holds what you need to sign in to Latchkey on a new device, or if you lose every ' + 'device you use. Print it and keep it somewhere safe.';

const PASSWORD_NOTE = 'Write your password here by hand only on a printed copy that you keep locked away. ' + 'Never type it into a saved copy of this kit.';

const QR_CAPTION =
  "To sign in on a new device, scan this code with your phone's camera and paste the text it " +
  'shows under "Fill in from your Emergency Kit\'s setup code" on the sign-in page. It fills in ' +
  'your sign-in address, email address and Secret Key. It does not contain your password: you ' +
  'type that yourself.';

const ADVICE_HEADING = 'What to do with this kit';

const ADVICE: readonly string[] = [
  'Print it, or save it somewhere only you can reach, such as a safe, a safe deposit box or an encrypted drive.',
  'Never store your account password with it: not in a saved copy, not in the same place. ' +
    'Write it in the blank only on paper you keep as safely as the password itself.',
  'Signing in on a new device takes both your Secret Key and your account password. Neither one alone opens your account.',
  'Latchkey never has your password or your Secret Key, so nobody can look them up for you. ' +
    'If you lose one, use your recovery code (set one up under Recovery code once you are signed in).',
  'If this kit is lost or someone else may have seen it, change your Secret Key under Account and download the new kit.',
];

interface KitContent {
  signInAddress: string;
  email: string;
  secretKey: SecretKey;
  setupCode: string;
  subtitle: string;
  createdAt: Date;
}

/**
 * Validates and canonicalizes the input once for both renderings: a Secret Key with a typo or
 * a sign-in address that is not http(s) is refused (`invalid_request` / `secret_key_*`)
 * rather than printed onto a kit that would not work.
 */
function prepare(input: EmergencyKitInput): KitContent {
  const secretKey = parseSecretKey(input.secretKey);
  const signInAddress = checkSignInAddress(input.signInAddress);
  const email = oneLine(input.email);
  const setupCode = createSetupCode({ server: signInAddress, email, secretKey });
  const createdAt = input.createdAt ?? new Date();
  const name = oneLine(input.name ?? '');
  const who = name !== '' ? `for ${name} ` : '';
  return {
    signInAddress,
    email,
    secretKey,
    setupCode,
    subtitle: `Created ${who}on ${formatKitDate(createdAt)}`,
    createdAt,
  };
}

/** The Emergency Kit as a one-page A4 PDF. */
export async function createEmergencyKitPdf(input: EmergencyKitInput): Promise<Uint8Array> {
  const kit = prepare(input);
  const doc: KitDocument = {
    title: TITLE,
    subtitle: kit.subtitle,
    intro: INTRO,
    sections: [
      { kind: 'field', label: 'Sign-in address', value: kit.signInAddress },
      { kind: 'field', label: 'Email address', value: kit.email },
      { kind: 'field', label: 'Secret Key', value: kit.secretKey, prominent: true, keepTogether: true, secret: true },
      { kind: 'blank', label: 'Account password', note: PASSWORD_NOTE },
      { kind: 'qr', text: kit.setupCode, caption: QR_CAPTION, secret: true },
    ],
    footer: { heading: ADVICE_HEADING, items: ADVICE },
    // Generic on purpose: viewers show these and desktop search indexes them.
    metadata: { title: TITLE, subject: 'Sign-in details for a Latchkey account' },
    createdAt: kit.createdAt,
  };
  return createKitPdf(doc);
}

/** The Emergency Kit as plain text (at most 80 columns), for a terminal or for saving as a .txt file. */
export function createEmergencyKitText(input: EmergencyKitInput): string {
  const kit = prepare(input);
  return [
    TITLE.toUpperCase(),
    kit.subtitle,
    '',
    ...textParagraph(INTRO),
    '',
    ...textRow('Sign-in address', kit.signInAddress),
    ...textRow('Email address', kit.email),
    ...textRow('Secret Key', kit.secretKey),
    ...textRow('Account password', '_'.repeat(32)),
    '',
    ...textParagraph(PASSWORD_NOTE),
    '',
    ADVICE_HEADING,
    ...ADVICE.flatMap(textBullet),
    '',
  ].join('\n');
}
