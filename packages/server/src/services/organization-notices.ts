/**
 * The emails of families and teams. The invitation email is the same whether or not the address
 * has an account (it says to sign in or sign up), so neither the email nor the inviter's answer
 * tells whether the person already uses Latchkey. The token stands on a line of its own.
 */
import type { Notice } from './notifications.ts';
import { KEY_HOLDING_ROLES } from './org-permissions.ts';

const ROLE_NAMES: Readonly<Record<string, string>> = {
  organizer: 'organizer',
  owner: 'owner',
  admin: 'admin',
  recovery_admin: 'admin with recovery powers',
  member: 'member',
};
const roleName = (role: string) => ROLE_NAMES[role] ?? role;
const holdsKey = (role: string) => (KEY_HOLDING_ROLES as readonly string[]).includes(role);

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
  roleChanged: (o: { organizationName: string; previousRole: string; role: string; byName: string }): Notice => ({
    subject: `Your role in "${o.organizationName}" on Latchkey is now ${roleName(o.role)}`,
    text:
      `${o.byName} changed your role in "${o.organizationName}" from ${roleName(o.previousRole)} to ${roleName(o.role)}.\n` +
      `${holdsKey(o.role) ? 'You now hold the organization key and can confirm and manage members.' : 'You no longer hold the organization key.'}\n` +
      `If you think this is a mistake, contact an organizer or owner.\n`,
  }),
  /** To the member: impossible to take for routine, because an administrator who also had the password and Secret Key could now sign in as them. */
  twoStepReset: (o: { organizationName: string; byName: string; sessionsEnded: number; when: string; publicUrl: string }): Notice => ({
    subject: 'Your Latchkey two-step verification was removed by a team administrator',
    text:
      `${o.byName}, an administrator of the team "${o.organizationName}", removed two-step verification from your Latchkey account: ` +
      `your authenticator app, security keys and backup codes no longer work, and ${o.sessionsEnded} session(s) were signed out.\n${o.when}\n\n` +
      `Your password, Secret Key, vaults and items did not change. Until you set up two-step verification again, your password and Secret Key alone sign in.\n` +
      `Sign in at ${o.publicUrl} and turn two-step verification on again now.\n\n` +
      `If you did not ask for this, someone may be trying to get into your account: change your password and your Secret Key, ` +
      `set up two-step verification again, review your security log, and tell the team's owners.\n`,
  }),
  /** To every owner of the team, so one administrator cannot do it unseen. */
  memberTwoStepReset: (o: { organizationName: string; byName: string; memberEmail: string; when: string }): Notice => ({
    subject: `Two-step verification of a member of "${o.organizationName}" was removed`,
    text:
      `${o.byName} removed two-step verification from the Latchkey account of ${o.memberEmail}, a member of the team "${o.organizationName}".\n${o.when}\n\n` +
      `The member was signed out everywhere and emailed. If this was not agreed with the member, check with them at once: ` +
      `an administrator who also knows their password and Secret Key could now sign in as them. The team's log records it.\n`,
  }),
};
