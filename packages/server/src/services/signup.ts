/**
 * Sign-up: prove the email with a one-time code, register OPAQUE, then create the account,
 * its keyset, its Personal vault and a first session in one transaction.
 *
 * An address that already has an account gets the same response (a verification id) as a new
 * one; its code is never sent, so verification simply fails. Nothing tells an observer which
 * addresses have accounts.
 */
import { createHash } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core/errors';
import { opaqueServer } from '@latchkey/core/opaque';
import type { SignupFinishRequest, SignupFinishResponse } from '@latchkey/core/wire/signup';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as emailCodes from '../repositories/email-codes.ts';
import { emailExists, insertUserWithKeyset, normalizeEmail } from '../repositories/users.ts';
import { insertVault } from '../repositories/vaults.ts';
import { recordDevice } from '../repositories/sessions.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { hashEmailCode, hashToken, newEmailCode, newRandomId } from '../security/tokens.ts';
import { notices, sendInBackground } from './notifications.ts';
import { emailBucket, enforceRateLimits, sourceKey } from './rate-limits.ts';
import { createSession, toAccountProfile } from './sessions.ts';
import { isUniqueViolation } from '../storage/errors.ts';

export const EMAIL_CODE_TTL_MS = 15 * 60_000;
export const SIGNUP_TICKET_TTL_MS = 30 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

export async function startSignup(ctx: ServerContext, meta: RequestMeta, email: string): Promise<{ verificationId: string }> {
  await enforceRateLimits(ctx, [
    ['signupPerSource', sourceKey(meta)],
    ['signupPerEmail', emailBucket(email)],
  ]);
  const now = ctx.clock();
  const id = newRandomId();
  const code = newEmailCode();
  const exists = await emailExists(ctx.db, email);
  // For an existing account the stored hash is of a code nobody ever sees.
  const codeHash = hashEmailCode(id, exists ? newEmailCode() + newRandomId() : code);
  await emailCodes.insertEmailCode(ctx.db, { id, purpose: 'signup', email: normalizeEmail(email), codeHash, expiresAt: new Date(now.getTime() + EMAIL_CODE_TTL_MS), now });
  sendInBackground(ctx, normalizeEmail(email), exists ? notices.signupExistingAccount(ctx.config.publicUrl) : notices.signupCode(code, ctx.config.publicUrl));
  return { verificationId: id };
}

/** The account id is fixed by the ticket, so OPAQUE registration and account creation agree on it. */
export function userIdForTicket(ticket: string): string {
  const h = createHash('sha256').update(`latchkey/v1/signup-user-id\u0000${ticket}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export async function verifySignupCode(ctx: ServerContext, verificationId: string, code: string): Promise<{ ticket: string; userId: string }> {
  const now = ctx.clock();
  const ticket = newRandomId() + newRandomId();
  const email = await emailCodes.verifyEmailCode(ctx.db, {
    id: verificationId,
    purpose: 'signup',
    codeHash: hashEmailCode(verificationId, code),
    ticketHash: hashToken(ticket),
    now,
    maxAttempts: EMAIL_CODE_MAX_ATTEMPTS,
  });
  if (email !== undefined) return { ticket, userId: userIdForTicket(ticket) };

  // Explain the failure from the state after the attempt (a concurrent winner shows as "used").
  const state = await emailCodes.findEmailCode(ctx.db, verificationId, 'signup');
  if (state === undefined) throw new LatchkeyError('invalid_code', 'That code is not valid. Ask for a new one.');
  if (state.verifiedAt !== null || state.consumedAt !== null) throw new LatchkeyError('code_used', 'That code was already used. Ask for a new one.');
  if (state.expiresAt <= now) throw new LatchkeyError('code_expired', 'That code has expired. Ask for a new one.');
  if (state.attempts >= EMAIL_CODE_MAX_ATTEMPTS) throw new LatchkeyError('too_many_attempts', 'Too many wrong codes. Ask for a new one.');
  await emailCodes.countFailedAttempt(ctx.db, verificationId);
  throw new LatchkeyError('invalid_code', 'That code is not right. Check the latest email and try again.');
}

async function requireTicket(ctx: ServerContext, ticket: string): Promise<string> {
  const email = await emailCodes.findUnconsumedTicket(ctx.db, {
    ticketHash: hashToken(ticket),
    purpose: 'signup',
    notVerifiedBefore: new Date(ctx.clock().getTime() - SIGNUP_TICKET_TTL_MS),
  });
  if (email === undefined) throw new LatchkeyError('code_expired', 'This sign-up has expired or was completed. Start again.');
  return email;
}

export async function createSignupRegistrationResponse(ctx: ServerContext, ticket: string, registrationRequest: string): Promise<string> {
  await requireTicket(ctx, ticket);
  try {
    return opaqueServer.createRegistrationResponse({ serverSetup: ctx.opaqueServerSetup, userIdentifier: userIdForTicket(ticket), registrationRequest });
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The registration request is malformed.', { cause });
  }
}

export async function finishSignup(ctx: ServerContext, meta: RequestMeta, body: SignupFinishRequest): Promise<SignupFinishResponse> {
  const userId = userIdForTicket(body.ticket);
  const now = ctx.clock();
  const result = await ctx.db
    .transaction()
    .execute(async (tx) => {
      const email = await emailCodes.consumeTicket(tx, {
        ticketHash: hashToken(body.ticket),
        purpose: 'signup',
        now,
        notVerifiedBefore: new Date(now.getTime() - SIGNUP_TICKET_TTL_MS),
      });
      if (email === undefined) throw new LatchkeyError('code_expired', 'This sign-up has expired or was completed. Start again.');
      if (await emailExists(tx, email)) throw new LatchkeyError('already_exists', 'An account with this email already exists. Sign in instead.');
      await insertUserWithKeyset(tx, { id: userId, email, name: body.name, accountId: body.accountId, opaqueRecord: body.registrationRecord, secretKeyVerifier: body.secretKeyVerifier }, body.keyset);
      await insertVault(tx, { id: body.personalVault.id, kind: 'personal', createdBy: userId, encryptedAttrs: body.personalVault.encryptedAttrs, wrappedKey: body.personalVault.wrappedKey, now });
      await recordDevice(tx, userId, body.device, now);
      const session = await createSession(ctx, tx, { userId, device: body.device, meta, reauthenticated: true, token: 'server-chosen' });
      await recordSecurityEvent(tx, { userId, type: 'account.created', detail: { device: body.device.name }, ip: meta.ip, now });
      return { session, account: { id: userId, email, name: body.name, accountId: body.accountId, keyset: body.keyset } };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'That account, keyset or vault id is already taken. Start again.');
      throw error;
    });
  return result;
}

export { toAccountProfile };
