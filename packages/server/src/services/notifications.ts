/**
 * The emails Latchkey sends. Each security notice says what happened, when, from where, and
 * what to do if it was not the account owner. No email ever contains a secret other than a
 * one-time code meant for the recipient, and codes stand on a line of their own.
 */
import type { ServerContext } from '../context.ts';

export interface Notice {
  readonly subject: string;
  readonly text: string;
}

const IF_NOT_YOU = (publicUrl: string) =>
  `If this wasn't you, sign in at ${publicUrl} and change your password, then review your sessions\n` +
  `("Sign out everywhere") and your security log. If you can no longer sign in, use your recovery options.`;

const when = (at: Date, ip: string | null) => `When: ${at.toISOString()}${ip ? `\nFrom: ${ip}` : ''}`;

export const notices = {
  signupCode: (code: string, publicUrl: string): Notice => ({
    subject: 'Your Latchkey verification code',
    text: `Use this code to confirm your email address and create your Latchkey account at ${publicUrl}:\n\n${code}\n\nThe code expires in 15 minutes and works once.\nIf you did not ask for it, ignore this email: no account is created without the code.\n`,
  }),
  signupExistingAccount: (publicUrl: string): Notice => ({
    subject: 'Someone tried to create a Latchkey account with your address',
    text: `Somebody asked to create a new Latchkey account at ${publicUrl} with this email address, which already has an account.\nNo code was sent and nothing changed. If it was you, sign in instead; if you forgot your password, use your recovery options.\n`,
  }),
  newDeviceSignIn: (device: string, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'New sign-in to your Latchkey account',
    text: `Your Latchkey account was signed in on a new device: ${device}.\n${when(at, ip)}\n\n${IF_NOT_YOU(publicUrl)}\n`,
  }),
  credentialsChanged: (what: 'password' | 'secret-key', at: Date, ip: string | null, signedOut: number, publicUrl: string): Notice => ({
    subject: what === 'password' ? 'Your Latchkey account password was changed' : 'Your Latchkey Secret Key was changed',
    text:
      `${what === 'password' ? 'The account password' : 'The Secret Key'} of your Latchkey account was changed.\n${when(at, ip)}\n` +
      `${signedOut} other session(s) were signed out.${what === 'secret-key' ? ' Print or save your new Emergency Kit; the old one no longer works.' : ''}\n\n${IF_NOT_YOU(publicUrl)}\n`,
  }),
  recoveryCodeActivated: (replaced: boolean, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: replaced ? 'Your Latchkey recovery code was replaced' : 'A recovery code was set up for your Latchkey account',
    text:
      `${replaced ? 'A new recovery code replaced the previous one; the old code no longer works.' : 'A recovery code is now active for your account.'}\n${when(at, ip)}\n\n` +
      `Keep it offline, somewhere only you can reach. It can reset your password and Secret Key.\n\n${IF_NOT_YOU(publicUrl)} Then replace the recovery code.\n`,
  }),
  recoveryCodeDeleted: (at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Your Latchkey recovery code was deleted',
    text: `The recovery code of your account was deleted and no longer works.\n${when(at, ip)}\n\n${IF_NOT_YOU(publicUrl)}\n`,
  }),
  recoveryCode: (code: string, publicUrl: string): Notice => ({
    subject: 'Your Latchkey account recovery code',
    text: `Someone asked to recover your Latchkey account at ${publicUrl}. Use this code to confirm it is you:\n\n${code}\n\nThe code expires in 15 minutes and works once.\nIf you did not ask for it, ignore this email: without it and your recovery code nobody can recover the account. Consider changing your password.\n`,
  }),
  recoveryWithoutCode: (publicUrl: string): Notice => ({
    subject: 'Latchkey account recovery: no recovery code is set up',
    text: `Someone asked to recover your Latchkey account at ${publicUrl} with a recovery code, but your account has none.\nIf it was you: sign in with your Emergency Kit, or ask your family organizer or team administrator for help.\nIf it wasn't you, nothing changed; no code was sent.\n`,
  }),
  recoveryCodeFailed: (failures: number, locked: boolean, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: locked ? 'Latchkey account recovery is locked after too many wrong recovery codes' : 'A wrong recovery code was entered for your Latchkey account',
    text:
      `Someone who could read your email tried to recover your account with a wrong recovery code (${failures} failed attempt(s) in a row).\n${when(at, ip)}\n` +
      `${locked ? 'Recovery with a recovery code is now locked. Sign in and check your recovery code (or replace it) to unlock it.\n' : ''}\n` +
      `If this wasn't you, someone may have access to your email: secure your email account, then sign in at ${publicUrl}, change your password and review your sessions.\n`,
  }),
  wrongSecretKeyAttempts: (count: number, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Repeated failed sign-ins to your Latchkey account',
    text:
      `Someone tried to sign in to your Latchkey account with a wrong Secret Key ${count} times within an hour.\n${when(at, ip)} (the latest)\n\n` +
      `Nothing changed: without your Secret Key nobody can sign in, and nobody can use up your own sign-in attempts.\n` +
      `If this was you, check the Secret Key in your Emergency Kit. This notice is sent at most once an hour; the security log at ${publicUrl} lists every attempt.\n`,
  }),
  passwordGuesses: (count: number, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Failed sign-ins with your Latchkey Secret Key',
    text:
      `${count} sign-ins or unlocks of your Latchkey account within an hour used the right Secret Key but did not complete (a wrong password, or a sign-in left unfinished).\n${when(at, ip)} (the latest)\n\n` +
      `If this was you, you can ignore this notice. If it wasn't, someone has your Secret Key (from a device or your Emergency Kit) and is guessing your password: ` +
      `sign in at ${publicUrl}, change your password and your Secret Key, and review your sessions and security log. This notice is sent at most once an hour.\n`,
  }),
  recoveryProved: (at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Your Latchkey recovery code was used',
    text:
      `Your recovery code and a code sent to this address were just used to start recovering your Latchkey account. Whoever did it can now set a new password and Secret Key.\n${when(at, ip)}\n\n` +
      `If this wasn't you, someone has your recovery code and access to your email. Secure your email, then sign in at ${publicUrl}, replace your recovery code, change your password and review your security log.\n`,
  }),
  accountRecovered: (at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Your Latchkey account was recovered',
    text:
      `Your Latchkey account was recovered with your recovery code: a new password and a new Secret Key were set, and every session and device was signed out.\n${when(at, ip)}\n` +
      `The recovery code still works; consider replacing it.\n\n` +
      `If this wasn't you, someone has your recovery code and access to your email. Secure your email, then recover the account yourself with your recovery code, replace the recovery code, and review your security log. Two-step verification, if enabled, still protects your vaults.\n`,
  }),
  backupCodeUsed: (remaining: number, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'A Latchkey backup code was used',
    text:
      `A one-time backup code of your Latchkey account was used (to sign in, or to confirm a change to two-step verification). ${remaining} unused backup code(s) remain.\n${when(at, ip)}\n` +
      `${remaining <= 3 ? 'Few codes remain: create new ones in your two-step verification settings (the old ones then stop working).\n' : ''}\n${IF_NOT_YOU(publicUrl)} Then regenerate your backup codes.\n`,
  }),
  secondFactorFailed: (method: string, locked: boolean, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: locked ? 'A Latchkey two-step verification method was locked' : 'A wrong two-step verification code was entered for your Latchkey account',
    text:
      `Someone signed in with your account password and Secret Key, then gave a wrong ${method.replace('-', ' ')}.\n${when(at, ip)}\n` +
      `${locked ? 'After 100 wrong attempts in a row this method is locked; use another one (a backup code or a security key) to unlock it.\n' : ''}\n` +
      `If this wasn't you, your password and Secret Key are known to someone: sign in at ${publicUrl}, change your password and your Secret Key, and sign out everywhere else.\n`,
  }),
  twoFactorChanged: (change: string, at: Date, ip: string | null, publicUrl: string): Notice => ({
    subject: 'Your Latchkey two-step verification changed',
    text: `Two-step verification of your Latchkey account changed: ${change}.\n${when(at, ip)}\n\n${IF_NOT_YOU(publicUrl)} Then review your two-step verification methods.\n`,
  }),
};

/**
 * Sends without making the caller wait: the response must not depend on mail delivery (its
 * timing would tell an observer which branch ran). Failures are logged without the body.
 */
export function sendInBackground(ctx: ServerContext, to: string, notice: Notice): void {
  ctx.mailer.send({ to, subject: notice.subject, text: notice.text }).catch((error: unknown) => {
    ctx.log.error({ subject: notice.subject, error: error instanceof Error ? error.message : String(error) }, 'email delivery failed');
  });
}
