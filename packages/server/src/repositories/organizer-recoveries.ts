/**
 * Organizer recoveries and their approvals (migration 0018, docs/protocol.md §22.8), and the
 * organization's recovery policy. Every change of status is one conditional update on the
 * status it expects, so two requests racing (two cancels, a cancel and an approval) cannot both
 * win: the loser's update matches no row.
 */
import type { EncryptedKeyset } from '@latchkey/core/wire/common';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import type { Tx } from '../context.ts';
import type { OrganizerRecoveryStatus } from '../storage/organization-schema.ts';

export interface OrganizerRecoveryRow {
  id: string;
  organizationId: string;
  memberUserId: string;
  startedBy: string;
  status: OrganizerRecoveryStatus;
  approvalsRequired: number;
  waitingPeriodSeconds: number;
  waitingUntil: Date | null;
  memberStepDone: boolean;
  /** The acceptance signed by the member's new keyset (after the member's step, until the recovery ends). */
  newAcceptance: MemberAcceptance | null;
  releasedTo: string | null;
  endReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const OPEN_STATUSES: readonly OrganizerRecoveryStatus[] = ['awaiting_member', 'waiting'];

const columns = [
  'id',
  'organization_id as organizationId',
  'member_user_id as memberUserId',
  'started_by as startedBy',
  'status',
  'approvals_required as approvalsRequired',
  'waiting_period_seconds as waitingPeriodSeconds',
  'waiting_until as waitingUntil',
  'pending_acceptance as newAcceptance',
  'released_to as releasedTo',
  'end_reason as endReason',
  'created_at as createdAt',
  'updated_at as updatedAt',
] as const;

type Selected = Omit<OrganizerRecoveryRow, 'memberStepDone'>;
/** The member's step is what sets `waiting_until`. */
const toRow = (r: Selected): OrganizerRecoveryRow => ({ ...r, memberStepDone: r.waitingUntil !== null });

export async function insertOrganizerRecovery(
  db: Tx,
  r: {
    id: string;
    organizationId: string;
    memberUserId: string;
    startedBy: string;
    tokenHash: string;
    approvalsRequired: number;
    waitingPeriodSeconds: number;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('organizer_recoveries')
    .values({
      id: r.id,
      organization_id: r.organizationId,
      member_user_id: r.memberUserId,
      started_by: r.startedBy,
      status: 'awaiting_member',
      token_hash: r.tokenHash,
      approvals_required: r.approvalsRequired,
      waiting_period_seconds: r.waitingPeriodSeconds,
      created_at: r.now,
      updated_at: r.now,
    })
    .execute();
}

export async function findOrganizerRecovery(db: Tx, id: string): Promise<OrganizerRecoveryRow | undefined> {
  const row = await db.selectFrom('organizer_recoveries').select(columns).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRow(row);
}

/** The open recovery whose link token hashes to `tokenHash`. */
export async function findOpenRecoveryByTokenHash(db: Tx, tokenHash: string): Promise<OrganizerRecoveryRow | undefined> {
  const row = await db
    .selectFrom('organizer_recoveries')
    .select(columns)
    .where('token_hash', '=', tokenHash)
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirst();
  return row === undefined ? undefined : toRow(row);
}

export async function listOrganizerRecoveries(db: Tx, organizationId: string): Promise<OrganizerRecoveryRow[]> {
  const rows = await db
    .selectFrom('organizer_recoveries')
    .select(columns)
    .where('organization_id', '=', organizationId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toRow);
}

/** The member's open recoveries (at most one: a unique index). */
export async function listOpenRecoveriesOfMember(db: Tx, memberUserId: string): Promise<OrganizerRecoveryRow[]> {
  const rows = await db
    .selectFrom('organizer_recoveries')
    .select(columns)
    .where('member_user_id', '=', memberUserId)
    .where('status', 'in', OPEN_STATUSES)
    .execute();
  return rows.map(toRow);
}

/**
 * Ends an open recovery (`cancelled`, or `completed` from `waiting`) if it is still in one of
 * `from`, deleting the pending credentials. Returns false when another request got there first.
 */
export async function endOrganizerRecovery(
  db: Tx,
  e: { id: string; from: readonly OrganizerRecoveryStatus[]; to: 'cancelled' | 'completed'; endReason: string; endedBy: string | null; now: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('organizer_recoveries')
    .set({
      status: e.to,
      end_reason: e.endReason,
      ended_by: e.endedBy,
      ended_at: e.now,
      updated_at: e.now,
      pending_opaque_record: null,
      pending_secret_key_verifier: null,
      pending_encrypted_symmetric_key: null,
      pending_keyset: null,
      pending_acceptance: null,
    })
    .where('id', '=', e.id)
    .where('status', 'in', e.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listApprovers(db: Tx, recoveryId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organizer_recovery_approvals')
    .select('approver_user_id')
    .where('recovery_id', '=', recoveryId)
    .orderBy('approved_at')
    .orderBy('approver_user_id')
    .execute();
  return rows.map((r) => r.approver_user_id);
}

export interface RecoveryPolicyRow {
  waitingPeriodSeconds: number;
  approvalsRequired: number;
}

export async function findRecoveryPolicy(db: Tx, organizationId: string): Promise<RecoveryPolicyRow | undefined> {
  const row = await db
    .selectFrom('organizations')
    .select(['recovery_waiting_seconds', 'recovery_approvals_required'])
    .where('id', '=', organizationId)
    .executeTakeFirst();
  return row === undefined ? undefined : { waitingPeriodSeconds: row.recovery_waiting_seconds, approvalsRequired: row.recovery_approvals_required };
}

export async function setRecoveryPolicy(db: Tx, organizationId: string, policy: RecoveryPolicyRow, now: Date): Promise<void> {
  await db
    .updateTable('organizations')
    .set({ recovery_waiting_seconds: policy.waitingPeriodSeconds, recovery_approvals_required: policy.approvalsRequired, updated_at: now })
    .where('id', '=', organizationId)
    .execute();
}

/**
 * The member's step: stores the pending credentials and starts the waiting period, once, while
 * the recovery awaits the member and the link's token was not used for this yet.
 * @returns false when it no longer awaits the member (cancelled meanwhile, or done already).
 */
export async function storePendingCredentials(
  db: Tx,
  p: {
    id: string;
    opaqueRecord: string;
    secretKeyVerifier: string;
    keyset: EncryptedKeyset;
    acceptance: MemberAcceptance;
    waitingUntil: Date;
    now: Date;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('organizer_recoveries')
    .set({
      status: 'waiting',
      token_used_at: p.now,
      waiting_until: p.waitingUntil,
      pending_opaque_record: p.opaqueRecord,
      pending_secret_key_verifier: p.secretKeyVerifier,
      pending_keyset: JSON.stringify(p.keyset),
      pending_acceptance: JSON.stringify(p.acceptance),
      updated_at: p.now,
    })
    .where('id', '=', p.id)
    .where('status', '=', 'awaiting_member')
    .where('token_used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface PendingCredentials {
  opaqueRecord: string;
  secretKeyVerifier: string;
  keyset: EncryptedKeyset;
  acceptance: MemberAcceptance;
}

export async function findPendingCredentials(db: Tx, id: string): Promise<PendingCredentials | undefined> {
  const row = await db
    .selectFrom('organizer_recoveries')
    .select(['pending_opaque_record', 'pending_secret_key_verifier', 'pending_keyset', 'pending_acceptance'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row?.pending_opaque_record == null || row.pending_secret_key_verifier === null || row.pending_keyset === null || row.pending_acceptance === null)
    return undefined;
  return {
    opaqueRecord: row.pending_opaque_record,
    secretKeyVerifier: row.pending_secret_key_verifier,
    keyset: row.pending_keyset as unknown as EncryptedKeyset,
    acceptance: row.pending_acceptance,
  };
}

/** Records one approval. @returns false when this approver had approved already. */
export async function insertApproval(db: Tx, recoveryId: string, approverUserId: string, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('organizer_recovery_approvals')
    .values({ recovery_id: recoveryId, approver_user_id: approverUserId, approved_at: now })
    .onConflict((oc) => oc.columns(['recovery_id', 'approver_user_id']).doNothing())
    .returning('recovery_id')
    .executeTakeFirst();
  return result !== undefined;
}

/**
 * Marks the escrows released to `approverUserId`, once: only while waiting and not released yet.
 * @returns false when another approval released them, or the recovery ended meanwhile.
 */
export async function markReleased(db: Tx, id: string, approverUserId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('organizer_recoveries')
    .set({ released_to: approverUserId, released_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'waiting')
    .where('released_to', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** `waiting` → `completed`, only by the approver the escrows were released to. */
export async function markCompleted(db: Tx, id: string, approverUserId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('organizer_recoveries')
    .set({
      status: 'completed',
      end_reason: 'completed',
      ended_by: approverUserId,
      ended_at: now,
      updated_at: now,
      pending_opaque_record: null,
      pending_secret_key_verifier: null,
      pending_encrypted_symmetric_key: null,
      pending_keyset: null,
      pending_acceptance: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'waiting')
    .where('released_to', '=', approverUserId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
