/**
 * Emailed one-time codes. Each code has a random id (never keyed by email, so nobody can block
 * someone else's sign-up), a hash, an expiry and an attempt counter. Every state change is one
 * conditional UPDATE, so a code is verified at most once and at most `maxAttempts` guesses are
 * evaluated, even under concurrent requests on several server instances.
 */
import { sql } from 'kysely';
import type { Tx } from '../context.ts';

export type EmailCodePurpose = 'signup' | 'recovery' | 'organizer-recovery';

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
 * One guess at a code, as ONE conditional UPDATE: it counts the attempt and, only if the hash
 * matches, marks the code verified and attaches the ticket. The guess is evaluated only while
 * the code is unused, unexpired and under the attempt limit, and the counter it checks is the
 * one it increments, so at most `maxAttempts` guesses are ever evaluated per code, also when
 * they arrive at once on several server instances (PostgreSQL re-checks the WHERE clause on the
 * latest row version after waiting for a concurrent update's row lock).
 *
 * Returns undefined when no guess was evaluated (unknown id, used, expired or out of attempts),
 * otherwise the code's email and whether the guess was right.
 */
export async function attemptEmailCode(
  db: Tx,
  params: { id: string; purpose: EmailCodePurpose; codeHash: string; ticketHash: string; now: Date; maxAttempts: number },
): Promise<{ email: string; matched: boolean } | undefined> {
  const matches = sql<boolean>`code_hash = ${params.codeHash}`;
  // The ELSE branches name the column (NULL here, by the WHERE clause) rather than a bare NULL,
  // so PostgreSQL infers the parameter's type from the column without a `::` cast SQLite lacks.
  const row = await db
    .updateTable('email_codes')
    .set({
      attempts: sql<number>`attempts + 1`,
      verified_at: sql<Date | null>`CASE WHEN ${matches} THEN ${params.now} ELSE verified_at END`,
      ticket_hash: sql<string | null>`CASE WHEN ${matches} THEN ${params.ticketHash} ELSE NULL END`,
    })
    .where('id', '=', params.id)
    .where('purpose', '=', params.purpose)
    .where('verified_at', 'is', null)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', params.now)
    .where('attempts', '<', params.maxAttempts)
    // The ticket is attached exactly when the guess matched; a returned comparison would be 0/1 on SQLite.
    .returning(['email', 'ticket_hash'])
    .executeTakeFirst();
  return row === undefined ? undefined : { email: row.email, matched: row.ticket_hash !== null };
}

/** Consumes a verified ticket exactly once; returns the email it proves. */
export async function consumeTicket(
  db: Tx,
  params: { ticketHash: string; purpose: EmailCodePurpose; now: Date; notVerifiedBefore: Date },
): Promise<string | undefined> {
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

export async function findUnconsumedTicket(
  db: Tx,
  params: { ticketHash: string; purpose: EmailCodePurpose; notVerifiedBefore: Date },
): Promise<string | undefined> {
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
