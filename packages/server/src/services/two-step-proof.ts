/**
 * The second step: which methods an account has, checking a proof by any of them (TOTP code,
 * backup code, security key assertion), and completing a sign-in that waits for one.
 *
 * Every check is rate limited per account, and each factor refuses further attempts after 100
 * failures (`too_many_attempts`). The TOTP and backup-code counters are never reset by a
 * success: they count every wrong guess ever evaluated against that secret or that set of codes,
 * so an owner who keeps signing in cannot reopen the guessing budget for someone who also has
 * the password and Secret Key. They start again only with a new secret (setting the app up
 * again) or new codes (regenerating), which take a full session, a fresh re-authentication and
 * a proof by a factor that still works. A security-key assertion cannot be guessed, so a
 * success by a key clears the security-key counter. A backup code's use is emailed.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { TwoStepMethods, TwoStepResponse } from '@latchkey/core/wire/two-step';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as backupCodeRepo from '../repositories/backup-codes.ts';
import { findTotpFactor, countTotpFailure } from '../repositories/totp-factors.ts';
import { listSecurityKeys } from '../repositories/security-keys.ts';
import { findUserById, type TwoStepFactors } from '../repositories/users.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { completePendingSession } from '../repositories/sessions.ts';
import { backupCodeAttemptHash } from './backup-codes.ts';
import { verifyTotp } from './totp.ts';
import { verifySecurityKey } from './security-keys.ts';
import { queueNotice, transactionWithNotices } from './notice-outbox.ts';
import { enforceRateLimits } from './rate-limits.ts';
import { SESSION_TTL_MS, toAccountProfile, type AuthenticatedSession } from './sessions.ts';
import { recordSignIn } from './sign-in-events.ts';

export const LOCK_AFTER_FAILURES = 100;

export interface FactorProof {
  readonly otp?: string;
  readonly backupCode?: string;
  readonly securityKey?: Record<string, unknown>;
}

export async function twoStepMethods(ctx: ServerContext, userId: string): Promise<TwoStepMethods> {
  const methods: TwoStepMethods = [];
  if ((await findTotpFactor(ctx.db, userId, 'active')) !== undefined) methods.push('totp');
  if ((await listSecurityKeys(ctx.db, userId)).length > 0) methods.push('security-key');
  if (methods.length > 0 && (await backupCodeRepo.remainingBackupCodes(ctx.db, userId)) > 0) methods.push('backup-code');
  return methods;
}

/** `twoStepMethods` from factors already read (`findSignInAccount`): the same rule, no query. */
export function twoStepMethodsOf(factors: TwoStepFactors): TwoStepMethods {
  const methods: TwoStepMethods = [];
  if (factors.totp) methods.push('totp');
  if (factors.securityKeys) methods.push('security-key');
  if (methods.length > 0 && factors.unusedBackupCodes > 0) methods.push('backup-code');
  return methods;
}

const wrongFactor = () => new LatchkeyError('invalid_code', 'That code is not right, or it was already used.');
const locked = () =>
  new LatchkeyError('too_many_attempts', 'This method is locked after too many wrong attempts. Use another method (a backup code or a security key).');

/**
 * Checks a proof by an enrolled factor. Throws `second_factor_required` when none is given,
 * `invalid_code` when it is wrong, `too_many_attempts` when that factor is locked.
 */
export async function verifyFactorProof(
  ctx: ServerContext,
  meta: RequestMeta,
  userId: string,
  proof: FactorProof,
): Promise<'totp' | 'backup-code' | 'security-key'> {
  const methods = await twoStepMethods(ctx, userId);
  if (proof.otp === undefined && proof.backupCode === undefined && proof.securityKey === undefined) {
    throw new LatchkeyError('second_factor_required', 'Enter a code from your authenticator app, a backup code, or use your security key.', {
      details: { methods },
    });
  }
  await enforceRateLimits(ctx, [['twoStepPerUser', userId]]);
  const now = ctx.clock();
  const failures = await backupCodeRepo.twoStepFailures(ctx.db, userId);
  let method: 'totp' | 'backup-code' | 'security-key';
  let ok: boolean;
  if (proof.otp !== undefined) {
    method = 'totp';
    const factor = await findTotpFactor(ctx.db, userId, 'active');
    if (factor === undefined) throw wrongFactor();
    if (factor.failures >= LOCK_AFTER_FAILURES) throw locked();
    ok = (await verifyTotp(ctx, ctx.db, userId, proof.otp)) === 'ok';
  } else if (proof.backupCode !== undefined) {
    method = 'backup-code';
    if (failures.backupCode >= LOCK_AFTER_FAILURES) throw locked();
    const hash = await backupCodeAttemptHash(ctx.db, userId, proof.backupCode);
    // The code's use and its notice commit together: a crash cannot spend a code unannounced.
    ok =
      hash !== undefined &&
      (await transactionWithNotices(ctx, async (tx) => {
        if (!(await backupCodeRepo.consumeBackupCode(tx, userId, hash, now))) return false;
        const remaining = await backupCodeRepo.remainingBackupCodes(tx, userId);
        await recordSecurityEvent(tx, { userId, type: 'backup-code.used', detail: { remaining }, ip: meta.ip, now });
        const user = await findUserById(tx, userId);
        if (user) await queueNotice(ctx, tx, user.email, { kind: 'backup-code-used', remaining, at: now.toISOString(), ip: meta.ip });
        return true;
      }));
  } else {
    method = 'security-key';
    if (failures.securityKey >= LOCK_AFTER_FAILURES) throw locked();
    ok = await verifySecurityKey(ctx, ctx.db, userId, proof.securityKey!);
  }
  if (!ok) {
    const failed = method;
    await transactionWithNotices(ctx, async (tx) => {
      const count =
        failed === 'totp'
          ? await countTotpFailure(tx, userId)
          : failed === 'backup-code'
            ? await backupCodeRepo.countBackupCodeFailure(tx, userId)
            : await backupCodeRepo.countSecurityKeyFailure(tx, userId);
      await recordSecurityEvent(tx, { userId, type: 'second-factor.failed', detail: { method: failed }, ip: meta.ip, now });
      // Reaching this step takes the password and the Secret Key: the owner must hear about it.
      const user = await findUserById(tx, userId);
      if (user)
        await queueNotice(ctx, tx, user.email, {
          kind: 'second-factor-failed',
          method: failed,
          locked: count >= LOCK_AFTER_FAILURES,
          at: now.toISOString(),
          ip: meta.ip,
        });
    });
    throw wrongFactor();
  }
  if (method === 'security-key') await backupCodeRepo.resetSecurityKeyFailures(ctx.db, userId);
  return method;
}

/**
 * The gate for every change that could lock the owner out or let a thief stay (docs/protocol.md §16.6):
 * with two-step verification on, `proof` must be a valid proof by an enrolled factor (see
 * `verifyFactorProof` for what it throws). Returns true when a proof was needed and given,
 * false when two-step verification is off.
 */
export async function requireFactorProofIfOn(ctx: ServerContext, meta: RequestMeta, userId: string, proof: FactorProof): Promise<boolean> {
  if ((await twoStepMethods(ctx, userId)).length === 0) return false;
  await verifyFactorProof(ctx, meta, userId, proof);
  return true;
}

export async function twoStepIsOn(ctx: ServerContext, userId: string): Promise<boolean> {
  return (await twoStepMethods(ctx, userId)).length > 0;
}

/**
 * A setup's confirmation counts the proof given at its start: with two-step verification on now, that proof must
 * have been given by this session. @throws `second_factor_required` otherwise.
 */
export async function requireSetupProvenBy(ctx: ServerContext, session: AuthenticatedSession, proofSessionId: string | null): Promise<void> {
  if (proofSessionId === session.id || !(await twoStepIsOn(ctx, session.userId))) return;
  throw new LatchkeyError(
    'second_factor_required',
    'Two-step verification is on, and this setup was not started with a proof by one of your factors in this session. Start it again.',
    {
      details: { methods: await twoStepMethods(ctx, session.userId) },
    },
  );
}

/** Finishes a sign-in that waited for its second step: the session becomes a full one. */
export async function completeTwoStep(ctx: ServerContext, session: AuthenticatedSession, meta: RequestMeta, proof: FactorProof): Promise<TwoStepResponse> {
  if (!session.twoStepPending) throw new LatchkeyError('invalid_request', 'This session needs no second step.');
  await verifyFactorProof(ctx, meta, session.userId, proof);
  const now = ctx.clock();
  const sessionExpiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await completePendingSession(ctx.db, session.id, now, sessionExpiresAt);
  const user = await findUserById(ctx.db, session.userId);
  if (user === undefined) throw new LatchkeyError('unauthenticated', 'This account no longer exists.');
  await recordSignIn(ctx, session, meta, user.email);
  return {
    account: await toAccountProfile(ctx.db, user),
    backupCodesRemaining: await backupCodeRepo.remainingBackupCodes(ctx.db, session.userId),
    sessionExpiresAt: sessionExpiresAt.toISOString(),
  };
}
