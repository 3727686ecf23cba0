/**
 * The emails of families and teams. The invitation email is the same whether or not the address
 * has an account (it says to sign in or sign up), so neither the email nor the inviter's answer
 * tells whether the person already uses Latchkey. The token stands on a line of its own.
 */
import type { Notice } from './notifications.ts';

const kindName = (kind: 'family' | 'team') => (kind === 'family' ? 'family' : 'team');

export const organizationNotices = {
  invitation: (o: { organizationName: string; kind: 'family' | 'team'; inviterName: string; token: string; expiresAt: Date; publicUrl: string }): Notice => ({
    subject: `${o.inviterName} invited you to the ${kindName(o.kind)} "${o.organizationName}" on Latchkey`,
    text:
      `${o.inviterName} invited you to join the ${kindName(o.kind)} "${o.organizationName}" on Latchkey at ${o.publicUrl}.\n\n` +
      `Open this link, then sign in or create an account with this email address, and accept:\n${o.publicUrl}/#/invitations/${o.token}\n\n` +
      `Or use this invitation code (for example with "latchkey org accept --code CODE"):\n\n${o.token}\n\n` +
      `It works once and expires on ${o.expiresAt.toISOString()}. After you accept, ${o.inviterName} or another administrator confirms you: ` +
      `compare the 24-digit fingerprint your app shows with theirs (in person or on a call) before they confirm.\n` +
      `If you did not expect this, ignore this email; nothing happens without you.\n`,
  }),
  memberRemoved: (o: { organizationName: string; suspended: boolean }): Notice => ({
    subject: o.suspended ? `Your membership of "${o.organizationName}" on Latchkey was suspended` : `You were removed from "${o.organizationName}" on Latchkey`,
    text:
      `${o.suspended ? `Your membership of "${o.organizationName}" was suspended.` : `You were removed from "${o.organizationName}".`} ` +
      `You no longer have access to its shared vaults and groups. Your own vaults are not affected.\n` +
      `If you think this is a mistake, contact an organizer or administrator.\n`,
  }),
};
