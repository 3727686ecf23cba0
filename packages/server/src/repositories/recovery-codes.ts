/**
 * Recovery codes as the server knows them: an Ed25519 public key (to check proofs) and the
 * keyset's symmetric key wrapped by the code's wrapping key. At most one pending and one active
 * code per user; activation replaces the active one in one transaction.
 */
import type { Tx } from '../context.ts';
import type { RecoveryCodeRowStatus } from '../storage/schema.ts';

export interface RecoveryCodeRow {
  id: string;
  status: RecoveryCodeRowStatus;
  authPublicKey: string;
  wrappedSymmetricKey: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastCheckedAt: Date | null;
  /** Pending only: the session that gave a two-step proof when the code was created, if any. */
  proofSessionId: string | null;
}

const columns = [
  'id',
  'status',
  'auth_public_key as authPublicKey',
  'wrapped_symmetric_key as wrappedSymmetricKey',
  'created_at as createdAt',
  'confirmed_at as confirmedAt',
  'last_checked_at as lastCheckedAt',
  'proof_session_id as proofSessionId',
] as const;

export async function findRecoveryCodes(db: Tx, userId: string): Promise<{ pending?: RecoveryCodeRow; active?: RecoveryCodeRow }> {
  const rows = await db.selectFrom('recovery_codes').select(columns).where('user_id', '=', userId).execute();
  return { pending: rows.find((r) => r.status === 'pending'), active: rows.find((r) => r.status === 'active') };
}

/** Replaces any pending code with this one; the active code is untouched. */
export async function putPendingRecoveryCode(
  db: Tx,
  code: { id: string; userId: string; authPublicKey: string; wrappedSymmetricKey: string; proofSessionId: string | null; now: Date },
): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', code.userId).where('status', '=', 'pending').execute();
  await db
    .insertInto('recovery_codes')
    .values({
      id: code.id,
      user_id: code.userId,
      status: 'pending',
      auth_public_key: code.authPublicKey,
      wrapped_symmetric_key: code.wrappedSymmetricKey,
      proof_session_id: code.proofSessionId,
      created_at: code.now,
    })
    .execute();
}

/** A passkey account's first code, active at once: the device had it typed back before sign-up (§24.9). */
export async function insertActiveRecoveryCode(
  db: Tx,
  code: { id: string; userId: string; authPublicKey: string; wrappedSymmetricKey: string; now: Date },
): Promise<void> {
  await db
    .insertInto('recovery_codes')
    .values({
      id: code.id,
      user_id: code.userId,
      status: 'active',
      auth_public_key: code.authPublicKey,
      wrapped_symmetric_key: code.wrappedSymmetricKey,
      created_at: code.now,
      confirmed_at: code.now,
      last_checked_at: code.now,
    })
    .execute();
}

/** Makes the pending code the active one (dropping the old active code). Returns false if it is no longer pending. */
export async function activatePendingRecoveryCode(db: Tx, userId: string, pendingId: string, now: Date): Promise<boolean> {
  const pending = await db
    .selectFrom('recovery_codes')
    .select('id')
    .where('id', '=', pendingId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
  if (pending === undefined) return false;
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).where('status', '=', 'active').execute();
  await db
    .updateTable('recovery_codes')
    .set({ status: 'active', confirmed_at: now, last_checked_at: now, proof_session_id: null })
    .where('id', '=', pendingId)
    .execute();
  return true;
}

/** A setup never confirmed before a recovery would only confuse: it is dropped with the old credentials. */
export async function deletePendingRecoveryCode(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).where('status', '=', 'pending').execute();
}

export async function markRecoveryCodeChecked(db: Tx, codeId: string, now: Date): Promise<void> {
  await db.updateTable('recovery_codes').set({ last_checked_at: now }).where('id', '=', codeId).execute();
}

export async function deleteRecoveryCodes(db: Tx, userId: string): Promise<number> {
  const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface RecoveryGuard {
  failures: number;
  lockedAt: Date | null;
}

export async function findRecoveryGuard(db: Tx, userId: string): Promise<RecoveryGuard> {
  const row = await db
    .selectFrom('users')
    .select(['recovery_failures as failures', 'recovery_locked_at as lockedAt'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row;
}

/** Counts one failed attempt atomically; locks at `lockAt` consecutive failures. Returns the new state. */
export async function countRecoveryFailure(db: Tx, userId: string, lockAt: number, now: Date): Promise<RecoveryGuard> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({
      recovery_failures: eb('recovery_failures', '+', 1),
      recovery_locked_at: eb
        .case()
        .when('recovery_failures', '>=', lockAt - 1)
        .then(eb.fn.coalesce('recovery_locked_at', eb.val(now)))
        .else(eb.ref('recovery_locked_at'))
        .end(),
    }))
    .where('id', '=', userId)
    .returning(['recovery_failures as failures', 'recovery_locked_at as lockedAt'])
    .executeTakeFirstOrThrow();
  return row;
}

export async function resetRecoveryGuard(db: Tx, userId: string): Promise<void> {
  await db.updateTable('users').set({ recovery_failures: 0, recovery_locked_at: null }).where('id', '=', userId).execute();
}
