/**
 * The member's step of an organizer recovery (docs/protocol.md §22.8 step 2), signed out, with
 * the emailed link's token: describe what the link is for, prove the mailbox with an emailed
 * code (the same code and ticket machinery as sign-up and recovery, purpose
 * `organizer-recovery`), register a new OPAQUE record (new password and Secret Key), and store
 * it with a new keyset and the acceptance that keyset signs as **pending** credentials. The old
 * credentials keep working; the waiting period starts. The token then no longer sets up
 * credentials (it still cancels).
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import { verifyMemberAcceptance } from '@latchkey/core/member-acceptance';
import { opaqueServer } from '@latchkey/core/opaque';
import type { DescribedOrganizerRecovery, MemberRecoveryView, OrganizerRecoveryCredentialsRequest } from '@latchkey/core/wire/organizer-recovery';
import type { UserId } from '@latchkey/core/ids';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as organizations from '../repositories/organizations.ts';
import * as recoveries from '../repositories/organizer-recoveries.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { findUserById, normalizeEmail } from '../repositories/users.ts';
import { hashToken } from '../security/tokens.ts';
import { checkEmailCode, consumeTicket, emailOfTicket, startEmailVerification } from './email-verification.ts';
import { transactionWithNotices } from './notice-outbox.ts';
import { memberView, tellEveryone } from './organizer-recovery.ts';
import { organizerRecoveryNotices } from './organizer-recovery-notices.ts';
import { invalid, requireAcceptanceOfKeyset } from './org-checks.ts';
import { enforceRateLimits, sourceKey } from './rate-limits.ts';
import { requireUsableRegistrationRecord } from './registration-record.ts';

/**
 * The recovery the token opens, still awaiting the member, with the member's account.
 * @throws LatchkeyError `not_found` (no open recovery has this token), `conflict` (the member's
 *   step is done: the token only cancels now), `rate_limited`.
 */
async function openedByToken(ctx: ServerContext, meta: RequestMeta, token: string) {
  await enforceRateLimits(ctx, [['organizerRecoveryLinkPerSource', sourceKey(meta)]]);
  const row = await recoveries.findOpenRecoveryByTokenHash(ctx.db, hashToken(token));
  if (row === undefined) throw new LatchkeyError('not_found', 'This recovery link is not valid (any more).');
  if (row.status !== 'awaiting_member')
    throw new LatchkeyError('conflict', 'The new credentials of this recovery are set up already; the link now only cancels it.');
  const member = await findUserById(ctx.db, row.memberUserId);
  if (member === undefined) throw new LatchkeyError('not_found', 'This recovery link is not valid (any more).');
  return { row, member };
}

export async function describeOrganizerRecovery(ctx: ServerContext, meta: RequestMeta, token: string): Promise<DescribedOrganizerRecovery> {
  const { row, member } = await openedByToken(ctx, meta, token);
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, row.organizationId))!;
  return {
    recovery: await memberView(ctx, row),
    email: member.email,
    userId: member.id as UserId,
    accountId: member.accountId,
    organizationKeyset: { id: keyset.keyset.id, publicKey: keyset.keyset.publicKey, signingPublicKey: keyset.keyset.signingPublicKey },
  };
}

/** Emails the member a code (to the account's address only: the link is no proof of the mailbox by itself, it may have been forwarded). */
export async function sendOrganizerRecoveryCode(
  ctx: ServerContext,
  meta: RequestMeta,
  token: string,
): Promise<{ status: 'verification_sent'; verificationId: string }> {
  const { row, member } = await openedByToken(ctx, meta, token);
  const organization = await organizations.findOrganization(ctx.db, row.organizationId);
  const { verificationId } = await startEmailVerification(ctx, {
    purpose: 'organizer-recovery',
    email: member.email,
    notice: (code) => organizerRecoveryNotices.code({ code, organizationName: organization?.name ?? '' }),
  });
  return { status: 'verification_sent', verificationId };
}

export async function verifyOrganizerRecoveryCode(
  ctx: ServerContext,
  meta: RequestMeta,
  body: { token: string; verificationId: string; code: string },
): Promise<{ ticket: string }> {
  await openedByToken(ctx, meta, body.token);
  return checkEmailCode(ctx, 'organizer-recovery', body.verificationId, body.code);
}

const wrongTicket = () => new LatchkeyError('code_expired', 'This email verification is not for this recovery, has expired or was used. Ask for a new code.');

export async function createOrganizerRecoveryRegistration(
  ctx: ServerContext,
  meta: RequestMeta,
  body: { token: string; ticket: string; registrationRequest: string },
): Promise<{ registrationResponse: string }> {
  const { member } = await openedByToken(ctx, meta, body.token);
  if ((await emailOfTicket(ctx, 'organizer-recovery', body.ticket)) !== normalizeEmail(member.email)) throw wrongTicket();
  try {
    return {
      registrationResponse: opaqueServer.createRegistrationResponse({
        serverSetup: ctx.opaqueServerSetup,
        userIdentifier: member.id,
        registrationRequest: body.registrationRequest,
      }),
    };
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The registration request is malformed.', { cause });
  }
}

/**
 * Stores the pending credentials and starts the waiting period; the member and every organizer
 * are told. The acceptance must be signed by the new keyset, for this member and the
 * organization's current key.
 * @throws LatchkeyError `not_found`, `conflict` (done already, or cancelled meanwhile),
 *   `code_expired` (ticket), `invalid_request`, `invalid_registration_record`.
 */
export async function setUpOrganizerRecoveryCredentials(
  ctx: ServerContext,
  meta: RequestMeta,
  body: OrganizerRecoveryCredentialsRequest,
): Promise<MemberRecoveryView> {
  const { row, member } = await openedByToken(ctx, meta, body.token);
  if (body.accountId !== member.accountId) throw invalid('A new Secret Key must keep the account id of the old one.');
  requireUsableRegistrationRecord(ctx, member.id, body.registrationRecord);
  if (body.keyset.id === member.keysetId) throw invalid('The recovery sets up a new keyset.');
  requireAcceptanceOfKeyset(body.acceptance, member.id, body.keyset);
  const orgKeyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, row.organizationId))!;
  try {
    verifyMemberAcceptance(body.acceptance, {
      organizationId: row.organizationId,
      keyset: { id: orgKeyset.keyset.id, signingPublicKey: fromBase64Url(orgKeyset.keyset.signingPublicKey) },
    });
  } catch {
    throw invalid('The acceptance must be signed by the new keyset for this organization and its current key.');
  }
  const now = ctx.clock();
  const waitingUntil = new Date(now.getTime() + row.waitingPeriodSeconds * 1000);
  await transactionWithNotices(ctx, async (tx) => {
    if ((await consumeTicket(ctx, tx, 'organizer-recovery', body.ticket)) !== normalizeEmail(member.email)) throw wrongTicket();
    const stored = await recoveries.storePendingCredentials(tx, {
      id: row.id,
      opaqueRecord: body.registrationRecord,
      secretKeyVerifier: body.secretKeyVerifier,
      keyset: body.keyset,
      acceptance: body.acceptance,
      waitingUntil,
      now,
    });
    if (!stored) throw new LatchkeyError('conflict', 'This recovery no longer awaits new credentials (cancelled, or set up already).');
    await recordSecurityEvent(tx, {
      userId: member.id,
      type: 'organizer-recovery.member-step-done',
      detail: { organization: row.organizationId, recovery: row.id, waitingUntil: waitingUntil.toISOString() },
      ip: meta.ip,
      now,
    });
    await organizations.recordOrganizationEvent(tx, {
      organizationId: row.organizationId,
      actorUserId: member.id,
      subjectUserId: member.id,
      type: 'organizer-recovery.member-step-done',
      detail: { recovery: row.id, waitingUntil: waitingUntil.toISOString() },
      now,
    });
    await tellEveryone(ctx, tx, row, { event: 'member-step-done', byName: 'the member', waitingUntil: waitingUntil.toISOString(), at: now, ip: meta.ip });
  });
  return memberView(ctx, (await recoveries.findOrganizerRecovery(ctx.db, row.id))!);
}
