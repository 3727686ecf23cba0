/**
 * Changing a member's role and handing an organization over (docs/protocol.md §22.10).
 *
 * - **Change a role**: an organizer or owner changes a confirmed member's role within the
 *   organization's kind, on ranks they may act on (`mayActOn`, for the old and the new role). The
 *   request names the role the caller saw (`from`): one conditional UPDATE on (status, role) is
 *   the compare-and-set, so of two changes at once exactly one succeeds and the other is
 *   `conflict`. A member who gains the organization key gets the wrap the caller's client made
 *   (format 2, signed by the organization keyset, to the member's certified keyset); one who
 *   loses it has their wraps deleted in the same transaction.
 * - **Transfer**: the same change to the top role (organizer / owner) and, with `stepDown`, the
 *   caller's own change to admin (team) or member (family), in one transaction.
 * - **The Recovery Group** (§22.8) follows: gaining a Recovery Group role needs every kept version
 *   wrapped to the member in the same request; losing one takes them out of it and marks it for a
 *   re-key (recovery-group.ts).
 *
 * The organization row is locked first, as for every membership change, so the last organizer
 * or owner cannot be demoted by two concurrent changes; the check runs after the writes.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { ServerContext } from '../context.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { findUserById } from '../repositories/users.ts';
import type { OrganizationKind, OrganizationRole } from '../storage/organization-schema.ts';
import { queueNotice, transactionWithNotices, type NoticeTx } from './notice-outbox.ts';
import type { Actor } from './organizations.ts';
import { invalid, lockOrganization, requireWrap } from './org-checks.ts';
import { applyRoleChangeToRecoveryGroup } from './recovery-group.ts';
import { authorize, forbidden, KEY_HOLDING_ROLES, mayActOn, requireRoleOfKind, TOP_ROLES } from './org-permissions.ts';

const noSuchMember = () => new LatchkeyError('not_found', 'No such member.');
const changedMeanwhile = () => new LatchkeyError('conflict', "This member's role or status changed meanwhile; look again.");

/** The role a top member becomes when they hand the organization over and step down. */
export const steppedDownRole = (kind: OrganizationKind): OrganizationRole => (kind === 'team' ? 'admin' : 'member');
const topRole = (kind: OrganizationKind): OrganizationRole => (kind === 'team' ? 'owner' : 'organizer');

interface RoleChange {
  readonly organizationId: string;
  readonly userId: string;
  readonly from: OrganizationRole;
  readonly to: OrganizationRole;
  /** The member's certified keyset id, the only recipient a new organization key wrap may have. */
  readonly keysetId: string;
  readonly organizationKeyWrap: KeyWrap | undefined;
  /** Every kept Recovery Group version wrapped to a member who gains a Recovery Group role (§22.8). */
  readonly recoveryGroupWraps?: readonly { keyVersion: number; wrap: KeyWrap }[] | undefined;
}

/**
 * Checks the wrap a change carries before anything is written.
 * @throws `invalid_request` for a missing wrap (gaining the key), an unexpected one, or one of another format, recipient or signer.
 */
function requireWrapForChange(change: Omit<RoleChange, 'organizationId' | 'userId'>, organizationKeysetId: string): void {
  const gains = !KEY_HOLDING_ROLES.includes(change.from) && KEY_HOLDING_ROLES.includes(change.to);
  if (gains !== (change.organizationKeyWrap !== undefined))
    throw invalid(gains ? `A ${change.to} needs the organization key wrapped to them.` : 'Only a member who gains the organization key gets a wrap of it.');
  if (change.organizationKeyWrap !== undefined)
    requireWrap(change.organizationKeyWrap, { version: 2, recipientKeysetId: change.keysetId, signerKeysetId: organizationKeysetId }, 'organization key wrap');
}

/** One role change inside the caller's transaction: the compare-and-set, the key wraps, the Recovery Group. */
async function applyRoleChange(tx: NoticeTx, change: RoleChange, organizationKeyset: { keyVersion: number; keysetId: string }, now: Date): Promise<void> {
  const keyVersion = organizationKeyset.keyVersion;
  if (!(await memberships.changeMembershipRole(tx, { organizationId: change.organizationId, userId: change.userId, from: change.from, to: change.to, now }))) {
    throw (await memberships.findMembership(tx, change.organizationId, change.userId)) === undefined ? noSuchMember() : changedMeanwhile();
  }
  if (change.organizationKeyWrap !== undefined) {
    // A member holds no wrap (demotion deleted it); should one be left over, the new one replaces it rather than failing.
    await organizations.deleteOrganizationKeyWrapsFor(tx, change.organizationId, change.userId);
    await organizations.insertOrganizationKeyWrap(tx, {
      organizationId: change.organizationId,
      keyVersion,
      userId: change.userId,
      wrap: change.organizationKeyWrap,
      now,
    });
  } else if (!KEY_HOLDING_ROLES.includes(change.to)) {
    await organizations.deleteOrganizationKeyWrapsFor(tx, change.organizationId, change.userId);
  }
  // Gaining a Recovery Group role adds every kept version; losing one takes the member out and marks the group for a re-key.
  await applyRoleChangeToRecoveryGroup(tx, { ...change, organizationKeysetId: organizationKeyset.keysetId }, now);
}

async function requireTopRoleLeft(tx: NoticeTx, organizationId: string): Promise<void> {
  if ((await memberships.countConfirmedWithRoles(tx, organizationId, TOP_ROLES)) === 0)
    throw new LatchkeyError('conflict', 'An organization needs at least one confirmed organizer or owner; make someone else one first.');
}

async function notifyRoleChange(ctx: ServerContext, tx: NoticeTx, organizationName: string, actorUserId: string, change: RoleChange): Promise<void> {
  if (change.userId === actorUserId) return;
  const [user, actor] = [await findUserById(tx, change.userId), await findUserById(tx, actorUserId)];
  if (user === undefined) return;
  await queueNotice(ctx, tx, user.email, {
    kind: 'member-role-changed',
    organizationName,
    previousRole: change.from,
    role: change.to,
    byName: actor?.name || actor?.email || 'An organizer',
  });
}

/** The confirmed target, checked against what the caller saw. */
async function confirmedTarget(ctx: ServerContext, organizationId: string, userId: string, from: OrganizationRole) {
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw noSuchMember();
  if (target.status !== 'confirmed' || target.certificate === null)
    throw new LatchkeyError('conflict', 'Only a confirmed member can change role; confirm them first (or reinstate and confirm).');
  if (target.role !== from) throw changedMeanwhile();
  return { ...target, certificate: target.certificate };
}

/**
 * Changes a confirmed member's role (the caller's own too: stepping down, while another
 * organizer or owner remains).
 * @throws LatchkeyError `not_found`; `forbidden` (not an organizer or owner, or a rank they may
 *   not act on); `invalid_request` (a role of the other kind, no change, a wrong or missing
 *   wrap); `conflict` (the role or status changed meanwhile, not confirmed, the last organizer or owner).
 */
export async function changeMemberRole(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  userId: string,
  input: {
    from: OrganizationRole;
    role: OrganizationRole;
    organizationKeyWrap?: KeyWrap;
    recoveryGroupWraps?: readonly { keyVersion: number; wrap: KeyWrap }[];
  },
): Promise<{ role: OrganizationRole }> {
  const { organization, membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'member.change-role');
  requireRoleOfKind(organization.kind, input.role);
  if (input.from === input.role) throw invalid(`This member is already ${input.role === 'admin' ? 'an' : 'a'} ${input.role}.`);
  const target = await confirmedTarget(ctx, organizationId, userId, input.from);
  if (!mayActOn(mine.role, target.role) || !mayActOn(mine.role, input.role)) throw forbidden(`Your role cannot make a ${target.role} a ${input.role}.`);
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  const change: RoleChange = {
    organizationId,
    userId,
    from: target.role,
    to: input.role,
    keysetId: target.certificate.keysetId,
    organizationKeyWrap: input.organizationKeyWrap,
    recoveryGroupWraps: input.recoveryGroupWraps,
  };
  requireWrapForChange(change, keyset.keyset.id);
  const now = ctx.clock();
  await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    await applyRoleChange(tx, change, { keyVersion: keyset.keyVersion, keysetId: keyset.keyset.id }, now);
    await requireTopRoleLeft(tx, organizationId);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'member.role-changed',
      detail: { from: change.from, to: change.to },
      now,
    });
    await notifyRoleChange(ctx, tx, organization.name, actor.userId, change);
  });
  return { role: input.role };
}

/**
 * Hands the organization over: the member becomes organizer (family) or owner (team); with
 * `stepDown` the caller becomes admin (team) or member (family, their organization key wraps
 * deleted) in the same transaction.
 * @throws LatchkeyError as `changeMemberRole`; `invalid_request` for the caller themselves;
 *   `conflict` when the member already has the top role.
 */
export async function transferOwnership(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  userId: string,
  input: { from: OrganizationRole; stepDown: boolean; organizationKeyWrap?: KeyWrap; recoveryGroupWraps?: readonly { keyVersion: number; wrap: KeyWrap }[] },
): Promise<{ role: OrganizationRole; yourRole: OrganizationRole }> {
  const { organization, membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'ownership.transfer');
  if (userId === actor.userId) throw invalid('Choose another member to hand the organization to.');
  const top = topRole(organization.kind);
  const target = await confirmedTarget(ctx, organizationId, userId, input.from);
  if (target.role === top) throw new LatchkeyError('conflict', `This member is already ${top === 'owner' ? 'an owner' : 'an organizer'}.`);
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  const promotion: RoleChange = {
    organizationId,
    userId,
    from: target.role,
    to: top,
    keysetId: target.certificate.keysetId,
    organizationKeyWrap: input.organizationKeyWrap,
    recoveryGroupWraps: input.recoveryGroupWraps,
  };
  requireWrapForChange(promotion, keyset.keyset.id);
  const stepDown: RoleChange | undefined = input.stepDown
    ? { organizationId, userId: actor.userId, from: mine.role, to: steppedDownRole(organization.kind), keysetId: '', organizationKeyWrap: undefined }
    : undefined;
  const now = ctx.clock();
  await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    await applyRoleChange(tx, promotion, { keyVersion: keyset.keyVersion, keysetId: keyset.keyset.id }, now);
    if (stepDown !== undefined) await applyRoleChange(tx, stepDown, { keyVersion: keyset.keyVersion, keysetId: keyset.keyset.id }, now);
    await requireTopRoleLeft(tx, organizationId);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'organization.ownership-transferred',
      detail: { from: promotion.from, to: top, steppedDownTo: stepDown?.to ?? null },
      now,
    });
    await notifyRoleChange(ctx, tx, organization.name, actor.userId, promotion);
  });
  return { role: top, yourRole: stepDown?.to ?? mine.role };
}
