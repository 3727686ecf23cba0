/**
 * Organizer recovery on the server (docs/protocol.md §22.8, "Organizer recovery"): start,
 * status, cancellation and the organization's recovery policy.
 *
 * - **Start**: a confirmed Recovery Group member (organizer, owner, recovery admin, and in the
 *   group) starts it for another confirmed member. The member is emailed a link with a 256-bit
 *   token (only its hash is stored; the email is sent straight, never stored, notifications.ts);
 *   the member and every organizer get a notice through the outbox, and the member's and the
 *   organization's logs record it, all in the start's transaction.
 * - **Cancel**: by the member from any signed-in session, with the link's token signed out, by
 *   any Recovery Group role holder, by signing in (or unlocking) with the old credentials, and by
 *   a recovery-code recovery of the member. Each is one conditional update from an open status
 *   (`endOrganizerRecovery`), so of two racing ends exactly one wins and the other is `conflict`
 *   (or, for the implicit ones, nothing); everyone is told.
 * - **Policy**: the waiting period (default 24 h, 0 allowed) and approvals (1, or 2 in teams),
 *   set by organizers and owners, copied onto each recovery when it starts.
 */
import { randomUUID } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core/errors';
import type { MemberRecoveryView, OrganizerRecovery, RecoveryEndReason, RecoveryPolicy } from '@latchkey/core/wire/organizer-recovery';
import type { UserId } from '@latchkey/core/ids';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import * as recoveries from '../repositories/organizer-recoveries.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { findUserById } from '../repositories/users.ts';
import { hashToken, newToken } from '../security/tokens.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { type NoticeTx, queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { sendCodeEmail } from './notifications.ts';
import type { Actor } from './organizations.ts';
import { organizerRecoveryNotices, type OrganizerRecoveryEvent } from './organizer-recovery-notices.ts';
import { invalid, lockOrganization } from './org-checks.ts';
import { authorize, forbidden, RECOVERY_ROLES } from './org-permissions.ts';
import { enforceRateLimits, sourceKey } from './rate-limits.ts';

const noSuchRecovery = () => new LatchkeyError('not_found', 'No such organizer recovery.');
const alreadyEnded = () => new LatchkeyError('conflict', 'This organizer recovery has already ended (completed or cancelled).');

/**
 * The caller as a Recovery Group role holder of the organization.
 * @throws LatchkeyError `not_found` (not a member), `forbidden` (not confirmed, or no Recovery Group role).
 */
export async function requireRecoveryRole(ctx: ServerContext, actor: Actor, organizationId: string) {
  const found = await authorize(ctx.db, actor.userId, organizationId, 'members.list');
  if (!RECOVERY_ROLES.includes(found.membership.role)) throw forbidden('Only organizers, owners and recovery admins recover members.');
  return found;
}

export const displayName = (user: { name?: string | null; email: string } | undefined, fallback: string) =>
  user === undefined ? fallback : user.name || user.email;

export async function organizerView(ctx: ServerContext, row: recoveries.OrganizerRecoveryRow): Promise<OrganizerRecovery> {
  const member = await findUserById(ctx.db, row.memberUserId);
  return {
    id: row.id,
    organizationId: row.organizationId,
    memberUserId: row.memberUserId as UserId,
    memberEmail: member?.email ?? '',
    startedBy: row.startedBy as UserId,
    status: row.status,
    approvalsRequired: row.approvalsRequired,
    approvedBy: (await recoveries.listApprovers(ctx.db, row.id)) as UserId[],
    waitingPeriodSeconds: row.waitingPeriodSeconds,
    waitingUntil: row.waitingUntil?.toISOString() ?? null,
    memberStepDone: row.memberStepDone,
    newAcceptance: row.status === 'waiting' ? row.newAcceptance : null,
    releasedTo: (row.releasedTo as UserId | null) ?? null,
    endReason: (row.endReason as RecoveryEndReason | null) ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function memberView(ctx: ServerContext, row: recoveries.OrganizerRecoveryRow): Promise<MemberRecoveryView> {
  const organization = await organizations.findOrganization(ctx.db, row.organizationId);
  const starter = await findUserById(ctx.db, row.startedBy);
  return {
    id: row.id,
    organizationId: row.organizationId,
    organizationName: organization?.name ?? '',
    startedByName: displayName(starter, 'An organizer'),
    status: row.status,
    waitingUntil: row.waitingUntil?.toISOString() ?? null,
    memberStepDone: row.memberStepDone,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Queues the notice of `event` to the member and to every confirmed Recovery Group role holder
 * of the organization, in `tx`.
 */
export async function tellEveryone(
  ctx: ServerContext,
  tx: NoticeTx,
  row: { organizationId: string; memberUserId: string },
  n: { event: OrganizerRecoveryEvent; byName: string; reason?: string; waitingUntil?: string; at: Date; ip: string | null },
): Promise<void> {
  const organization = await organizations.findOrganization(tx, row.organizationId);
  const member = await findUserById(tx, row.memberUserId);
  const base = {
    kind: 'organizer-recovery' as const,
    event: n.event,
    organizationName: organization?.name ?? '',
    memberEmail: member?.email ?? '',
    byName: n.byName,
    at: n.at.toISOString(),
    ip: n.ip,
    ...(n.reason === undefined ? {} : { reason: n.reason }),
    ...(n.waitingUntil === undefined ? {} : { waitingUntil: n.waitingUntil }),
  };
  if (member !== undefined) await queueNotice(ctx, tx, member.email, { ...base, toMember: true });
  for (const holder of await memberships.listConfirmedWithRoles(tx, row.organizationId, RECOVERY_ROLES)) {
    if (holder.userId === row.memberUserId) continue;
    await queueNotice(ctx, tx, holder.email, { ...base, toMember: false });
  }
}

/**
 * Starts an organizer recovery of `userId`.
 * @throws LatchkeyError `not_found` (not a member; no such member; no Recovery Group yet),
 *   `forbidden` (no Recovery Group role, or not in the Recovery Group), `invalid_request`
 *   (oneself), `conflict` (the member is not confirmed, or already has an open recovery),
 *   `rate_limited`.
 */
export async function startOrganizerRecovery(
  ctx: ServerContext,
  actor: Actor,
  meta: RequestMeta,
  organizationId: string,
  userId: string,
): Promise<OrganizerRecovery> {
  const { organization } = await requireRecoveryRole(ctx, actor, organizationId);
  const group = await groups.findRecoveryGroup(ctx.db, organizationId);
  if (group === undefined) throw new LatchkeyError('not_found', 'This organization has no Recovery Group yet.');
  if (!(await groups.listGroupMemberIds(ctx.db, group.id)).includes(actor.userId)) throw forbidden('You are not in the Recovery Group (yet).');
  if (userId === actor.userId) throw invalid('Another organizer recovers you; you cannot recover yourself.');
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw new LatchkeyError('not_found', 'No such member.');
  if (target.status !== 'confirmed') throw new LatchkeyError('conflict', 'Only a confirmed member can be recovered.');
  await enforceRateLimits(ctx, [['organizerRecoveriesPerOrganization', organizationId]]);
  const policy = (await recoveries.findRecoveryPolicy(ctx.db, organizationId))!;
  const token = newToken();
  const id = randomUUID();
  const now = ctx.clock();
  const starter = await findUserById(ctx.db, actor.userId);
  const byName = displayName(starter, 'An organizer');
  try {
    await transactionWithNotices(ctx, async (tx) => {
      await lockOrganization(tx, organizationId, now);
      const still = await memberships.findMembership(tx, organizationId, userId);
      if (still?.status !== 'confirmed') throw new LatchkeyError('conflict', 'This membership changed meanwhile.');
      await recoveries.insertOrganizerRecovery(tx, {
        id,
        organizationId,
        memberUserId: userId,
        startedBy: actor.userId,
        tokenHash: hashToken(token),
        approvalsRequired: policy.approvalsRequired,
        waitingPeriodSeconds: policy.waitingPeriodSeconds,
        now,
      });
      await recordSecurityEvent(tx, {
        userId,
        type: 'organizer-recovery.started',
        detail: { organization: organizationId, recovery: id, by: actor.userId },
        ip: meta.ip,
        now,
      });
      await organizations.recordOrganizationEvent(tx, {
        organizationId,
        actorUserId: actor.userId,
        subjectUserId: userId,
        type: 'organizer-recovery.started',
        detail: { recovery: id, waitingPeriodSeconds: policy.waitingPeriodSeconds, approvalsRequired: policy.approvalsRequired },
        now,
      });
      await tellEveryone(ctx, tx, { organizationId, memberUserId: userId }, { event: 'started', byName, at: now, ip: meta.ip });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('conflict', 'This member already has an organizer recovery under way.');
    throw error;
  }
  const member = await findUserById(ctx.db, userId);
  if (member !== undefined)
    sendCodeEmail(ctx, member.email, organizerRecoveryNotices.link({ organizationName: organization.name, byName, token, publicUrl: ctx.config.publicUrl }));
  return organizerView(ctx, (await recoveries.findOrganizerRecovery(ctx.db, id))!);
}

/** The policy and every recovery of the organization, for its Recovery Group role holders. */
export async function listOrganizerRecoveries(ctx: ServerContext, actor: Actor, organizationId: string) {
  await requireRecoveryRole(ctx, actor, organizationId);
  const policy = (await recoveries.findRecoveryPolicy(ctx.db, organizationId))!;
  const rows = await recoveries.listOrganizerRecoveries(ctx.db, organizationId);
  return { policy, recoveries: await Promise.all(rows.map((r) => organizerView(ctx, r))) };
}

export async function findInOrganization(ctx: ServerContext, organizationId: string, recoveryId: string) {
  const row = await recoveries.findOrganizerRecovery(ctx.db, recoveryId);
  if (row === undefined || row.organizationId !== organizationId) throw noSuchRecovery();
  return row;
}

export async function getOrganizerRecovery(ctx: ServerContext, actor: Actor, organizationId: string, recoveryId: string): Promise<OrganizerRecovery> {
  await requireRecoveryRole(ctx, actor, organizationId);
  return organizerView(ctx, await findInOrganization(ctx, organizationId, recoveryId));
}

/**
 * Ends an open recovery as cancelled in `tx` and tells everyone. Returns false when it had
 * already ended (another request won).
 */
async function cancelIn(
  ctx: ServerContext,
  tx: NoticeTx,
  row: recoveries.OrganizerRecoveryRow,
  c: { reason: RecoveryEndReason; by: string | null; byName: string; ip: string | null; now: Date },
): Promise<boolean> {
  if (
    !(await recoveries.endOrganizerRecovery(tx, {
      id: row.id,
      from: recoveries.OPEN_STATUSES,
      to: 'cancelled',
      endReason: c.reason,
      endedBy: c.by,
      now: c.now,
    }))
  )
    return false;
  await recordSecurityEvent(tx, {
    userId: row.memberUserId,
    type: 'organizer-recovery.cancelled',
    detail: { organization: row.organizationId, recovery: row.id, reason: c.reason },
    ip: c.ip,
    now: c.now,
  });
  await organizations.recordOrganizationEvent(tx, {
    organizationId: row.organizationId,
    actorUserId: c.by,
    subjectUserId: row.memberUserId,
    type: 'organizer-recovery.cancelled',
    detail: { recovery: row.id, reason: c.reason },
    now: c.now,
  });
  await tellEveryone(ctx, tx, row, { event: 'cancelled', byName: c.byName, reason: c.reason, at: c.now, ip: c.ip });
  return true;
}

async function cancelOne(
  ctx: ServerContext,
  row: recoveries.OrganizerRecoveryRow,
  c: { reason: RecoveryEndReason; by: string | null; byName: string; ip: string | null },
): Promise<void> {
  const now = ctx.clock();
  const won = await transactionWithNotices(ctx, (tx) => cancelIn(ctx, tx, row, { ...c, now }));
  if (!won) throw alreadyEnded();
}

/**
 * A Recovery Group role holder cancels a recovery of their organization.
 * @throws LatchkeyError `not_found`, `forbidden`, `conflict` (already completed or cancelled).
 */
export async function cancelByOrganizer(
  ctx: ServerContext,
  actor: Actor,
  meta: RequestMeta,
  organizationId: string,
  recoveryId: string,
): Promise<OrganizerRecovery> {
  await requireRecoveryRole(ctx, actor, organizationId);
  const row = await findInOrganization(ctx, organizationId, recoveryId);
  const by = await findUserById(ctx.db, actor.userId);
  await cancelOne(ctx, row, { reason: 'cancelled-by-organizer', by: actor.userId, byName: displayName(by, 'An organizer'), ip: meta.ip });
  return organizerView(ctx, (await recoveries.findOrganizerRecovery(ctx.db, recoveryId))!);
}

/** The caller's open recoveries (as the member being recovered), for every signed-in device to show. */
export async function myOrganizerRecoveries(ctx: ServerContext, actor: Actor): Promise<{ recoveries: MemberRecoveryView[] }> {
  const rows = await recoveries.listOpenRecoveriesOfMember(ctx.db, actor.userId);
  return { recoveries: await Promise.all(rows.map((r) => memberView(ctx, r))) };
}

/**
 * The member cancels from a signed-in session.
 * @throws LatchkeyError `not_found` (not a recovery of the caller), `conflict` (already ended).
 */
export async function cancelByMember(ctx: ServerContext, actor: Actor, meta: RequestMeta, recoveryId: string): Promise<{ cancelled: true }> {
  const row = await recoveries.findOrganizerRecovery(ctx.db, recoveryId);
  if (row === undefined || row.memberUserId !== actor.userId) throw noSuchRecovery();
  await cancelOne(ctx, row, { reason: 'cancelled-by-member', by: actor.userId, byName: 'the member', ip: meta.ip });
  return { cancelled: true };
}

/**
 * Cancels with the emailed link's token (signed out).
 * @throws LatchkeyError `not_found` (no open recovery has this token), `conflict`, `rate_limited`.
 */
export async function cancelByLink(ctx: ServerContext, meta: RequestMeta, token: string): Promise<{ cancelled: true }> {
  await enforceRateLimits(ctx, [['organizerRecoveryLinkPerSource', sourceKey(meta)]]);
  const row = await recoveries.findOpenRecoveryByTokenHash(ctx.db, hashToken(token));
  if (row === undefined) throw new LatchkeyError('not_found', 'This recovery link is not valid (any more).');
  await cancelOne(ctx, row, { reason: 'cancelled-by-link', by: null, byName: 'the emailed link', ip: meta.ip });
  return { cancelled: true };
}

/**
 * Cancels, in `tx`, every open organizer recovery of `userId`: the member showed they still hold
 * the old credentials or their recovery code. Returns how many it ended.
 */
export async function cancelOpenRecoveriesIn(
  ctx: ServerContext,
  tx: NoticeTx,
  userId: string,
  reason: 'signed-in-with-old-credentials' | 'recovery-code-used',
  meta: RequestMeta,
): Promise<number> {
  let ended = 0;
  const now = ctx.clock();
  for (const row of await recoveries.listOpenRecoveriesOfMember(tx, userId))
    if (await cancelIn(ctx, tx, row, { reason, by: userId, byName: 'the member', ip: meta.ip, now })) ended++;
  return ended;
}

/** After a sign-in or unlock with the old password and Secret Key: cancels the member's open recoveries (one cheap read when there are none). */
export async function cancelOnOldCredentials(ctx: ServerContext, userId: string, meta: RequestMeta): Promise<void> {
  if ((await recoveries.listOpenRecoveriesOfMember(ctx.db, userId)).length === 0) return;
  await transactionWithNotices(ctx, (tx) => cancelOpenRecoveriesIn(ctx, tx, userId, 'signed-in-with-old-credentials', meta));
}

/**
 * Sets the organization's recovery policy (organizers and owners). Running recoveries keep the
 * policy they started with.
 * @throws LatchkeyError `not_found`, `forbidden`, `invalid_request` (two approvals in a family).
 */
export async function setRecoveryPolicy(ctx: ServerContext, actor: Actor, organizationId: string, policy: RecoveryPolicy): Promise<RecoveryPolicy> {
  const { organization } = await authorize(ctx.db, actor.userId, organizationId, 'member.change-role');
  if (organization.kind === 'family' && policy.approvalsRequired === 2) throw invalid('Only teams can require two approvals.');
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    await recoveries.setRecoveryPolicy(tx, organizationId, policy, now);
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      type: 'organizer-recovery.policy-changed',
      detail: { waitingPeriodSeconds: policy.waitingPeriodSeconds, approvalsRequired: policy.approvalsRequired },
      now,
    });
  });
  return policy;
}
