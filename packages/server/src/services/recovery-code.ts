/**
 * Setting up, confirming, checking and deleting a recovery code while signed in.
 *
 * A new code is *pending* until the user proves they stored it (a signature by the code over a
 * fresh challenge); only then does it become active and replace the previous one, so abandoning
 * setup never leaves someone without a working code. Setup and deletion need a recent
 * re-authentication and, with two-step verification on, a proof by an enrolled factor (a thief
 * with a session and the password must not be able to plant their own code or remove the
 * owner's). A pending code can be confirmed for 30 minutes; with two-step verification on, only if the proof at its
 * creation was given by the confirming session. A successful check or confirmation also lifts a
 * lock left by 100 failed recovery attempts: that is the owner acting.
 */
import { randomUUID } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core/errors';
import { verifyRecoveryProof } from '@latchkey/core/recovery-code';
import type { CreateRecoveryCodeRequest, RecoveryChallenge, RecoveryCodeStatus } from '@latchkey/core/wire/recovery';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as codes from '../repositories/recovery-codes.ts';
import { takeChallenge } from '../repositories/challenges.ts';
import { issueChallenge } from './challenges.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { findUserById } from '../repositories/users.ts';
import { newToken } from '../security/tokens.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { enforceRateLimits } from './rate-limits.ts';
import type { AuthenticatedSession, ReauthenticatedSession } from './sessions.ts';
import { requireFactorProofIfOn, requireSetupProvenBy, type FactorProof } from './two-step-proof.ts';

export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Long enough to write the code down or print its kit, and type it back. */
export const PENDING_CODE_TTL_MS = 30 * 60_000;
export const CHECK_REMINDER_AFTER_MS = 365 * 24 * 3600_000;
export const RECOVERY_LOCK_AFTER_FAILURES = 100;

/** The account's codes, an expired pending one left out (it can no longer be confirmed). */
async function liveRecoveryCodes(ctx: ServerContext, userId: string): Promise<{ pending?: codes.RecoveryCodeRow; active?: codes.RecoveryCodeRow }> {
  const { pending, active } = await codes.findRecoveryCodes(ctx.db, userId);
  const live = pending !== undefined && ctx.clock().getTime() - pending.createdAt.getTime() <= PENDING_CODE_TTL_MS;
  return { ...(live ? { pending } : {}), ...(active ? { active } : {}) };
}

export async function recoveryCodeStatus(ctx: ServerContext, session: AuthenticatedSession): Promise<RecoveryCodeStatus> {
  const { pending, active } = await liveRecoveryCodes(ctx, session.userId);
  const guard = await codes.findRecoveryGuard(ctx.db, session.userId);
  const lastChecked = active?.lastCheckedAt ?? active?.confirmedAt ?? null;
  const stale = lastChecked !== null && ctx.clock().getTime() - lastChecked.getTime() > CHECK_REMINDER_AFTER_MS;
  return {
    status: active ? 'active' : pending ? 'pending' : 'none',
    pendingReplacement: pending !== undefined,
    confirmedAt: active?.confirmedAt?.toISOString() ?? null,
    lastCheckedAt: active?.lastCheckedAt?.toISOString() ?? null,
    reminder: active === undefined ? 'set-up' : stale ? 'check' : 'none',
    failedAttempts: guard.failures,
    locked: guard.lockedAt !== null,
  };
}

/** Needs a recently re-authenticated session. @throws with two-step verification on, what `verifyFactorProof` throws. */
export async function createPendingRecoveryCode(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  body: CreateRecoveryCodeRequest,
): Promise<RecoveryCodeStatus> {
  const proven = await requireFactorProofIfOn(ctx, meta, session.userId, body);
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (tx) => {
    await codes.putPendingRecoveryCode(tx, {
      id: randomUUID(),
      userId: session.userId,
      authPublicKey: body.authPublicKey,
      wrappedSymmetricKey: body.wrappedSymmetricKey,
      proofSessionId: proven ? session.id : null,
      now,
    });
    await recordSecurityEvent(tx, { userId: session.userId, type: 'recovery-code.created', detail: { status: 'pending' }, ip: meta.ip, now });
  });
  return recoveryCodeStatus(ctx, session);
}

export async function issueRecoveryChallenge(ctx: ServerContext, session: AuthenticatedSession, purpose: 'confirm' | 'check'): Promise<RecoveryChallenge> {
  const challenge = newToken();
  const challengeId = await issueChallenge(ctx, { userId: session.userId, purpose: `recovery-code:${purpose}`, challenge, ttlMs: CHALLENGE_TTL_MS });
  return { challengeId, challenge };
}

async function takeRecoveryChallenge(ctx: ServerContext, session: AuthenticatedSession, purpose: 'confirm' | 'check', challengeId: string): Promise<string> {
  const challenge = await takeChallenge(ctx.db, { id: challengeId, userId: session.userId, purpose: `recovery-code:${purpose}`, now: ctx.clock() });
  if (challenge === undefined) throw new LatchkeyError('challenge_expired', 'This confirmation expired or was already used. Try again.');
  return challenge;
}

/**
 * Activates the pending code when the proof is by that code. Throws `invalid_recovery_code`
 * otherwise, `no_recovery_code` when none is pending (or it expired), `second_factor_required`
 * when two-step verification is on and the code was not created with a proof in this session.
 */
export async function confirmRecoveryCode(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  body: { challengeId: string; proof: string },
): Promise<RecoveryCodeStatus> {
  const challenge = await takeRecoveryChallenge(ctx, session, 'confirm', body.challengeId);
  const { pending, active } = await liveRecoveryCodes(ctx, session.userId);
  if (pending === undefined)
    throw new LatchkeyError(
      'no_recovery_code',
      'There is no new recovery code waiting for confirmation (a new code must be confirmed within 30 minutes). Create one again.',
    );
  await requireSetupProvenBy(ctx, session, pending.proofSessionId);
  if (!verifyRecoveryProof(pending.authPublicKey, 'confirm', challenge, body.proof)) {
    throw new LatchkeyError('invalid_recovery_code', 'That is not the new recovery code. Check what you saved and try again.');
  }
  const now = ctx.clock();
  const activated = await transactionWithNotices(ctx, async (tx) => {
    if (!(await codes.activatePendingRecoveryCode(tx, session.userId, pending.id, now))) return false;
    await codes.resetRecoveryGuard(tx, session.userId);
    await recordSecurityEvent(tx, { userId: session.userId, type: 'recovery-code.activated', detail: { replaced: active !== undefined }, ip: meta.ip, now });
    const user = await findUserById(tx, session.userId);
    if (user) await queueNotice(ctx, tx, user.email, { kind: 'recovery-code-activated', replaced: active !== undefined, at: now.toISOString(), ip: meta.ip });
    return true;
  });
  if (!activated) throw new LatchkeyError('conflict', 'The pending recovery code changed meanwhile. Create a new one.');
  return recoveryCodeStatus(ctx, session);
}

/** "Check my code": tests a code against the active one without recovering anything. */
export async function checkRecoveryCode(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  body: { challengeId: string; proof: string },
): Promise<{ valid: boolean }> {
  await enforceRateLimits(ctx, [['recoveryCheckPerUser', session.userId]]);
  const challenge = await takeRecoveryChallenge(ctx, session, 'check', body.challengeId);
  const { active } = await codes.findRecoveryCodes(ctx.db, session.userId);
  if (active === undefined) throw new LatchkeyError('no_recovery_code', 'No recovery code is set up. Create one first.');
  const valid = verifyRecoveryProof(active.authPublicKey, 'check', challenge, body.proof);
  const now = ctx.clock();
  if (valid) {
    await ctx.db.transaction().execute(async (tx) => {
      await codes.markRecoveryCodeChecked(tx, active.id, now);
      await codes.resetRecoveryGuard(tx, session.userId);
      await recordSecurityEvent(tx, { userId: session.userId, type: 'recovery-code.checked', detail: {}, ip: meta.ip, now });
    });
  }
  return { valid };
}

/** Needs a recently re-authenticated session. @throws with two-step verification on, what `verifyFactorProof` throws. */
export async function deleteRecoveryCode(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  proof: FactorProof,
): Promise<RecoveryCodeStatus> {
  if ((await findUserById(ctx.db, session.userId))?.unlockMethod === 'passkey') {
    throw new LatchkeyError('conflict', 'A passkey account must keep its recovery code: it is the way back in after losing every device. Replace it instead.');
  }
  await requireFactorProofIfOn(ctx, meta, session.userId, proof);
  const now = ctx.clock();
  await transactionWithNotices(ctx, async (tx) => {
    if ((await codes.deleteRecoveryCodes(tx, session.userId)) === 0) return;
    await recordSecurityEvent(tx, { userId: session.userId, type: 'recovery-code.deleted', detail: {}, ip: meta.ip, now });
    const user = await findUserById(tx, session.userId);
    if (user) await queueNotice(ctx, tx, user.email, { kind: 'recovery-code-deleted', at: now.toISOString(), ip: meta.ip });
  });
  return recoveryCodeStatus(ctx, session);
}
