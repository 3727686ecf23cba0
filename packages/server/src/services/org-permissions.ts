/**
 * Who may do what in an organization: one role × action table, and the rules about whom an action
 * may touch. Every organization service asks here; no service decides by itself.
 *
 * Protects against: a member acting as an admin, an admin acting on an owner, an organization
 * left without an organizer or owner, and roles of one kind of organization used in the other.
 * Non-members get `not_found` (the organization does not exist for them), members without the
 * right get `forbidden`.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { Tx } from '../context.ts';
import { findMembership, type MembershipRow } from '../repositories/memberships.ts';
import { findOrganization, type OrganizationRow } from '../repositories/organizations.ts';
import type { OrganizationKind, OrganizationRole } from '../storage/organization-schema.ts';

export type OrganizationAction =
  | 'organization.view'
  | 'members.list'
  | 'invitation.manage'
  | 'member.confirm'
  | 'member.remove'
  | 'member.suspend'
  | 'group.manage'
  | 'vault.share'
  | 'log.view'
  | 'member.change-role'
  | 'ownership.transfer'
  | 'member.reset-two-step';

/** Roles that exist in each kind of organization. */
export const ROLES_BY_KIND: Readonly<Record<OrganizationKind, readonly OrganizationRole[]>> = {
  family: ['organizer', 'member'],
  team: ['owner', 'admin', 'recovery_admin', 'member'],
};

/** Roles that hold the organization keyset (it is wrapped to them at confirmation). */
export const KEY_HOLDING_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin'];
/** Roles whose confirmed holders are exactly the members of the Recovery Group (docs/protocol.md §22.8). */
export const RECOVERY_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'recovery_admin'];
/** The roles an organization must always have at least one confirmed holder of. */
export const TOP_ROLES: readonly OrganizationRole[] = ['organizer', 'owner'];

const ADMIN_ACTIONS: readonly OrganizationAction[] = [
  'organization.view',
  'members.list',
  'invitation.manage',
  'member.confirm',
  'member.remove',
  'member.suspend',
  'group.manage',
  'vault.share',
  'log.view',
];
const MEMBER_ACTIONS: readonly OrganizationAction[] = ['organization.view', 'members.list', 'vault.share'];
/** Roles are changed, and ownership handed over, by organizers and owners only (§22.10). */
const TOP_ACTIONS: readonly OrganizationAction[] = [...ADMIN_ACTIONS, 'member.change-role', 'ownership.transfer'];
/** Resetting a member's two-step verification exists in teams only: owners and admins may (never a family organizer). */
const TEAM_ADMIN_ACTIONS: readonly OrganizationAction[] = [...ADMIN_ACTIONS, 'member.reset-two-step'];

/** The table: what each role may do (only while its membership is confirmed). */
export const PERMISSIONS: Readonly<Record<OrganizationRole, ReadonlySet<OrganizationAction>>> = {
  organizer: new Set(TOP_ACTIONS),
  owner: new Set([...TOP_ACTIONS, 'member.reset-two-step']),
  admin: new Set(TEAM_ADMIN_ACTIONS),
  recovery_admin: new Set(TEAM_ADMIN_ACTIONS),
  member: new Set(MEMBER_ACTIONS),
};

/** Rank for acting on other people: an actor may act on lower ranks; top roles also on each other. */
const RANK: Readonly<Record<OrganizationRole, number>> = { organizer: 3, owner: 3, admin: 2, recovery_admin: 2, member: 1 };

export const notFound = () => new LatchkeyError('not_found', 'No such organization.');
export const forbidden = (message = 'Your role in this organization does not allow this.') => new LatchkeyError('forbidden', message);

export function may(role: OrganizationRole, action: OrganizationAction): boolean {
  return PERMISSIONS[role].has(action);
}

/** True when `actor` may invite as, confirm, suspend, remove, reset or change the role of someone with role `target` (or give them role `target`). */
export function mayActOn(actor: OrganizationRole, target: OrganizationRole): boolean {
  return RANK[actor] > RANK[target] || (RANK[actor] === 3 && RANK[target] === 3);
}

export interface Authorized {
  readonly organization: OrganizationRow;
  readonly membership: MembershipRow;
}

/**
 * The organization and the caller's confirmed membership, when the caller may do `action`.
 * @throws LatchkeyError `not_found` for a non-member (or an unknown organization) and for a member
 *   who is not confirmed and asks for anything but `organization.view`; `forbidden` for a
 *   confirmed member whose role does not allow `action`.
 */
export async function authorize(db: Tx, userId: string, organizationId: string, action: OrganizationAction): Promise<Authorized> {
  const organization = await findOrganization(db, organizationId);
  const membership = organization === undefined ? undefined : await findMembership(db, organizationId, userId);
  if (organization === undefined || membership === undefined) throw notFound();
  if (membership.status !== 'confirmed') {
    if (action === 'organization.view') return { organization, membership };
    throw forbidden('Your membership is not confirmed yet (or is suspended).');
  }
  if (!may(membership.role, action)) throw forbidden();
  return { organization, membership };
}

/** @throws LatchkeyError `invalid_request` for a role the organization's kind does not have. */
export function requireRoleOfKind(kind: OrganizationKind, role: OrganizationRole): void {
  if (!ROLES_BY_KIND[kind].includes(role)) throw new LatchkeyError('invalid_request', `A ${kind} has no ${role} role.`);
}
