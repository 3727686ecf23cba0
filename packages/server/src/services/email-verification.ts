/**
 * Proving access to an email address with an emailed one-time code, for sign-up and for
 * recovery. `startEmailVerification` always answers with a verification id, whether or not the
 * address has an account: what differs is only what the email says, which only the mailbox's
 * owner sees. A verified code yields a ticket (random, stored hashed) that the next step
 * consumes exactly once.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ServerContext } from '../context.ts';
import * as emailCodes from '../repositories/email-codes.ts';
import type { EmailCodePurpose } from '../repositories/email-codes.ts';
import { normalizeEmail } from '../repositories/users.ts';
import { hashEmailCode, hashToken, newEmailCode, newRandomId } from '../security/tokens.ts';
import { sendCodeEmail, type Notice } from './notifications.ts';

export const EMAIL_CODE_TTL_MS = 15 * 60_000;
export const TICKET_TTL_MS = 30 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

/**
 * Stores a code and emails `notice(code)`; with `notice` null, stores a code nobody ever sees
 * (so the response and the stored state look the same) and sends `fallback` instead, if any.
 */
export async function startEmailVerification(
  ctx: ServerContext,
  params: { purpose: EmailCodePurpose; email: string; notice: ((code: string) => Notice) | null; fallback?: Notice },
): Promise<{ verificationId: string }> {
  const now = ctx.clock();
  const id = newRandomId();
  const code = newEmailCode();
  const email = normalizeEmail(params.email);
  const codeHash = hashEmailCode(id, params.notice ? code : newEmailCode() + newRandomId());
  await emailCodes.insertEmailCode(ctx.db, { id, purpose: params.purpose, email, codeHash, expiresAt: new Date(now.getTime() + EMAIL_CODE_TTL_MS), now });
  const notice = params.notice ? params.notice(code) : params.fallback;
  // Straight from the request, not through the outbox: the table must never hold a usable code (notifications.ts).
  if (notice) sendCodeEmail(ctx, email, notice);
  return { verificationId: id };
}

/**
 * Checks the code and returns a ticket. Each call is one guess, counted and evaluated by a single
 * conditional UPDATE, so at most EMAIL_CODE_MAX_ATTEMPTS guesses are evaluated per code and at
 * most one ticket is issued, also under concurrent attempts on several instances.
 * @throws LatchkeyError `invalid_code` (wrong code or unknown id), `code_used`, `code_expired`,
 *   `too_many_attempts`.
 */
export async function checkEmailCode(ctx: ServerContext, purpose: EmailCodePurpose, verificationId: string, code: string): Promise<{ ticket: string }> {
  const now = ctx.clock();
  const ticket = newRandomId() + newRandomId();
  const attempt = await emailCodes.attemptEmailCode(ctx.db, {
    id: verificationId,
    purpose,
    codeHash: hashEmailCode(verificationId, code),
    ticketHash: hashToken(ticket),
    now,
    maxAttempts: EMAIL_CODE_MAX_ATTEMPTS,
  });
  if (attempt?.matched === true) return { ticket };
  if (attempt !== undefined) throw new LatchkeyError('invalid_code', 'That code is not right. Check the latest email and try again.');

  // Not evaluated: explain why from the current state (a concurrent winner shows as "used").
  const state = await emailCodes.findEmailCode(ctx.db, verificationId, purpose);
  if (state === undefined) throw new LatchkeyError('invalid_code', 'That code is not valid. Ask for a new one.');
  if (state.verifiedAt !== null || state.consumedAt !== null) throw new LatchkeyError('code_used', 'That code was already used. Ask for a new one.');
  if (state.expiresAt <= now) throw new LatchkeyError('code_expired', 'That code has expired. Ask for a new one.');
  throw new LatchkeyError('too_many_attempts', 'Too many wrong codes. Ask for a new one.');
}

const ticketGone = () => new LatchkeyError('code_expired', 'This verification has expired or was already used. Start again.');

/** The email a live ticket proves. Throws `code_expired` when it is unknown, used or too old. */
export async function emailOfTicket(ctx: ServerContext, purpose: EmailCodePurpose, ticket: string): Promise<string> {
  const email = await emailCodes.findUnconsumedTicket(ctx.db, {
    ticketHash: hashToken(ticket),
    purpose,
    notVerifiedBefore: new Date(ctx.clock().getTime() - TICKET_TTL_MS),
  });
  if (email === undefined) throw ticketGone();
  return email;
}

/** Consumes a live ticket exactly once (inside the caller's transaction); returns its email. */
export async function consumeTicket(ctx: ServerContext, tx: ServerContext['db'], purpose: EmailCodePurpose, ticket: string): Promise<string> {
  const now = ctx.clock();
  const email = await emailCodes.consumeTicket(tx, { ticketHash: hashToken(ticket), purpose, now, notVerifiedBefore: new Date(now.getTime() - TICKET_TTL_MS) });
  if (email === undefined) throw ticketGone();
  return email;
}
