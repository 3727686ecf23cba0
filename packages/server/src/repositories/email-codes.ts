/**
 * Emailed one-time codes. Each code has a random id (never keyed by email, so nobody can block
 * someone else's sign-up), a hash, an expiry and an attempt counter. Every state change is one
 * conditional UPDATE, so a code is verified at most once even under concurrent requests on
 * several server instances.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.ts';

export type EmailCodePurpose = 'signup' | 'recovery';

export async function insertEmailCode(
  db: Tx,
  code: { id: string; purpose: EmailCodePurpose; email: string; codeHash: string; expiresAt: Date; now: Date },
): Promise<void> {
  await db
    .insertInto('email_codes')
    .values({ id: code.id, purpose: code.purpose, email: code.email, code_hash: code.codeHash, expires_at: code.expiresAt, created_at: code.now })
    .execute();
}

export interface EmailCodeState {
  email: string;
  attempts: number;
  expiresAt: Date;
  verifiedAt: Date | null;
  consumedAt: Date | null;
}

export async function findEmailCode(db: Tx, id: string, purpose: EmailCodePurpose): Promise<EmailCodeState | undefined> {
  return db
    .selectFrom('email_codes')
    .select(['email', 'attempts', 'expires_at as expiresAt', 'verified_at as verifiedAt', 'consumed_at as consumedAt'])
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .executeTakeFirst();
}

/**
 * Marks the code verified and attaches a ticket, only if the hash matches and the code is
 * still unused, unexpired and under the attempt limit. Returns the email on success.
 */
export async function verifyEmailCode(
  db: Tx,
  params: { id: string; purpose: EmailCodePurpose; codeHash: string; ticketHash: string; now: Date; maxAttempts: number },
): Promise<string | undefined> {
  const row = await db
    .updateTable('email_codes')
    .set({ verified_at: params.now, ticket_hash: params.ticketHash })
    .where('id', '=', params.id)
    .where('purpose', '=', params.purpose)
    .where('code_hash', '=', params.codeHash)
    .where('verified_at', 'is', null)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', params.now)
    .where('attempts', '<', params.maxAttempts)
    .returning('email')
    .executeTakeFirst();
  return row?.email;
}

export async function countFailedAttempt(db: Tx, id: string): Promise<void> {
  await db
    .updateTable('email_codes')
    .set({ attempts: sql<number>`attempts + 1` })
    .where('id', '=', id)
    .execute();
}

/** Consumes a verified ticket exactly once; returns the email it proves. */
export async function consumeTicket(db: Tx, params: { ticketHash: string; purpose: EmailCodePurpose; now: Date; notVerifiedBefore: Date }): Promise<string | undefined> {
  const row = await db
    .updateTable('email_codes')
    .set({ consumed_at: params.now })
    .where('ticket_hash', '=', params.ticketHash)
    .where('purpose', '=', params.purpose)
    .where('consumed_at', 'is', null)
    .where('verified_at', '>', params.notVerifiedBefore)
    .returning('email')
    .executeTakeFirst();
  return row?.email;
}

export async function findUnconsumedTicket(db: Tx, params: { ticketHash: string; purpose: EmailCodePurpose; notVerifiedBefore: Date }): Promise<string | undefined> {
  const row = await db
    .selectFrom('email_codes')
    .select('email')
    .where('ticket_hash', '=', params.ticketHash)
    .where('purpose', '=', params.purpose)
    .where('consumed_at', 'is', null)
    .where('verified_at', '>', params.notVerifiedBefore)
    .executeTakeFirst();
  return row?.email;
}

export async function deleteStaleEmailCodes(db: Tx, olderThan: Date): Promise<void> {
  await db.deleteFrom('email_codes').where('expires_at', '<', olderThan).execute();
}
