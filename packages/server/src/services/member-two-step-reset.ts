/**
 * A team administrator resets a member's two-step verification (docs/protocol.md §22.10): for
 * the member who lost their phone and security keys and their backup codes.
 *
 * It removes the member's authenticator app (active and pending), security keys, backup codes,
 * open WebAuthn challenges and failure counters, and nothing else: no key, wrap, vault or item
 * changes, so it unlocks no data. Whoever has the member's password and Secret Key can then sign
 * in without a second step, so a malicious administrator who also has those could use a reset
 * to get in (docs/threat-model.md). Hence, in the same transaction:
 *
 * - every session of the member ends (a session waiting for its second step too), so the member
 *   notices at once on every device and an attacker's half-finished sign-in is gone;
 * - the member is emailed and every other owner of the team too (outbox, §13.3), the member's
 *   security log and the organization log record who did it;
 * - at most one reset per member per day and ten per team per hour (`twoStepResetsPerMember`,
 *   `twoStepResetsPerOrganization`), so it cannot be repeated to keep a member's second step off.
 *
 * Only owners and admins of teams, on ranks below theirs (owners also on other owners), and only
 * on a confirmed member who has two-step verification: a family has no such role.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { RequestMeta, ServerContext } from '../context.ts';
import { clearTwoStepFailures, deleteBackupCodes, remainingBackupCodes } from '../repositories/backup-codes.ts';
import { deleteChallengesOf } from '../repositories/challenges.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { deleteAllSecurityKeys } from '../repositories/security-keys.ts';
import { deleteOtherSessions } from '../repositories/sessions.ts';
import { deleteTotp } from '../repositories/totp-factors.ts';
import { findUserById } from '../repositories/users.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import type { Actor } from './organizations.ts';
import { invalid, lockOrganization } from './org-checks.ts';
import { authorize, forbidden, mayActOn } from './org-permissions.ts';
import { enforceRateLimits } from './rate-limits.ts';
import { twoStepMethods } from './two-step-proof.ts';

/**
 * @throws LatchkeyError `not_found`; `forbidden` (not an owner or admin of a team, or a rank they
 *   may not act on); `invalid_request` (themselves, or a member without two-step verification);
 *   `conflict` (not confirmed); `rate_limited`.
 */
export async function resetMemberTwoStep(
  ctx: ServerContext,
  actor: Actor,
  meta: RequestMeta,
  organizationId: string,
  userId: string,
): Promise<{ reset: true; sessionsEnded: number }> {
  const { organization, membership: mine } = await authorize(ctx.db, actor.userId, organizationId, 'member.reset-two-step');
  if (organization.kind !== 'team') throw forbidden('Only teams reset two-step verification.');
  if (userId === actor.userId) throw invalid('Change your own two-step verification in your settings.');
  const target = await memberships.findMembership(ctx.db, organizationId, userId);
  if (target === undefined) throw new LatchkeyError('not_found', 'No such member.');
  if (!mayActOn(mine.role, target.role)) throw forbidden(`Your role cannot reset the two-step verification of a ${target.role}.`);
  if (target.status !== 'confirmed') throw new LatchkeyError('conflict', 'Only a confirmed member’s two-step verification can be reset.');
  if ((await twoStepMethods(ctx, userId)).length === 0 && (await remainingBackupCodes(ctx.db, userId)) === 0)
    throw invalid('This member has no two-step verification to reset.');
  await enforceRateLimits(ctx, [
    ['twoStepResetsPerMember', userId],
    ['twoStepResetsPerOrganization', organizationId],
  ]);
  const now = ctx.clock();
  return transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    // Still a confirmed member of this team now that the organization is locked (a removal may have won).
    const still = await memberships.findMembership(tx, organizationId, userId);
    if (still === undefined) throw new LatchkeyError('not_found', 'No such member.');
    if (still.status !== 'confirmed' || !mayActOn(mine.role, still.role)) throw new LatchkeyError('conflict', 'This membership changed meanwhile.');
    await deleteTotp(tx, userId);
    const keys = await deleteAllSecurityKeys(tx, userId);
    await deleteBackupCodes(tx, userId);
    await clearTwoStepFailures(tx, userId);
    await deleteChallengesOf(tx, userId);
    const sessionsEnded = await deleteOtherSessions(tx, userId, null);
    await recordSecurityEvent(tx, {
      userId,
      type: 'two-factor.reset-by-organization',
      detail: { organization: organizationId, by: actor.userId, securityKeys: keys, sessionsEnded },
      ip: meta.ip,
      now,
    });
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: userId,
      type: 'member.two-step-reset',
      detail: { role: still.role, sessionsEnded },
      now,
    });
    const member = await findUserById(tx, userId);
    const by = await findUserById(tx, actor.userId);
    const byName = by?.name || by?.email || 'A team administrator';
    const occurrence = { at: now.toISOString(), ip: meta.ip };
    if (member !== undefined)
      await queueNotice(ctx, tx, member.email, { kind: 'two-step-reset', organizationName: organization.name, byName, sessionsEnded, ...occurrence });
    for (const owner of await memberships.listConfirmedWithRoles(tx, organizationId, ['owner'])) {
      if (owner.userId === userId) continue;
      await queueNotice(ctx, tx, owner.email, {
        kind: 'member-two-step-reset',
        organizationName: organization.name,
        byName,
        memberEmail: member?.email ?? userId,
        ...occurrence,
      });
    }
    return { reset: true as const, sessionsEnded };
  });
}
