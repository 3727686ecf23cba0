/**
 * Backup codes, stored only as salted scrypt hashes. Using one is a single conditional UPDATE
 * (`used_at IS NULL`), so a code used concurrently — on one instance or several — succeeds once.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.ts';

export async function replaceBackupCodes(db: Tx, userId: string, salt: string, hashes: Array<{ id: string; hash: string }>, now: Date): Promise<void> {
  await db.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
  await db.updateTable('users').set({ backup_code_salt: salt, backup_code_failures: 0 }).where('id', '=', userId).execute();
  await db
    .insertInto('backup_codes')
    .values(hashes.map((h) => ({ id: h.id, user_id: userId, code_hash: h.hash, created_at: now })))
    .execute();
}

export async function backupCodeSalt(db: Tx, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('backup_code_salt').where('id', '=', userId).executeTakeFirst();
  return row?.backup_code_salt ?? null;
}

/** Marks the code used if it exists and is unused; true exactly once per code. */
export async function consumeBackupCode(db: Tx, userId: string, hash: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('backup_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function remainingBackupCodes(db: Tx, userId: string): Promise<number> {
  const row = await db
    .selectFrom('backup_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteBackupCodes(db: Tx, userId: string): Promise<void> {
  await db.deleteFrom('backup_codes').where('user_id', '=', userId).execute();
}

export async function countBackupCodeFailure(db: Tx, userId: string): Promise<number> {
  const row = await db
    .updateTable('users')
    .set({ backup_code_failures: sql<number>`backup_code_failures + 1` })
    .where('id', '=', userId)
    .returning('backup_code_failures')
    .executeTakeFirstOrThrow();
  return row.backup_code_failures;
}

export async function twoStepFailures(db: Tx, userId: string): Promise<{ backupCode: number; securityKey: number }> {
  const row = await db
    .selectFrom('users')
    .select(['backup_code_failures as backupCode', 'security_key_failures as securityKey'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row;
}

export async function countSecurityKeyFailure(db: Tx, userId: string): Promise<number> {
  const row = await db
    .updateTable('users')
    .set({ security_key_failures: sql<number>`security_key_failures + 1` })
    .where('id', '=', userId)
    .returning('security_key_failures')
    .executeTakeFirstOrThrow();
  return row.security_key_failures;
}

/** A key's assertion cannot be guessed: its success, or a newly registered key, clears the security-key counter. */
export async function resetSecurityKeyFailures(db: Tx, userId: string): Promise<void> {
  await db.updateTable('users').set({ security_key_failures: 0 }).where('id', '=', userId).execute();
}

/** Clears the backup-code and security-key failure counters (the methods they counted against are gone). */
export async function clearTwoStepFailures(db: Tx, userId: string): Promise<void> {
  await db.updateTable('users').set({ backup_code_failures: 0, security_key_failures: 0 }).where('id', '=', userId).execute();
}
