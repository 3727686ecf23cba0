/**
 * Memberships of organizations. State changes are single conditional statements (confirm only
 * an `accepted` membership, delete by id), so two organizers acting on one member at once get
 * exactly one outcome.
 */
import type { MemberCertificate } from '@latchkey/core/keyset-certificate';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import type { Tx } from '../context.ts';
import type { MembershipStatus, OrganizationRole } from '../storage/organization-schema.ts';

export interface MembershipRow {
  id: string;
  organizationId: string;
  userId: string;
  role: OrganizationRole;
  status: MembershipStatus;
  acceptance: MemberAcceptance;
  certificate: MemberCertificate | null;
}

const columns = ['id', 'organization_id as organizationId', 'user_id as userId', 'role', 'status', 'acceptance', 'certificate'] as const;

export async function insertMembership(
  db: Tx,
  m: {
    id: string;
    organizationId: string;
    userId: string;
    role: OrganizationRole;
    status: MembershipStatus;
    acceptance: MemberAcceptance;
    certificate?: MemberCertificate;
    invitationId: string | null;
    confirmedBy?: string;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('memberships')
    .values({
      id: m.id,
      organization_id: m.organizationId,
      user_id: m.userId,
      role: m.role,
      status: m.status,
      acceptance: JSON.stringify(m.acceptance),
      certificate: m.certificate === undefined ? null : JSON.stringify(m.certificate),
      invitation_id: m.invitationId,
      confirmed_by: m.confirmedBy ?? null,
      confirmed_at: m.certificate === undefined ? null : m.now,
      created_at: m.now,
      updated_at: m.now,
    })
    .execute();
}

export async function findMembership(db: Tx, organizationId: string, userId: string): Promise<MembershipRow | undefined> {
  return db.selectFrom('memberships').select(columns).where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
}

export async function listMemberships(db: Tx, organizationId: string): Promise<(MembershipRow & { email: string; name: string })[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'memberships.id',
      'memberships.organization_id as organizationId',
      'memberships.user_id as userId',
      'memberships.role',
      'memberships.status',
      'memberships.acceptance',
      'memberships.certificate',
      'users.email',
      'users.name',
    ])
    .where('memberships.organization_id', '=', organizationId)
    .orderBy('memberships.created_at', 'asc')
    .execute();
}

/** Whether the account with this (normalized) email has a membership of the organization, in any status. */
export async function hasMemberWithEmail(db: Tx, organizationId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.id')
    .where('memberships.organization_id', '=', organizationId)
    .where('users.email', '=', email)
    .executeTakeFirst();
  return row !== undefined;
}

/** The organizations a user belongs to (any status), with their role. */
export async function listMembershipsOfUser(db: Tx, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['organizations.id', 'organizations.kind', 'organizations.name', 'memberships.role', 'memberships.status'])
    .where('memberships.user_id', '=', userId)
    .orderBy('organizations.created_at', 'asc')
    .execute();
}

/** `accepted` → `confirmed` with the certificate; false when the membership is not (or no longer) `accepted`. */
export async function confirmMembership(
  db: Tx,
  c: { organizationId: string; userId: string; certificate: MemberCertificate; confirmedBy: string; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ status: 'confirmed', certificate: JSON.stringify(c.certificate), confirmed_by: c.confirmedBy, confirmed_at: c.now, updated_at: c.now })
    .where('organization_id', '=', c.organizationId)
    .where('user_id', '=', c.userId)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a membership from one status to another (dropping the certificate on suspension); false when it was not in `from`. */
export async function changeMembershipStatus(
  db: Tx,
  c: { organizationId: string; userId: string; from: MembershipStatus; to: MembershipStatus; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ status: c.to, updated_at: c.now, ...(c.to === 'confirmed' ? {} : { certificate: null, confirmed_by: null, confirmed_at: null }) })
    .where('organization_id', '=', c.organizationId)
    .where('user_id', '=', c.userId)
    .where('status', '=', c.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteMembership(db: Tx, organizationId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('memberships').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** How many confirmed members hold one of `roles` (to keep at least one organizer or owner). */
export async function countConfirmedWithRoles(db: Tx, organizationId: string, roles: readonly OrganizationRole[]): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'confirmed')
    .where('role', 'in', roles)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Compare-and-set of a confirmed member's role: false when the membership is no longer confirmed with role `from`. */
export async function changeMembershipRole(
  db: Tx,
  c: { organizationId: string; userId: string; from: OrganizationRole; to: OrganizationRole; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ role: c.to, updated_at: c.now })
    .where('organization_id', '=', c.organizationId)
    .where('user_id', '=', c.userId)
    .where('status', '=', 'confirmed')
    .where('role', '=', c.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The confirmed members holding one of `roles`, with their email (to notify every owner). */
export async function listConfirmedWithRoles(db: Tx, organizationId: string, roles: readonly OrganizationRole[]): Promise<{ userId: string; email: string }[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id as userId', 'users.email'])
    .where('memberships.organization_id', '=', organizationId)
    .where('memberships.status', '=', 'confirmed')
    .where('memberships.role', 'in', roles)
    .execute();
}

/** Replaces a confirmed membership's acceptance and certificate (an organizer recovery's new keyset). */
export async function replaceMemberKeyset(
  db: Tx,
  m: { organizationId: string; userId: string; acceptance: MemberAcceptance; certificate: MemberCertificate; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ acceptance: JSON.stringify(m.acceptance), certificate: JSON.stringify(m.certificate), updated_at: m.now })
    .where('organization_id', '=', m.organizationId)
    .where('user_id', '=', m.userId)
    .where('status', '=', 'confirmed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
