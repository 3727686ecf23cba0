/**
 * Invitations by email (docs/protocol.md §22.3): an organizer or admin invites an address with a
 * role; the email carries a link and the same token as a code. The server keeps only the token's
 * hash. An invitation expires after 7 days, is used at most once (one conditional statement, also
 * under concurrent accepts), can be revoked, and re-sending issues a new token (the old link
 * stops working), rate-limited per invitation and per organization.
 *
 * Protects against: an inviter learning whether an address has an account (the answer and the
 * email are the same either way), a leaked database row being usable as an invitation (hash
 * only), and someone other than the invited address accepting (the accepting account's email
 * must be the invited one).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ServerContext } from '../context.ts';
import * as invitations from '../repositories/invitations.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { findUserById, normalizeEmail } from '../repositories/users.ts';
import { hashToken, newToken } from '../security/tokens.ts';
import type { OrganizationRole } from '../storage/organization-schema.ts';
import { sendCodeEmail } from './notifications.ts';
import { organizationNotices } from './organization-notices.ts';
import type { Actor } from './organizations.ts';
import { authorize, forbidden, mayActOn, requireRoleOfKind } from './org-permissions.ts';
import { enforceRateLimits } from './rate-limits.ts';

export const INVITATION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface InvitationSummary {
  readonly id: string;
  readonly email: string;
  readonly role: OrganizationRole;
  readonly status: 'pending' | 'accepted' | 'revoked' | 'expired';
  readonly expiresAt: string;
  readonly resentCount: number;
}

const statusOf = (row: invitations.InvitationRow, now: Date): InvitationSummary['status'] =>
  row.acceptedAt !== null ? 'accepted' : row.revokedAt !== null ? 'revoked' : row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';

const summary = (row: invitations.InvitationRow, now: Date): InvitationSummary => ({
  id: row.id,
  email: row.email,
  role: row.role,
  status: statusOf(row, now),
  expiresAt: row.expiresAt.toISOString(),
  resentCount: row.resentCount,
});

async function sendInvitation(ctx: ServerContext, organizationId: string, inviterId: string, email: string, token: string, expiresAt: Date): Promise<void> {
  const organization = await organizations.findOrganization(ctx.db, organizationId);
  const inviter = await findUserById(ctx.db, inviterId);
  if (organization === undefined || inviter === undefined) return;
  // It carries the invitation token: sent straight away, never stored (notifications.ts).
  sendCodeEmail(
    ctx,
    email,
    organizationNotices.invitation({
      organizationName: organization.name,
      kind: organization.kind,
      inviterName: inviter.name,
      token,
      expiresAt,
      publicUrl: ctx.config.publicUrl,
    }),
  );
}

/**
 * Invites `email` with `role`. The same answer whether or not the address has an account.
 * @throws LatchkeyError `not_found`, `forbidden` (see org-permissions.ts; also for a role above
 *   the inviter's); `invalid_request` for a malformed email or a role of the other kind;
 *   `already_exists` when the address has a pending invitation or is already a member;
 *   `rate_limited`.
 */
export async function createInvitation(
  ctx: ServerContext,
  actor: Actor,
  organizationId: string,
  input: { email: string; role: OrganizationRole },
): Promise<InvitationSummary> {
  const { organization, membership } = await authorize(ctx.db, actor.userId, organizationId, 'invitation.manage');
  requireRoleOfKind(organization.kind, input.role);
  if (!mayActOn(membership.role, input.role)) throw forbidden(`Your role cannot invite someone as ${input.role}.`);
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw new LatchkeyError('invalid_request', 'That is not an email address.');
  const now = ctx.clock();
  if (await invitations.findPendingInvitationForEmail(ctx.db, organizationId, email, now)) {
    throw new LatchkeyError('already_exists', 'This address already has a pending invitation; re-send it instead.');
  }
  if (await memberships.hasMemberWithEmail(ctx.db, organizationId, email)) throw new LatchkeyError('already_exists', 'This person is already a member.');
  await enforceRateLimits(ctx, [['invitationsPerOrganization', organizationId]], now);
  const token = newToken();
  const id = crypto.randomUUID();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
  await ctx.db.transaction().execute(async (tx) => {
    await invitations.insertInvitation(tx, {
      id,
      organizationId,
      email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: actor.userId,
      expiresAt,
      now,
    });
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      type: 'invitation.created',
      detail: { invitation: id, role: input.role },
      now,
    });
  });
  await sendInvitation(ctx, organizationId, actor.userId, email, token, expiresAt);
  return summary((await invitations.findInvitation(ctx.db, organizationId, id))!, now);
}

export async function listInvitations(ctx: ServerContext, actor: Actor, organizationId: string): Promise<InvitationSummary[]> {
  await authorize(ctx.db, actor.userId, organizationId, 'invitation.manage');
  const now = ctx.clock();
  return (await invitations.listInvitations(ctx.db, organizationId)).map((row) => summary(row, now));
}

const noSuchInvitation = () => new LatchkeyError('not_found', 'No such invitation.');

/** @throws LatchkeyError `not_found`; `conflict` when it was already accepted or revoked. */
export async function revokeInvitation(ctx: ServerContext, actor: Actor, organizationId: string, invitationId: string): Promise<void> {
  await authorize(ctx.db, actor.userId, organizationId, 'invitation.manage');
  const now = ctx.clock();
  const done = await ctx.db.transaction().execute(async (tx) => {
    if (!(await invitations.revokeInvitation(tx, organizationId, invitationId, now))) return false;
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      type: 'invitation.revoked',
      detail: { invitation: invitationId },
      now,
    });
    return true;
  });
  if (!done) {
    if ((await invitations.findInvitation(ctx.db, organizationId, invitationId)) === undefined) throw noSuchInvitation();
    throw new LatchkeyError('conflict', 'This invitation was already accepted or revoked.');
  }
}

/**
 * Sends the invitation again with a new token and a new 7-day expiry; the old link stops working.
 * @throws LatchkeyError `not_found`; `conflict` (accepted or revoked); `rate_limited`.
 */
export async function resendInvitation(ctx: ServerContext, actor: Actor, organizationId: string, invitationId: string): Promise<InvitationSummary> {
  await authorize(ctx.db, actor.userId, organizationId, 'invitation.manage');
  const now = ctx.clock();
  const row = await invitations.findInvitation(ctx.db, organizationId, invitationId);
  if (row === undefined) throw noSuchInvitation();
  if (row.acceptedAt !== null || row.revokedAt !== null) throw new LatchkeyError('conflict', 'This invitation was already accepted or revoked.');
  await enforceRateLimits(
    ctx,
    [
      ['invitationResendsPerInvitation', invitationId],
      ['invitationsPerOrganization', organizationId],
    ],
    now,
  );
  const token = newToken();
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
  const done = await ctx.db.transaction().execute(async (tx) => {
    if (!(await invitations.reissueInvitation(tx, { organizationId, id: invitationId, tokenHash: hashToken(token), expiresAt, now }))) return false;
    await organizations.recordOrganizationEvent(tx, {
      organizationId,
      actorUserId: actor.userId,
      type: 'invitation.resent',
      detail: { invitation: invitationId },
      now,
    });
    return true;
  });
  if (!done) throw new LatchkeyError('conflict', 'This invitation was already accepted or revoked.');
  await sendInvitation(ctx, organizationId, actor.userId, row.email, token, expiresAt);
  return summary((await invitations.findInvitation(ctx.db, organizationId, invitationId))!, now);
}

/**
 * The pending invitation behind a token, checked for the signed-in invitee: what their client
 * needs to sign its acceptance (the organization and its keyset's public half).
 * @throws LatchkeyError `invalid_code` (unknown token), `code_used`, `code_expired` (expired or
 *   revoked), `forbidden` (the invitation is for another email address).
 */
export async function pendingInvitationFor(ctx: ServerContext, actor: Actor, token: string): Promise<invitations.InvitationRow> {
  const row = await invitations.findInvitationByTokenHash(ctx.db, hashToken(token));
  if (row === undefined) throw new LatchkeyError('invalid_code', 'This invitation code is not valid.');
  if (row.acceptedAt !== null) throw new LatchkeyError('code_used', 'This invitation was already used.');
  if (row.revokedAt !== null) throw new LatchkeyError('code_expired', 'This invitation was withdrawn. Ask for a new one.');
  if (row.expiresAt.getTime() <= ctx.clock().getTime()) throw new LatchkeyError('code_expired', 'This invitation has expired. Ask for a new one.');
  const user = await findUserById(ctx.db, actor.userId);
  if (user === undefined || normalizeEmail(user.email) !== row.email)
    throw forbidden('This invitation is for another email address. Sign in with the invited address.');
  return row;
}

/** What the invitee's client is shown before accepting. @throws as `pendingInvitationFor`. */
export async function describeInvitation(ctx: ServerContext, actor: Actor, token: string) {
  const row = await pendingInvitationFor(ctx, actor, token);
  const organization = (await organizations.findOrganization(ctx.db, row.organizationId))!;
  const keyset = (await organizations.findCurrentOrganizationKeyset(ctx.db, row.organizationId))!;
  const inviter = await findUserById(ctx.db, row.invitedBy);
  const already = await memberships.findMembership(ctx.db, row.organizationId, actor.userId);
  return {
    organizationId: organization.id,
    name: organization.name,
    kind: organization.kind,
    role: row.role,
    invitedBy: inviter?.name ?? '',
    expiresAt: row.expiresAt.toISOString(),
    alreadyMember: already !== undefined,
    organizationKeyset: {
      id: keyset.keyset.id,
      keyVersion: keyset.keyVersion,
      signingPublicKey: keyset.keyset.signingPublicKey,
      publicKey: keyset.keyset.publicKey,
    },
  };
}
