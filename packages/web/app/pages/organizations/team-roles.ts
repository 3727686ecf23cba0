/**
 * What the page offers for a member, mirroring the server's rules (docs/protocol.md §22.1,
 * `org-permissions.ts`): the server decides; this only keeps controls it would refuse off the page.
 */
import type { OrganizationKind, OrganizationMember, OrganizationRole } from '@latchkey/client/client';
import type { ChoiceOption } from './Choice.tsx';

/** Every role of each kind, labelled as the invitation form labels them. */
export const ROLE_OPTIONS: Readonly<Record<OrganizationKind, readonly ChoiceOption<OrganizationRole>[]>> = {
  family: [
    { value: 'organizer', label: 'organizer' },
    { value: 'member', label: 'member' },
  ],
  team: [
    { value: 'owner', label: 'owner' },
    { value: 'admin', label: 'admin' },
    { value: 'recovery_admin', label: 'admin with recovery powers' },
    { value: 'member', label: 'member' },
  ],
};

/** The organization's top role, and what its holder becomes on stepping down after a transfer. */
export const TOP_ROLE: Readonly<Record<OrganizationKind, OrganizationRole>> = { family: 'organizer', team: 'owner' };
export const STEPPED_DOWN_ROLE: Readonly<Record<OrganizationKind, OrganizationRole>> = { family: 'member', team: 'admin' };

const RANK: Readonly<Record<OrganizationRole, number>> = { organizer: 3, owner: 3, admin: 2, recovery_admin: 2, member: 1 };

/** Lower ranks only; organizers and owners also each other (suspend, remove, reset). */
export const mayActOn = (me: OrganizationRole, them: OrganizationRole) => RANK[me] > RANK[them] || (RANK[me] === 3 && RANK[them] === 3);

/** Role changes and transfers: organizers and owners, on another confirmed member. */
export const mayChangeRoleOf = (me: OrganizationRole, member: OrganizationMember) => RANK[me] === 3 && !member.isYou && member.status === 'confirmed';

/** Transferring the organization to a confirmed member not already in its top role. */
export const mayTransferTo = (kind: OrganizationKind, me: OrganizationRole, member: OrganizationMember) =>
  mayChangeRoleOf(me, member) && member.role !== TOP_ROLE[kind];

/** A team's two-step reset: owners and admins, on a confirmed member of a rank they may act on, never themselves. */
export const mayResetTwoStepOf = (kind: OrganizationKind, me: OrganizationRole, member: OrganizationMember) =>
  kind === 'team' && me !== 'member' && !member.isYou && member.status === 'confirmed' && mayActOn(me, member.role);

/** "an owner", "an admin", "a member", for sentences. */
export const withArticle = (role: OrganizationRole) =>
  role === 'recovery_admin' ? 'an admin with recovery powers' : `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
