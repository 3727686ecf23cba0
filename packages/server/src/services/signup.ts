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
import type { UserId } from '@latchkey/core/ids';
import { opaqueServer } from '@latchkey/core/opaque';
import type { SignupFinishRequest, SignupFinishResponse } from '@latchkey/core/wire/signup';
import type { RequestMeta, ServerContext, Tx } from '../context.ts';
import { emailExists, insertUserWithKeyset } from '../repositories/users.ts';
import { insertVault } from '../repositories/vaults.ts';
import { recordDevice } from '../repositories/sessions.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { verificationEmails } from './notifications.ts';
import { checkEmailCode, consumeTicket, emailOfTicket, startEmailVerification } from './email-verification.ts';
import { emailBucket, enforceRateLimits, sourceKey } from './rate-limits.ts';
import { createSession } from './sessions.ts';
import { requireOwnKeyWrap } from './vaults.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { requireUsableRegistrationRecord } from './registration-record.ts';

export async function startSignup(ctx: ServerContext, meta: RequestMeta, email: string): Promise<{ verificationId: string }> {
  await enforceRateLimits(ctx, [
    ['signupPerSource', sourceKey(meta)],
    ['signupPerEmail', emailBucket(email)],
  ]);
  const exists = await emailExists(ctx.db, email);
  return startEmailVerification(ctx, {
    purpose: 'signup',
    email,
    notice: exists ? null : (code) => verificationEmails.signupCode(code, ctx.config.publicUrl),
    fallback: verificationEmails.signupExistingAccount(ctx.config.publicUrl),
  });
}

/** The account id is fixed by the ticket, so OPAQUE registration and account creation agree on it. */
export function userIdForTicket(ticket: string): UserId {
  const h = createHash('sha256').update(`latchkey/v1/signup-user-id\u0000${ticket}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}` as UserId;
}

export async function verifySignupCode(ctx: ServerContext, verificationId: string, code: string): Promise<{ ticket: string; userId: UserId }> {
  const { ticket } = await checkEmailCode(ctx, 'signup', verificationId, code);
  return { ticket, userId: userIdForTicket(ticket) };
}

export async function createSignupRegistrationResponse(ctx: ServerContext, ticket: string, registrationRequest: string): Promise<string> {
  await emailOfTicket(ctx, 'signup', ticket);
  try {
    return opaqueServer.createRegistrationResponse({ serverSetup: ctx.opaqueServerSetup, userIdentifier: userIdForTicket(ticket), registrationRequest });
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The registration request is malformed.', { cause });
  }
}

/** What a passkey sign-up adds to the account's transaction (§24.9). */
export interface SignupExtras {
  readonly unlockMethod: 'password' | 'passkey';
  readonly inTransaction: (tx: Tx, userId: UserId, now: Date) => Promise<void>;
}

export async function finishSignup(ctx: ServerContext, meta: RequestMeta, body: SignupFinishRequest, extras?: SignupExtras): Promise<SignupFinishResponse> {
  const userId = userIdForTicket(body.ticket);
  requireOwnKeyWrap(body.personalVault.keyWrap, body.keyset.id);
  requireUsableRegistrationRecord(ctx, userId, body.registrationRecord);
  const now = ctx.clock();
  const result = await ctx.db
    .transaction()
    .execute(async (tx) => {
      const email = await consumeTicket(ctx, tx, 'signup', body.ticket);
      if (await emailExists(tx, email)) throw new LatchkeyError('already_exists', 'An account with this email already exists. Sign in instead.');
      await insertUserWithKeyset(
        tx,
        {
          id: userId,
          email,
          name: body.name,
          accountId: body.accountId,
          opaqueRecord: body.registrationRecord,
          secretKeyVerifier: body.secretKeyVerifier,
          unlockMethod: extras?.unlockMethod ?? 'password',
        },
        body.keyset,
      );
      await insertVault(tx, {
        id: body.personalVault.id,
        kind: 'personal',
        createdBy: userId,
        encryptedAttrs: body.personalVault.encryptedAttrs,
        keyWrap: body.personalVault.keyWrap,
        now,
      });
      await recordDevice(tx, userId, body.device, now);
      await extras?.inTransaction(tx, userId, now);
      const session = await createSession(ctx, tx, { userId, device: body.device, meta, reauthenticated: true, token: 'server-chosen' });
      await recordSecurityEvent(tx, {
        userId,
        type: 'account.created',
        detail: { device: body.device.name, ...(extras ? { method: extras.unlockMethod } : {}) },
        ip: meta.ip,
        now,
      });
      return { session, account: { id: userId, email, name: body.name, accountId: body.accountId, keyset: body.keyset } };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'That account, keyset or vault id is already taken. Start again.');
      throw error;
    });
  return result;
}
