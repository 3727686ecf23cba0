/**
 * Accepting an invitation, confirming a member, suspending and removing members (docs/protocol.md
 * §22.3–22.4).
 *
 * - **Accept**: the invitee's client signs an acceptance (its keyset and the organization key it
 *   was shown); the server uses the invitation once and records the membership as `accepted`.
 *   An accepted member gets no keys: nothing is wrapped to them until they are confirmed.
 * - **Confirm**: after both people compared the fingerprint, the organizer's or admin's client
 *   sends the member certificate (and, for organizers, owners and admins, the organization keyset
 *   wrapped to them). One conditional statement moves `accepted` → `confirmed`, so of two
 *   confirmations at once exactly one succeeds.
 * - **Remove / suspend**: in one transaction, every organization wrap, group membership and group
 *   wrap, and every vault share of that member in the organization is deleted with the membership
 *   (or the membership is suspended and its certificate dropped). The groups they were in are
 *   returned: an admin's client re-keys them (§22.5).
 *
 * Every membership change of one organization locks the organization row first, so the last
 * organizer or owner cannot be removed by two concurrent removals.
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { MemberCertificate } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import { verifyMemberAcceptance, type MemberAcceptance } from '@latchkey/core/member-acceptance';
import type { ServerContext, Tx } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import * as invitations from '../repositories/invitations.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { deleteEscrowsOfOwner } from '../repositories/recovery-escrow.ts';
import { deleteUserSharesInOrganization } from '../repositories/vault-shares.ts';
import { findUserById } from '../repositories/users.ts';
import { hashToken } from '../security/tokens.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { MembershipStatus } from '../storage/organization-schema.ts';
import { queueNotice, transactionWithNotices, type NoticeTx } from './notice-outbox.ts';
import type { Actor } from './organizations.ts';
import { invalid, lockOrganization, requireAcceptanceOfKeyset, requireCertificateOfAcceptance, requireWrap, userPublicKeyset } from './org-checks.ts';
import { authorize, forbidden, KEY_HOLDING_ROLES, mayActOn, TOP_ROLES } from './org-permissions.ts';
import { pendingInvitationFor } from './invitations.ts';
import { requireRecoveryGroupWraps } from './recovery-group.ts';

const noSuchMember = () => new LatchkeyError('not_found', 'No such member.');

/**
 * Accepts the invitation behind `token` for the signed-in invitee.
 * @throws LatchkeyError as `pendingInvitationFor` (`invalid_code`, `code_used`, `code_expired`,
 *   `forbidden`); `invalid_request` for an acceptance not signed by the caller's keyset for the
 *   organization's current key; `already_exists` when the caller is already a member.
 */
export async function acceptInvitation(
  ctx: ServerContext,
  actor: Actor,
  token: string,
  acceptance: MemberAcceptance,
): Promise<{ organizationId: string; status: MembershipStatus }> {
  const invitation = await pendingInvitationFor(ctx, actor, token);
  const own = await userPublicKeyset(ctx.db, actor.userId);
  if (own === undefined) throw new LatchkeyError('unauthenticated', 'Sign in again.');
  requireAcceptanceOfKeyset(acceptance, actor.userId, own);
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, invitation.organizationId))!;
  try {
    verifyMemberAcceptance(acceptance, {
      organizationId: invitation.organizationId,
      keyset: { id: keyset.keyset.id, signingPublicKey: fromBase64Url(keyset.keyset.signingPublicKey) },
    });
  } catch {
    throw invalid('The acceptance must be signed by your keyset for this organization and its current key.');
  }
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (tx) => {
      // One statement uses the invitation; a concurrent accept, a revocation or the expiry wins or loses here, whole.
      if (!(await invitations.consumeInvitation(tx, hashToken(token), actor.userId, now)))
        throw new LatchkeyError('code_used', 'This invitation was already used or withdrawn.');
      await memberships.insertMembership(tx, {
        id: crypto.randomUUID(),
        organizationId: invitation.organizationId,
        userId: actor.userId,
        role: invitation.role,
        status: 'accepted',
        acceptance,
        invitationId: invitation.id,
        now,
      });
      await organizations.recordOrganizationEvent(tx, {
        organizationId: invitation.organizationId,
        actorUserId: actor.userId,
        subjectUserId: actor.userId,
        type: 'invitation.accepted',
        detail: { invitation: invitation.id, role: invitation.role },
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'You are already a member of this organization.');
    throw error;
  }
  return { organizationId: invitation.organizationId, status: 'accepted' };
}

/** Members as an organizer, admin or member sees them: role, status, the acceptance (for the fingerprint) and the certificate. */
export async function listMembers(ctx: ServerContext, actor: Actor, organizationId: string) {
  await authorize(ctx.db, actor.userId, organizationId, 'members.list');
  return (await memberships.listMemberships(ctx.db, organizationId)).map((m) => ({
    userId: m.userId,
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    acceptance: m.acceptance,
    certificate: m.certificate,
  }));
}

/**
 * Confirms an accepted member with their certificate (and, for key-holding roles, the
 * organization keyset wrapped to them).
 * @throws LatchkeyError `not_found` (no such member), `forbidden` (role), `conflict` (not
 *   `accepted`: already confirmed, suspended, or removed meanwhile), `invalid_request` (keys that
 *   do not fit the member's acceptance or the organization's key).
 */
export async function confirmMember(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  userId: string,
  input: { certificate: MemberCertificate; organizationKeyWrap?: KeyWrap; recoveryGroupWraps?: readonly { keyVersion: number; wrap: KeyWrap }[] },
): Promise<void> {
  const { membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'member.confirm');
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw noSuchMember();
  if (!mayActOn(mine.role, target.role)) throw forbidden(`Your role cannot confirm someone as ${target.role}.`);
  if (target.status !== 'accepted')
    throw new LatchkeyError('conflict', target.status === 'confirmed' ? 'This member is already confirmed.' : 'This membership is suspended.');
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  if (target.acceptance.organizationKeysetId !== keyset.keyset.id)
    throw new LatchkeyError('conflict', 'The member accepted an earlier organization key; they must accept again.');
  requireCertificateOfAcceptance(input.certificate, target.acceptance, organizationId, keyset);
  const holdsKey = KEY_HOLDING_ROLES.includes(target.role);
  if (holdsKey !== (input.organizationKeyWrap !== undefined)) {
    throw invalid(holdsKey ? `A ${target.role} needs the organization key wrapped to them.` : 'Members do not hold the organization key.');
  }
  if (input.organizationKeyWrap !== undefined)
    requireWrap(
      input.organizationKeyWrap,
      { version: 2, recipientKeysetId: target.acceptance.keysetId, signerKeysetId: keyset.keyset.id },
      'organization key wrap',
    );
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    await lockOrganization(tx, organizationId, now);
    const recoveryGroup = await requireRecoveryGroupWraps(
      tx,
      organizationId,
      target.role,
      target.acceptance.keysetId,
      keyset.keyset.id,
      input.recoveryGroupWraps,
    );
    if (!(await memberships.confirmMembership(tx, { organizationId, userId, certificate: input.certificate, confirmedBy: actor.userId, now }))) {
      throw (await memberships.findMembership(tx, organizationId, userId)) === undefined
        ? noSuchMember()
        : new LatchkeyError('conflict', 'This member was confirmed or changed meanwhile.');
    }
    if (input.organizationKeyWrap !== undefined) {
      await organizations.insertOrganizationKeyWrap(tx, { organizationId, keyVersion: keyset.keyVersion, userId, wrap: input.organizationKeyWrap, now });
    }
    if (recoveryGroup !== undefined) {
      await groups.insertGroupMember(tx, { groupId: recoveryGroup, userId, now });
      for (const w of input.recoveryGroupWraps!)
        await groups.insertGroupKeyWrap(tx, { groupId: recoveryGroup, keyVersion: w.keyVersion, userId, wrap: w.wrap, now });
    }
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'member.confirmed',
      detail: { role: target.role, keyset: target.acceptance.keysetId },
      now,
    });
  });
}

/** Deletes every key and access the member holds in the organization. Returns the groups they left. */
async function revokeEverything(tx: Tx, organizationId: string, userId: string): Promise<string[]> {
  await organizations.deleteOrganizationKeyWrapsFor(tx, organizationId, userId);
  // Their own vaults are recoverable by this organization no more.
  await deleteEscrowsOfOwner(tx, organizationId, userId);
  await deleteUserSharesInOrganization(tx, organizationId, userId);
  return groups.removeUserFromOrganizationGroups(tx, organizationId, userId);
}

async function requireTopRoleLeft(tx: Tx, organizationId: string): Promise<void> {
  if ((await memberships.countConfirmedWithRoles(tx, organizationId, TOP_ROLES)) === 0) {
    throw new LatchkeyError('conflict', 'An organization needs at least one confirmed organizer or owner; make someone else one first.');
  }
}

/** Queues the notice to a member removed or suspended, in the transaction that does it. */
async function notifyMember(ctx: ServerContext, tx: NoticeTx, organizationId: string, userId: string, suspended: boolean): Promise<void> {
  const user = await findUserById(tx, userId);
  const organization = await organizations.findOrganization(tx, organizationId);
  if (user !== undefined && organization !== undefined)
    await queueNotice(ctx, tx, user.email, { kind: 'membership-ended', organizationName: organization.name, suspended });
}

/**
 * Removes a member (or lets a member leave, `userId` = the caller): the membership and, at once,
 * every wrap and access row of theirs in the organization.
 * @throws LatchkeyError `not_found`, `forbidden`, `conflict` (the last organizer or owner).
 */
export async function removeMember(ctx: ServerContext, actor: Actor, organizationId: string, userId: string): Promise<{ groupsToRekey: string[] }> {
  const leaving = userId === actor.userId;
  const { membership: mine } = await authorize(ctx.db, actor.userId, organizationId, leaving ? 'organization.view' : 'member.remove');
  const target = leaving ? mine : await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw noSuchMember();
  if (!leaving && !mayActOn(mine.role, target.role)) throw forbidden(`Your role cannot remove a ${target.role}.`);
  const now = ctx.clock();
  const left = await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    if (!(await memberships.deleteMembership(tx, organizationId, userId))) throw noSuchMember();
    const groupIds = await revokeEverything(tx, organizationId, userId);
    await requireTopRoleLeft(tx, organizationId);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'member.removed',
      detail: { role: target.role, groups: groupIds.length },
      now,
    });
    if (!leaving) await notifyMember(ctx, tx, organizationId, userId, false);
    return groupIds;
  });
  return { groupsToRekey: left };
}

/**
 * Suspends a member: the membership stays (status `suspended`, certificate dropped) and every
 * wrap and access row is deleted as on removal. Reinstating needs a new confirmation.
 * @throws LatchkeyError `not_found`, `forbidden`, `conflict` (already suspended; the last organizer or owner).
 */
export async function suspendMember(ctx: ServerContext, actor: Actor, organizationId: string, userId: string): Promise<{ groupsToRekey: string[] }> {
  const { membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'member.suspend');
  if (userId === actor.userId) throw invalid('You cannot suspend yourself.');
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw noSuchMember();
  if (!mayActOn(mine.role, target.role)) throw forbidden(`Your role cannot suspend a ${target.role}.`);
  if (target.status === 'suspended') throw new LatchkeyError('conflict', 'This member is already suspended.');
  const now = ctx.clock();
  const left = await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    if (!(await memberships.changeMembershipStatus(tx, { organizationId, userId, from: target.status, to: 'suspended', now }))) {
      throw new LatchkeyError('conflict', 'This membership changed meanwhile.');
    }
    const groupIds = await revokeEverything(tx, organizationId, userId);
    await requireTopRoleLeft(tx, organizationId);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'member.suspended',
      detail: { role: target.role },
      now,
    });
    await notifyMember(ctx, tx, organizationId, userId, true);
    return groupIds;
  });
  return { groupsToRekey: left };
}

/** Lifts a suspension: back to `accepted`, so the member gets keys again only after a new confirmation. */
export async function reinstateMember(ctx: ServerContext, actor: Actor, organizationId: string, userId: string): Promise<void> {
  const { membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'member.suspend');
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw noSuchMember();
  if (!mayActOn(mine.role, target.role)) throw forbidden();
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await memberships.changeMembershipStatus(tx, { organizationId, userId, from: 'suspended', to: 'accepted', now })))
      throw new LatchkeyError('conflict', 'This member is not suspended.');
    await organizations.recordOrganizationEvent(tx, { organizationId, actorUserId: actor.userId, subjectUserId: userId, type: 'member.reinstated', now });
  });
}
