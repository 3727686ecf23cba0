/**
 * Invitations by email. Only a hash of the emailed token is stored. Accepting, revoking and
 * re-sending are each one conditional statement on a pending invitation (not accepted, not
 * revoked, not expired), so an invitation is used at most once, also when two requests race,
 * and a revoked one can never be used.
 */
import type { Tx } from '../context.ts';
import type { OrganizationRole } from '../storage/organization-schema.ts';

export interface InvitationRow {
  id: string;
  organizationId: string;
  email: string;
  role: OrganizationRole;
  invitedBy: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  resentCount: number;
  lastSentAt: Date;
}

const columns = [
  'id',
  'organization_id as organizationId',
  'email',
  'role',
  'invited_by as invitedBy',
  'expires_at as expiresAt',
  'accepted_at as acceptedAt',
  'revoked_at as revokedAt',
  'resent_count as resentCount',
  'last_sent_at as lastSentAt',
] as const;

export async function insertInvitation(
  db: Tx,
  i: { id: string; organizationId: string; email: string; role: OrganizationRole; tokenHash: string; invitedBy: string; expiresAt: Date; now: Date },
): Promise<void> {
  await db
    .insertInto('invitations')
    .values({
      id: i.id,
      organization_id: i.organizationId,
      email: i.email,
      role: i.role,
      token_hash: i.tokenHash,
      invited_by: i.invitedBy,
      expires_at: i.expiresAt,
      last_sent_at: i.now,
      created_at: i.now,
    })
    .execute();
}

export async function findInvitationByTokenHash(db: Tx, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').select(columns).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findInvitation(db: Tx, organizationId: string, id: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').select(columns).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** A pending invitation of this organization for this email, if any. */
export async function findPendingInvitationForEmail(db: Tx, organizationId: string, email: string, now: Date): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations')
    .select(columns)
    .where('organization_id', '=', organizationId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function listInvitations(db: Tx, organizationId: string): Promise<InvitationRow[]> {
  return db.selectFrom('invitations').select(columns).where('organization_id', '=', organizationId).orderBy('created_at', 'desc').execute();
}

/** Uses the invitation with this token hash once; false when it is unknown, used, revoked or expired. */
export async function consumeInvitation(db: Tx, tokenHash: string, userId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ accepted_at: now, accepted_by: userId })
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeInvitation(db: Tx, organizationId: string, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Replaces the token (the old link stops working) and extends the expiry of a pending invitation. */
export async function reissueInvitation(db: Tx, r: { organizationId: string; id: string; tokenHash: string; expiresAt: Date; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set((eb) => ({ token_hash: r.tokenHash, expires_at: r.expiresAt, last_sent_at: r.now, resent_count: eb('resent_count', '+', 1) }))
    .where('organization_id', '=', r.organizationId)
    .where('id', '=', r.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
