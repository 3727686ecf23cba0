/**
 * The emails Latchkey sends. Each security notice says what happened, when, from where, and
 * what to do if it was not the account owner. No email ever contains a secret other than a
 * one-time code meant for the recipient, and codes stand on a line of their own.
 *
 * Two kinds, two paths (docs/operations.md §3):
 * - A `SecurityNotice` is owed by a change the server committed (a recovery, a backup code
 *   used, a password changed, a pattern of failed sign-ins). It is queued in the outbox table in
 *   the same transaction as the change (notice-outbox.ts) and rendered only when it is sent, so
 *   the table holds its kind and facts — times, addresses, counts, names — and no secret.
 * - Emails that carry a one-time code (`verificationEmails`, and the invitation of
 *   organization-notices.ts with its token), or stand in for one (to an address that must not
 *   learn whether it has an account), are sent straight from the request by `sendCodeEmail`:
 *   storing a usable code would put a secret in the database (invariant 1), and a lost code is
 *   simply asked for again. The stand-ins take the same path as the codes so that both cost the
 *   same time.
 */
import type { ServerContext } from '../context.ts';
import { organizationNotices } from './organization-notices.ts';
import { organizerRecoveryNotices, type OrganizerRecoveryNotice } from './organizer-recovery-notices.ts';

export interface Notice {
  readonly subject: string;
  readonly text: string;
}

/** When and from where, as every security notice states it. `at` is an ISO-8601 time. */
interface Occurrence {
  readonly at: string;
  readonly ip: string | null;
}

/** A notice owed by a committed change: its kind and the facts its text is built from. Never a secret. */
export type SecurityNotice =
  | OrganizerRecoveryNotice
  | { readonly kind: 'membership-ended'; readonly organizationName: string; readonly suspended: boolean }
  | { readonly kind: 'member-role-changed'; readonly organizationName: string; readonly previousRole: string; readonly role: string; readonly byName: string }
  | (Occurrence & { readonly kind: 'two-step-reset'; readonly organizationName: string; readonly byName: string; readonly sessionsEnded: number })
  | (Occurrence & { readonly kind: 'member-two-step-reset'; readonly organizationName: string; readonly byName: string; readonly memberEmail: string })
  | (Occurrence &
      (
        | { readonly kind: 'new-device-sign-in'; readonly device: string }
        | { readonly kind: 'credentials-changed'; readonly what: 'password' | 'secret-key'; readonly signedOut: number }
        | { readonly kind: 'recovery-code-activated'; readonly replaced: boolean }
        | { readonly kind: 'recovery-code-deleted' }
        | { readonly kind: 'recovery-code-failed'; readonly failures: number; readonly locked: boolean }
        | { readonly kind: 'wrong-secret-key-attempts'; readonly count: number }
        | { readonly kind: 'password-guesses'; readonly count: number }
        | { readonly kind: 'recovery-proved' }
        | { readonly kind: 'account-recovered' }
        | { readonly kind: 'backup-code-used'; readonly remaining: number }
        | { readonly kind: 'second-factor-failed'; readonly method: string; readonly locked: boolean }
        | { readonly kind: 'two-factor-changed'; readonly change: string }
        | { readonly kind: 'device-deauthorized'; readonly device: string; readonly byDevice: string; readonly signedOut: number }
        | { readonly kind: 'device-enrollment-requested'; readonly device: string; readonly platform: string }
        | { readonly kind: 'device-enrolled'; readonly device: string; readonly byDevice: string }
      ));

export type SecurityNoticeKind = SecurityNotice['kind'];

const IF_NOT_YOU = (publicUrl: string) =>
  `If this wasn't you, sign in at ${publicUrl} and change your password, then review your sessions\n` +
  `("Sign out everywhere") and your security log. If you can no longer sign in, use your recovery options.`;

const when = (n: Occurrence) => `When: ${n.at}${n.ip ? `\nFrom: ${n.ip}` : ''}`;

/**
 * The email for a queued notice, built when it is sent.
 * @throws Error for a kind this version does not know (a row written by a newer version).
 */
export function renderSecurityNotice(n: SecurityNotice, publicUrl: string): Notice {
  switch (n.kind) {
    case 'new-device-sign-in':
      return {
        subject: 'New sign-in to your Latchkey account',
        text: `Your Latchkey account was signed in on a new device: ${n.device}.\n${when(n)}\n\n${IF_NOT_YOU(publicUrl)}\n`,
      };
    case 'credentials-changed':
      return {
        subject: n.what === 'password' ? 'Your Latchkey account password was changed' : 'Your Latchkey Secret Key was changed',
        text:
          `${n.what === 'password' ? 'The account password' : 'The Secret Key'} of your Latchkey account was changed.\n${when(n)}\n` +
          `${n.signedOut} other session(s) were signed out.${n.what === 'secret-key' ? ' Print or save your new Emergency Kit; the old one no longer works.' : ''}\n\n${IF_NOT_YOU(publicUrl)}\n`,
      };
    case 'recovery-code-activated':
      return {
        subject: n.replaced ? 'Your Latchkey recovery code was replaced' : 'A recovery code was set up for your Latchkey account',
        text:
          `${n.replaced ? 'A new recovery code replaced the previous one; the old code no longer works.' : 'A recovery code is now active for your account.'}\n${when(n)}\n\n` +
          `Keep it offline, somewhere only you can reach. It can reset your password and Secret Key.\n\n${IF_NOT_YOU(publicUrl)} Then replace the recovery code.\n`,
      };
    case 'recovery-code-deleted':
      return {
        subject: 'Your Latchkey recovery code was deleted',
        text: `The recovery code of your account was deleted and no longer works.\n${when(n)}\n\n${IF_NOT_YOU(publicUrl)}\n`,
      };
    case 'recovery-code-failed':
      return {
        subject: n.locked
          ? 'Latchkey account recovery is locked after too many wrong recovery codes'
          : 'A wrong recovery code was entered for your Latchkey account',
        text:
          `Someone who could read your email tried to recover your account with a wrong recovery code (${n.failures} failed attempt(s) in a row).\n${when(n)}\n` +
          `${n.locked ? 'Recovery with a recovery code is now locked. Sign in and check your recovery code (or replace it) to unlock it.\n' : ''}\n` +
          `If this wasn't you, someone may have access to your email: secure your email account, then sign in at ${publicUrl}, change your password and review your sessions.\n`,
      };
    case 'wrong-secret-key-attempts':
      return {
        subject: 'Repeated failed sign-ins to your Latchkey account',
        text:
          `Someone tried to sign in to your Latchkey account with a wrong Secret Key ${n.count} times within an hour.\n${when(n)} (the latest)\n\n` +
          `Nothing changed: without your Secret Key nobody can sign in, and nobody can use up your own sign-in attempts.\n` +
          `If this was you, check the Secret Key in your Emergency Kit. This notice is sent at most once an hour; the security log at ${publicUrl} lists every attempt.\n`,
      };
    case 'password-guesses':
      return {
        subject: 'Failed sign-ins with your Latchkey Secret Key',
        text:
          `${n.count} sign-ins or unlocks of your Latchkey account within an hour used the right Secret Key but did not complete (a wrong password, or a sign-in left unfinished).\n${when(n)} (the latest)\n\n` +
          `If this was you, you can ignore this notice. If it wasn't, someone has your Secret Key (from a device or your Emergency Kit) and is guessing your password: ` +
          `sign in at ${publicUrl}, change your password and your Secret Key, and review your sessions and security log. This notice is sent at most once an hour.\n`,
      };
    case 'recovery-proved':
      return {
        subject: 'Your Latchkey recovery code was used',
        text:
          `Your recovery code and a code sent to this address were just used to start recovering your Latchkey account. Whoever did it can now set a new password and Secret Key.\n${when(n)}\n\n` +
          `If this wasn't you, someone has your recovery code and access to your email. Secure your email, then sign in at ${publicUrl}, replace your recovery code, change your password and review your security log.\n`,
      };
    case 'account-recovered':
      return {
        subject: 'Your Latchkey account was recovered',
        text:
          `Your Latchkey account was recovered with your recovery code: a new password and a new Secret Key were set, and every session and device was signed out.\n${when(n)}\n` +
          `The recovery code still works; consider replacing it.\n\n` +
          `If this wasn't you, someone has your recovery code and access to your email. Secure your email, then recover the account yourself with your recovery code, replace the recovery code, and review your security log. Two-step verification, if enabled, still protects your vaults.\n`,
      };
    case 'backup-code-used':
      return {
        subject: 'A Latchkey backup code was used',
        text:
          `A one-time backup code of your Latchkey account was used (to sign in, or to confirm a change to two-step verification). ${n.remaining} unused backup code(s) remain.\n${when(n)}\n` +
          `${n.remaining <= 3 ? 'Few codes remain: create new ones in your two-step verification settings (the old ones then stop working).\n' : ''}\n${IF_NOT_YOU(publicUrl)} Then regenerate your backup codes.\n`,
      };
    case 'second-factor-failed':
      return {
        subject: n.locked ? 'A Latchkey two-step verification method was locked' : 'A wrong two-step verification code was entered for your Latchkey account',
        text:
          `Someone signed in with your account password and Secret Key, then gave a wrong ${n.method.replace('-', ' ')}.\n${when(n)}\n` +
          `${n.locked ? 'After 100 wrong attempts in a row this method is locked; use another one (a backup code or a security key) to unlock it.\n' : ''}\n` +
          `If this wasn't you, your password and Secret Key are known to someone: sign in at ${publicUrl}, change your password and your Secret Key, and sign out everywhere else.\n`,
      };
    case 'two-factor-changed':
      return {
        subject: 'Your Latchkey two-step verification changed',
        text: `Two-step verification of your Latchkey account changed: ${n.change}.\n${when(n)}\n\n${IF_NOT_YOU(publicUrl)} Then review your two-step verification methods.\n`,
      };
    case 'device-deauthorized':
      return {
        subject: 'A device was removed from your Latchkey account',
        text:
          `The trusted device "${n.device}" was deauthorized from "${n.byDevice}": it can no longer unlock your account with a passkey, and its ${n.signedOut} session(s) were signed out.\n${when(n)}\n\n` +
          `If this wasn't you, someone has a session of your account: sign in on a trusted device, review your trusted devices and sessions, and if you have lost every device, recover the account with your recovery code at ${publicUrl}.\n`,
      };
    case 'device-enrollment-requested':
      return {
        subject: 'A new device asks to be trusted by your Latchkey account',
        text:
          `"${n.device}" (${n.platform}) signed in with your passkey and asks to become a trusted device. It gets nothing until a trusted device approves it and you type the verification code that device shows.\n${when(n)}\n\n` +
          `If this wasn't you, do not approve it: someone can use your passkey. Review your passkeys and trusted devices at ${publicUrl}.\n`,
      };
    case 'device-enrolled':
      return {
        subject: 'A new trusted device was added to your Latchkey account',
        text:
          `"${n.device}" became a trusted device, approved from "${n.byDevice}" with a verification code: it can now unlock your account with your passkey.\n${when(n)}\n\n` +
          `If this wasn't you, remove it from your trusted devices on a trusted device, and if you have lost every device, recover the account with your recovery code at ${publicUrl}.\n`,
      };
    case 'membership-ended':
      return organizationNotices.memberRemoved({ organizationName: n.organizationName, suspended: n.suspended });
    case 'member-role-changed':
      return organizationNotices.roleChanged(n);
    case 'two-step-reset':
      return organizationNotices.twoStepReset({ ...n, when: when(n), publicUrl });
    case 'member-two-step-reset':
      return organizationNotices.memberTwoStepReset({ ...n, when: when(n) });
    case 'organizer-recovery':
      return organizerRecoveryNotices.render(n, publicUrl);
    default:
      throw new Error(`unknown notice kind ${JSON.stringify((n as { kind: unknown }).kind)}`);
  }
}

/** Emails with a one-time code, or standing in for one; sent straight from the request (see above). */
export const verificationEmails = {
  signupCode: (code: string, publicUrl: string): Notice => ({
    subject: 'Your Latchkey verification code',
    text: `Use this code to confirm your email address and create your Latchkey account at ${publicUrl}:\n\n${code}\n\nThe code expires in 15 minutes and works once.\nIf you did not ask for it, ignore this email: no account is created without the code.\n`,
  }),
  signupExistingAccount: (publicUrl: string): Notice => ({
    subject: 'Someone tried to create a Latchkey account with your address',
    text: `Somebody asked to create a new Latchkey account at ${publicUrl} with this email address, which already has an account.\nNo code was sent and nothing changed. If it was you, sign in instead; if you forgot your password, use your recovery options.\n`,
  }),
  recoveryCode: (code: string, publicUrl: string): Notice => ({
    subject: 'Your code to confirm a Latchkey account recovery',
    text: `Someone asked to recover your Latchkey account at ${publicUrl}. Use this code to confirm it is you:\n\n${code}\n\nThe code expires in 15 minutes and works once.\nIf you did not ask for it, ignore this email: without it and your recovery code nobody can recover the account. Consider changing your password.\n`,
  }),
  recoveryWithoutCode: (publicUrl: string): Notice => ({
    subject: 'Latchkey account recovery: no recovery code is set up',
    text: `Someone asked to recover your Latchkey account at ${publicUrl} with a recovery code, but your account has none.\nIf it was you: without a recovery code, the account opens only with its account password and the Secret Key in your Emergency Kit. Once signed in, set one up under Recovery code.\nIf it wasn't you, nothing changed; no code was sent.\n`,
  }),
};

/**
 * Sends an email with a code (or its stand-in) without making the caller wait: the response
 * must not depend on mail delivery (its timing would tell an observer which branch ran). Not
 * retried: the person asks for a new code. Failures are logged without the body.
 */
export function sendCodeEmail(ctx: ServerContext, to: string, notice: Notice): void {
  ctx.mailer.send({ to, subject: notice.subject, text: notice.text }).catch((error: unknown) => {
    ctx.log.error({ subject: notice.subject, error: error instanceof Error ? error.message : String(error) }, 'email delivery failed');
  });
}
