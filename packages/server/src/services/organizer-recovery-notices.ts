/**
 * The emails of organizer recovery (docs/protocol.md §22.8). The link email carries the
 * single-use token, so it is sent straight from the request (never stored, notifications.ts);
 * every other message is a `SecurityNotice` of kind `organizer-recovery`, queued in the outbox
 * in the transaction of the change it reports, to the member and to every organizer.
 */
import type { Notice } from './notifications.ts';

export type OrganizerRecoveryEvent = 'started' | 'member-step-done' | 'approved' | 'completed' | 'cancelled';

export interface OrganizerRecoveryNotice {
  readonly kind: 'organizer-recovery';
  readonly event: OrganizerRecoveryEvent;
  /** True for the copy to the member being recovered, false for an organizer's. */
  readonly toMember: boolean;
  readonly organizationName: string;
  readonly memberEmail: string;
  /** Who did it (a name or an address), or the way it happened for a cancellation without a person. */
  readonly byName: string;
  readonly reason?: string;
  readonly waitingUntil?: string;
  readonly at: string;
  readonly ip: string | null;
}

const REASONS: Readonly<Record<string, string>> = {
  'cancelled-by-member': 'the member cancelled it',
  'cancelled-by-link': 'it was cancelled with the emailed link',
  'cancelled-by-organizer': 'an organizer cancelled it',
  'signed-in-with-old-credentials': 'the member signed in with their current password and Secret Key',
  'recovery-code-used': 'the member used their recovery code',
  'membership-ended': 'the membership ended',
};

const CANCEL_HINT = (publicUrl: string) =>
  `If you did not ask for this, cancel it now: sign in at ${publicUrl} (signing in with your current password and Secret Key cancels it), ` +
  `or use the link in the email that started it. Every organizer is told.`;

export const organizerRecoveryNotices = {
  /** To the member, straight from the request: the link with the token. */
  link: (o: { organizationName: string; byName: string; token: string; publicUrl: string }): Notice => ({
    subject: `${o.byName} started recovering your Latchkey account for "${o.organizationName}"`,
    text:
      `${o.byName}, an organizer of "${o.organizationName}", started an organizer recovery of your Latchkey account: for when you ` +
      `forgot your password and lost your Secret Key.\n\n` +
      `To go on, open this link, confirm your email address and set a new password (you get a new Secret Key and Emergency Kit):\n` +
      `${o.publicUrl}/#/organizer-recovery/${o.token}\n\n` +
      `Or use this code, e.g. with "latchkey recover --organization --token CODE":\n\n${o.token}\n\n` +
      `The same link cancels the recovery. Until an organizer approves it after the waiting period, your current password and ` +
      `Secret Key keep working, and signing in with them cancels it.\n` +
      `If you did not ask for this, cancel it now (the link, or sign in) and talk to the organization's organizers.\n`,
  }),
  /** The emailed code of the member's step (straight from the request, like every code). */
  code: (o: { code: string; organizationName: string }): Notice => ({
    subject: 'Your Latchkey organizer recovery code',
    text:
      `Use this code to confirm your email address in the organizer recovery of your Latchkey account ("${o.organizationName}"):\n\n${o.code}\n\n` +
      `The code expires in 15 minutes and works once. If you did not ask for it, cancel the recovery with the link you were sent, or sign in.\n`,
  }),
  render: (n: OrganizerRecoveryNotice, publicUrl: string): Notice => {
    const when = `When: ${n.at}${n.ip ? `\nFrom: ${n.ip}` : ''}`;
    const who = n.toMember ? 'your Latchkey account' : `the Latchkey account of ${n.memberEmail}`;
    switch (n.event) {
      case 'started':
        return {
          subject: n.toMember
            ? `An organizer recovery of your Latchkey account was started ("${n.organizationName}")`
            : `Organizer recovery started for ${n.memberEmail} ("${n.organizationName}")`,
          text:
            `${n.byName} started an organizer recovery of ${who} in "${n.organizationName}".\n${when}\n\n` +
            (n.toMember
              ? `The link to go on, or to cancel, was sent to you in a separate email.\n${CANCEL_HINT(publicUrl)}\n`
              : `If this was not agreed with the member, cancel it in the organization's recovery page or with "latchkey org recover cancel".\n`),
        };
      case 'member-step-done':
        return {
          subject: `Organizer recovery of ${n.toMember ? 'your account' : n.memberEmail}: new credentials set up ("${n.organizationName}")`,
          text:
            `New credentials were set up for ${who} in the organizer recovery of "${n.organizationName}". ` +
            `An organizer may approve it after ${n.waitingUntil ?? 'the waiting period'}, once they compared the verification code.\n${when}\n\n` +
            (n.toMember ? `${CANCEL_HINT(publicUrl)}\n` : `Approve only after the member read the verification code to you, on the phone or in person.\n`),
        };
      case 'approved':
        return {
          subject: `Organizer recovery of ${n.toMember ? 'your account' : n.memberEmail} approved by ${n.byName} ("${n.organizationName}")`,
          text: `${n.byName} approved the organizer recovery of ${who} in "${n.organizationName}".\n${when}\n\n${n.toMember ? `${CANCEL_HINT(publicUrl)}\n` : ''}`,
        };
      case 'completed':
        return {
          subject: `Organizer recovery of ${n.toMember ? 'your account' : n.memberEmail} completed ("${n.organizationName}")`,
          text:
            `The organizer recovery of ${who} in "${n.organizationName}" was completed by ${n.byName}.\n${when}\n\n` +
            (n.toMember
              ? `Your new password and Secret Key now sign in; the old ones, your recovery code and every old session no longer work. ` +
                `Two-step verification is still on. Make a new recovery code. If this was not you, contact the organizers at once.\n`
              : `The member's old sessions were signed out; their new keyset is certified.\n`),
        };
      case 'cancelled':
        return {
          subject: `Organizer recovery of ${n.toMember ? 'your account' : n.memberEmail} cancelled ("${n.organizationName}")`,
          text:
            `The organizer recovery of ${who} in "${n.organizationName}" was cancelled: ${REASONS[n.reason ?? ''] ?? n.reason ?? 'cancelled'}` +
            ` (${n.byName}).\n${when}\n\nNothing was released and nothing changed in the account.\n`,
        };
    }
  },
};
