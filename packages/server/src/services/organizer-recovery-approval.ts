/**
 * Approving and completing an organizer recovery (docs/protocol.md §22.8 steps 4 and 5).
 *
 * - **Approve**: a Recovery Group member other than the member, after `waiting_until`. The
 *   approver's client compared the verification code (the member fingerprint of the new
 *   acceptance) first; the server cannot do that for them. The approval that reaches the
 *   recovery's `approvals_required` releases the member's escrows with the keyring layer removed,
 *   in its own transaction and to that approver only (`released_to`, one conditional update: two
 *   approvers at once, one gets them and the other `conflict`). Nothing is released before: not
 *   before the member's step, not during the waiting period, never for a cancelled recovery.
 * - **Complete**: only the approver the escrows were released to, with each released vault key
 *   re-wrapped to the member's new keyset (signed by the approver's keyset) and the new keyset
 *   certified by the organization key. In one transaction: `waiting` → `completed` (conditional:
 *   a cancellation that won means nothing changes), the pending credentials and keyset swapped
 *   in, the wraps installed, the member's own vaults without an escrow deleted (no one can open
 *   them), every escrow of the member's vaults deleted (their old keyset signed them; the
 *   member's client escrows again), the recovery code deleted, every session, device and trusted
 *   device ended; two-step verification is kept; the logs record it and everyone is told.
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { VaultId } from '@latchkey/core/ids';
import { verifyKeyWrap, type KeyWrap } from '@latchkey/core/key-wrap';
import type { MemberCertificate } from '@latchkey/core/keyset-certificate';
import { vaultKeyContext } from '@latchkey/core/vault-key';
import type { CompleteOrganizerRecoveryRequest, OrganizerRecoveryApproval } from '@latchkey/core/wire/organizer-recovery';
import type { RequestMeta, ServerContext, Tx } from '../context.ts';
import * as groups from '../repositories/groups.ts';
import { deleteLoginAttemptsForUser } from '../repositories/login-attempts.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import * as recoveries from '../repositories/organizer-recoveries.ts';
import { deleteRecoveryCodes } from '../repositories/recovery-codes.ts';
import * as escrows from '../repositories/recovery-escrow.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { deleteDevices, deleteOtherSessions } from '../repositories/sessions.ts';
import { deleteAllTrustedDevices } from '../repositories/trusted-devices.ts';
import { findUserById, installRecoveredCredentials } from '../repositories/users.ts';
import { deleteVaultAndContents, listOwnedVaultIds, replaceOwnerWrap } from '../repositories/vaults.ts';
import { pausePoint } from '../testing/pause-points.ts';
import { transactionWithNotices } from './notice-outbox.ts';
import type { Actor } from './organizations.ts';
import { displayName, findInOrganization, organizerView, requireRecoveryRole, tellEveryone } from './organizer-recovery.ts';
import { invalid, lockOrganization, requireCertificateOfAcceptance, requireWrap, userPublicKeyset } from './org-checks.ts';
import { forbidden } from './org-permissions.ts';

const alreadyEnded = () => new LatchkeyError('conflict', 'This organizer recovery has already ended (completed or cancelled).');

/** The caller as an approver: a Recovery Group role holder who is in the Recovery Group and is not the member. */
async function requireApprover(ctx: ServerContext, actor: Actor, organizationId: string, recoveryId: string) {
  await requireRecoveryRole(ctx, actor, organizationId);
  const row = await findInOrganization(ctx, organizationId, recoveryId);
  if (row.memberUserId === actor.userId) throw forbidden('Another organizer approves your own recovery.');
  const group = await groups.findRecoveryGroup(ctx.db, organizationId);
  if (group === undefined || !(await groups.listGroupMemberIds(ctx.db, group.id)).includes(actor.userId))
    throw forbidden('You are not in the Recovery Group (yet).');
  return row;
}

/** The member's escrows to the organization with the keyring layer removed, and their own vaults that have none. */
async function releaseOf(ctx: ServerContext, db: Tx, organizationId: string, memberUserId: string) {
  const sealed = await escrows.listSealedEscrowsOfOwner(db, organizationId, memberUserId);
  const released = [];
  for (const e of sealed) {
    const wrap = JSON.parse(
      new TextDecoder().decode(await ctx.keyring.open(e.sealedWrap, 'recovery-escrow', { vault: e.vaultId, organization: organizationId })),
    ) as KeyWrap;
    released.push({ vaultId: e.vaultId as VaultId, keyVersion: e.keyVersion, wrap });
  }
  const escrowed = new Set(sealed.map((e) => e.vaultId));
  const unrecoverableVaultIds = (await listOwnedVaultIds(db, memberUserId)).filter((id) => !escrowed.has(id)) as VaultId[];
  const membership = await memberships.findMembership(db, organizationId, memberUserId);
  if (membership?.status !== 'confirmed' || membership.certificate === null) throw new LatchkeyError('conflict', 'The member is no longer a confirmed member.');
  return { escrows: released, memberCertificate: membership.certificate as MemberCertificate, unrecoverableVaultIds };
}

/**
 * Records the caller's approval; the one that reaches the policy's count gets the release.
 * @throws LatchkeyError `not_found`, `forbidden` (no Recovery Group role, not in the group, the
 *   member themselves), `conflict` (not waiting: the member's step is not done, the waiting
 *   period has not ended (`details.waitingUntil`), already approved by the caller, released to
 *   another approver, or ended).
 */
export async function approveOrganizerRecovery(
  ctx: ServerContext,
  actor: Actor,
  meta: RequestMeta,
  organizationId: string,
  recoveryId: string,
): Promise<OrganizerRecoveryApproval> {
  const row = await requireApprover(ctx, actor, organizationId, recoveryId);
  const now = ctx.clock();
  if (row.status === 'awaiting_member') throw new LatchkeyError('conflict', 'The member has not set up new credentials yet.');
  if (row.status !== 'waiting') throw alreadyEnded();
  if (row.waitingUntil === null || row.waitingUntil > now)
    throw new LatchkeyError('conflict', 'The waiting period has not ended yet.', { details: { waitingUntil: row.waitingUntil?.toISOString() ?? null } });
  if (row.releasedTo === actor.userId) {
    // The releasing approver asking again (e.g. after a lost answer): the same release, to them only.
    const release = await releaseOf(ctx, ctx.db, organizationId, row.memberUserId);
    return { recovery: await organizerView(ctx, row), release };
  }
  if (row.releasedTo !== null) throw new LatchkeyError('conflict', 'Another approver completes this recovery.');
  const approver = await findUserById(ctx.db, actor.userId);
  const release = await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    const current = await recoveries.findOrganizerRecovery(tx, recoveryId);
    if (current?.status !== 'waiting') throw alreadyEnded();
    if (current.releasedTo !== null) throw new LatchkeyError('conflict', 'Another approver completes this recovery.');
    if (!(await recoveries.insertApproval(tx, recoveryId, actor.userId, now)))
      throw new LatchkeyError('conflict', 'You approved this recovery already; it needs another approver.');
    const approvals = await recoveries.listApprovers(tx, recoveryId);
    let released: Awaited<ReturnType<typeof releaseOf>> | null = null;
    if (approvals.length >= current.approvalsRequired) {
      if (!(await recoveries.markReleased(tx, recoveryId, actor.userId, now))) throw new LatchkeyError('conflict', 'Another approver completes this recovery.');
      released = await releaseOf(ctx, tx, organizationId, current.memberUserId);
    }
    const detail = { organization: organizationId, recovery: recoveryId, by: actor.userId, approvals: approvals.length, released: released !== null };
    await recordSecurityEvent(tx, { userId: current.memberUserId, type: 'organizer-recovery.approved', detail, ip: meta.ip, now });
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: current.memberUserId,
      type: 'organizer-recovery.approved',
      detail: { recovery: recoveryId, approvals: approvals.length, released: released !== null },
      now,
    });
    await tellEveryone(ctx, tx, current, { event: 'approved', byName: displayName(approver, 'An organizer'), at: now, ip: meta.ip });
    return released;
  });
  return { recovery: await organizerView(ctx, (await recoveries.findOrganizerRecovery(ctx.db, recoveryId))!), release };
}

/**
 * Completes the recovery with the approver's re-wrapped vault keys and the new certificate.
 * @throws LatchkeyError `not_found`, `forbidden` (not the approver the escrows were released
 *   to), `conflict` (ended meanwhile, or the member's escrows changed since the release),
 *   `invalid_request` (a wrap missing, extra, of another recipient or signer, or not verifying;
 *   a certificate not of the new acceptance under the current organization key).
 */
export async function completeOrganizerRecovery(
  ctx: ServerContext,
  actor: Actor,
  meta: RequestMeta,
  organizationId: string,
  recoveryId: string,
  body: CompleteOrganizerRecoveryRequest,
) {
  const row = await requireApprover(ctx, actor, organizationId, recoveryId);
  if (row.status !== 'waiting') throw alreadyEnded();
  if (row.releasedTo !== actor.userId) throw forbidden('Only the approver who received the escrows completes the recovery.');
  const pending = await recoveries.findPendingCredentials(ctx.db, recoveryId);
  const member = await findUserById(ctx.db, row.memberUserId);
  const approverKeyset = await userPublicKeyset(ctx.db, actor.userId);
  if (pending === undefined || member === undefined || approverKeyset === undefined) throw alreadyEnded();
  const newRecipient = { keysetId: pending.keyset.id, publicKey: fromBase64Url(pending.keyset.publicKey) };
  const approverSigner = { keysetId: approverKeyset.id, signingPublicKey: fromBase64Url(approverKeyset.signingPublicKey) };
  const given = new Map<string, KeyWrap>();
  for (const w of body.wraps) {
    if (given.has(w.vaultId)) throw invalid('One wrap per vault.');
    requireWrap(w.wrap, { version: 1, recipientKeysetId: pending.keyset.id, signerKeysetId: approverKeyset.id }, 'vault key wrap');
    try {
      verifyKeyWrap(w.wrap, vaultKeyContext(w.vaultId, newRecipient), approverSigner);
    } catch {
      throw invalid(`The wrap of vault ${w.vaultId} must be a vault-key wrap to the member's new keyset, signed by your keyset.`);
    }
    given.set(w.vaultId, w.wrap);
  }
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId))!;
  requireCertificateOfAcceptance(body.certificate, pending.acceptance, organizationId, orgKeyset);
  const now = ctx.clock();
  const approver = await findUserById(ctx.db, actor.userId);
  const done = await transactionWithNotices(ctx, async (tx) => {
    await lockOrganization(tx, organizationId, now);
    const escrowed = (await escrows.listSealedEscrowsOfOwner(tx, organizationId, row.memberUserId)).map((e) => e.vaultId);
    if (escrowed.length !== given.size || escrowed.some((id) => !given.has(id)))
      throw invalid('Send exactly one wrap for each released escrow (approve again to read them).');
    const deletedVaultIds = (await listOwnedVaultIds(tx, row.memberUserId)).filter((id) => !given.has(id)) as VaultId[];
    if (!(await recoveries.markCompleted(tx, recoveryId, actor.userId, now))) throw alreadyEnded();
    await installRecoveredCredentials(
      tx,
      row.memberUserId,
      { accountId: member.accountId, opaqueRecord: pending.opaqueRecord, secretKeyVerifier: pending.secretKeyVerifier, keyset: pending.keyset },
      now,
    );
    await pausePoint('organizer-recovery:credentials-swapped');
    await escrows.deleteAllEscrowsOfOwner(tx, row.memberUserId);
    for (const [vaultId, wrap] of given) await replaceOwnerWrap(tx, vaultId, row.memberUserId, wrap);
    for (const vaultId of deletedVaultIds) await deleteVaultAndContents(tx, vaultId);
    if (
      !(await memberships.replaceMemberKeyset(tx, {
        organizationId,
        userId: row.memberUserId,
        acceptance: pending.acceptance,
        certificate: body.certificate,
        now,
      }))
    )
      throw new LatchkeyError('conflict', 'The member is no longer a confirmed member.');
    await deleteRecoveryCodes(tx, row.memberUserId);
    const signedOut = await deleteOtherSessions(tx, row.memberUserId, null);
    await deleteLoginAttemptsForUser(tx, row.memberUserId);
    await deleteDevices(tx, row.memberUserId);
    await deleteAllTrustedDevices(tx, row.memberUserId);
    await recordSecurityEvent(tx, {
      userId: row.memberUserId,
      type: 'account.recovered',
      detail: { method: 'organizer', organization: organizationId, by: actor.userId, signedOutSessions: signedOut, vaults: given.size },
      ip: meta.ip,
      now,
    });
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      subjectUserId: row.memberUserId,
      type: 'organizer-recovery.completed',
      detail: { recovery: recoveryId, vaults: given.size, deletedVaults: deletedVaultIds.length },
      now,
    });
    await tellEveryone(ctx, tx, row, { event: 'completed', byName: displayName(approver, 'An organizer'), at: now, ip: meta.ip });
    await pausePoint('organizer-recovery:before-commit');
    return { signedOutSessions: signedOut, deletedVaultIds };
  });
  return { recovery: await organizerView(ctx, (await recoveries.findOrganizerRecovery(ctx.db, recoveryId))!), ...done };
}
