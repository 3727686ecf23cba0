/**
 * Recovering an account with its recovery code, from the sign-in page, with no session:
 *
 *   start (email)  →  verify (emailed code → ticket)  →  prove (signature over the ticket by the
 *   recovery code → grant + keyset + code-wrapped symmetric key)  →  register (OPAQUE)  →
 *   finish (swap credentials, end every session and device, notify)
 *
 * The proof is a signature, so nothing the client sends lets the server decrypt the account.
 * Failed proofs are rate limited per account and per source, counted, logged and notified; 100
 * in a row lock the code path until the owner acts (see recovery-code.ts). The code stays valid
 * after use. Two-step settings are untouched and nothing here reads vault data, so recovery
 * never bypasses the second step: the next sign-in asks for it as usual.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { opaqueServer } from '@latchkey/core/opaque';
import { verifyRecoveryProof } from '@latchkey/core/recovery-code';
import type { RecoveryFinishRequest, RecoveryProveResponse } from '@latchkey/core/wire/recovery';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as codes from '../repositories/recovery-codes.ts';
import * as grants from '../repositories/recovery-grants.ts';
import { findKeyset, findUserByEmail, findUserById, replaceCredentials } from '../repositories/users.ts';
import { deleteDevices, deleteOtherSessions } from '../repositories/sessions.ts';
import { deleteAllTrustedDevices } from '../repositories/trusted-devices.ts';
import { deleteLoginAttemptsForUser } from '../repositories/login-attempts.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { hashToken, newRandomId, newToken } from '../security/tokens.ts';
import { checkEmailCode, consumeTicket, emailOfTicket, startEmailVerification } from './email-verification.ts';
import { verificationEmails } from './notifications.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { cancelOpenRecoveriesIn } from './organizer-recovery.ts';
import { emailSourceBucket, enforceRateLimits, sourceKey } from './rate-limits.ts';
import { RECOVERY_LOCK_AFTER_FAILURES } from './recovery-code.ts';
import { pausePoint } from '../testing/pause-points.ts';
import { requireUsableRegistrationRecord } from './registration-record.ts';

export const GRANT_TTL_MS = 30 * 60_000;
const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000';

/**
 * Limited per source and per (email, source), never per email alone: a budget per email is one a
 * stranger could use up to keep the owner from recovering (invariant 9). The cost is that a
 * stranger with many addresses can send the mailbox more codes; each says to ignore it.
 */
export async function startRecovery(ctx: ServerContext, meta: RequestMeta, email: string): Promise<{ verificationId: string }> {
  await enforceRateLimits(ctx, [
    ['recoveryStartPerSource', sourceKey(meta)],
    ['recoveryStartPerEmailSource', emailSourceBucket(email, meta)],
  ]);
  const user = await findUserByEmail(ctx.db, email);
  // The same query for an unknown address (an id no account has), so both take the same work.
  const found = await codes.findRecoveryCodes(ctx.db, user?.id ?? NO_ACCOUNT);
  const hasCode = user !== undefined && found.active !== undefined;
  return startEmailVerification(ctx, {
    purpose: 'recovery',
    email,
    notice: hasCode ? (code) => verificationEmails.recoveryCode(code, ctx.config.publicUrl) : null,
    // Only an existing account's mailbox hears about it; an unknown address gets nothing.
    ...(user !== undefined && !hasCode ? { fallback: verificationEmails.recoveryWithoutCode(ctx.config.publicUrl) } : {}),
  });
}

export function verifyRecoveryEmail(ctx: ServerContext, verificationId: string, code: string): Promise<{ ticket: string }> {
  return checkEmailCode(ctx, 'recovery', verificationId, code);
}

export async function proveRecovery(ctx: ServerContext, meta: RequestMeta, body: { ticket: string; proof: string }): Promise<RecoveryProveResponse> {
  const email = await emailOfTicket(ctx, 'recovery', body.ticket);
  const user = await findUserByEmail(ctx.db, email);
  if (user === undefined) throw new LatchkeyError('no_recovery_code', 'This account has no recovery code.');
  await enforceRateLimits(ctx, [
    ['recoveryProofPerSource', sourceKey(meta)],
    ['recoveryProofPerAccount', user.id],
  ]);
  const guard = await codes.findRecoveryGuard(ctx.db, user.id);
  if (guard.lockedAt !== null) {
    throw new LatchkeyError(
      'recovery_locked',
      'Recovery with a recovery code is locked after too many wrong codes. The account owner must sign in and check or replace the code.',
    );
  }
  const { active } = await codes.findRecoveryCodes(ctx.db, user.id);
  if (active === undefined) throw new LatchkeyError('no_recovery_code', 'This account has no recovery code.');
  const now = ctx.clock();

  if (!verifyRecoveryProof(active.authPublicKey, 'recover', body.ticket, body.proof)) {
    const after = await transactionWithNotices(ctx, async (tx) => {
      const state = await codes.countRecoveryFailure(tx, user.id, RECOVERY_LOCK_AFTER_FAILURES, now);
      await recordSecurityEvent(tx, {
        userId: user.id,
        type: state.lockedAt ? 'recovery-code.locked' : 'recovery-code.failed',
        detail: { consecutiveFailures: state.failures },
        ip: meta.ip,
        now,
      });
      await queueNotice(ctx, tx, user.email, {
        kind: 'recovery-code-failed',
        failures: state.failures,
        locked: state.lockedAt !== null,
        at: now.toISOString(),
        ip: meta.ip,
      });
      return state;
    });
    if (after.lockedAt !== null) throw new LatchkeyError('recovery_locked', 'Too many wrong recovery codes: recovery with a recovery code is now locked.');
    throw new LatchkeyError('invalid_recovery_code', 'That recovery code is not right for this account.');
  }

  const grant = newToken();
  const expiresAt = new Date(now.getTime() + GRANT_TTL_MS);
  await transactionWithNotices(ctx, async (tx) => {
    await consumeTicket(ctx, tx, 'recovery', body.ticket);
    await codes.resetRecoveryGuard(tx, user.id);
    await grants.insertRecoveryGrant(tx, { id: newRandomId(), userId: user.id, tokenHash: hashToken(grant), expiresAt, now });
    // This step hands out the keyset and the code-wrapped key: whoever stops here has what they
    // came for, so the owner hears about it now, not only if the recovery is finished.
    await recordSecurityEvent(tx, { userId: user.id, type: 'recovery-code.proved', detail: { grantExpiresAt: expiresAt.toISOString() }, ip: meta.ip, now });
    // The member recovers by themselves: an organizer recovery under way is not needed (§22.8).
    await cancelOpenRecoveriesIn(ctx, tx, user.id, 'recovery-code-used', meta);
    await queueNotice(ctx, tx, user.email, { kind: 'recovery-proved', at: now.toISOString(), ip: meta.ip });
  });
  return {
    grant,
    userId: user.id,
    accountId: user.accountId,
    keyset: await findKeyset(ctx.db, user.keysetId),
    wrappedSymmetricKey: active.wrappedSymmetricKey,
    expiresAt: expiresAt.toISOString(),
  };
}

const grantGone = () => new LatchkeyError('code_expired', 'This recovery took too long or was already completed. Start again.');

export async function createRecoveryRegistrationResponse(ctx: ServerContext, grant: string, registrationRequest: string): Promise<string> {
  const userId = await grants.findLiveGrant(ctx.db, hashToken(grant), ctx.clock());
  if (userId === undefined) throw grantGone();
  try {
    return opaqueServer.createRegistrationResponse({ serverSetup: ctx.opaqueServerSetup, userIdentifier: userId, registrationRequest });
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The registration request is malformed.', { cause });
  }
}

/** Swaps the credentials and ends every session, in one transaction: old or new, never neither. */
export async function finishRecovery(ctx: ServerContext, meta: RequestMeta, body: RecoveryFinishRequest): Promise<{ signedOutSessions: number }> {
  const now = ctx.clock();
  const { signedOut } = await transactionWithNotices(ctx, async (tx) => {
    const userId = await grants.consumeGrant(tx, hashToken(body.grant), now);
    if (userId === undefined) throw grantGone();
    const user = await findUserById(tx, userId);
    if (user === undefined) throw grantGone();
    requireUsableRegistrationRecord(ctx, userId, body.registrationRecord);
    await replaceCredentials(
      tx,
      userId,
      {
        accountId: body.accountId,
        opaqueRecord: body.registrationRecord,
        secretKeyVerifier: body.secretKeyVerifier,
        encryptedSymmetricKey: body.encryptedSymmetricKey,
      },
      now,
    );
    await pausePoint('credentials-swap:swapped');
    const signedOut = await deleteOtherSessions(tx, userId, null);
    // A sign-in started before the swap runs on the old record: end it.
    await deleteLoginAttemptsForUser(tx, userId);
    await deleteDevices(tx, userId);
    // The old bundles hold the old account secret, which no longer signs in (§24.11).
    await deleteAllTrustedDevices(tx, userId);
    await codes.deletePendingRecoveryCode(tx, userId);
    // One started between the proof and now: its pending keyset was made for the old credentials.
    await cancelOpenRecoveriesIn(ctx, tx, userId, 'recovery-code-used', meta);
    await recordSecurityEvent(tx, { userId, type: 'account.recovered', detail: { method: 'recovery-code', signedOutSessions: signedOut }, ip: meta.ip, now });
    await queueNotice(ctx, tx, user.email, { kind: 'account-recovered', at: now.toISOString(), ip: meta.ip });
    await pausePoint('credentials-swap:before-commit');
    return { signedOut };
  });
  return { signedOutSessions: signedOut };
}
