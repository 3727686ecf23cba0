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
