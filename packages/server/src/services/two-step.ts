/**
 * Managing two-step verification while signed in: status, TOTP setup (confirmed by a first
 * valid code), security keys, backup codes, and turning factors off.
 *
 * Backup codes are issued when two-step verification is first enabled. Adding a factor while two-step verification is on, removing
 * one, or disabling two-step verification needs a recent re-authentication AND a proof by an enrolled factor, so a
 * stolen session alone cannot weaken it; regenerating backup codes counts as changing a factor.
 *
 * An enrolment has two steps (start, then confirm with a first code or the key's attestation).
 * The start remembers which session gave the proof; the confirmation needs a fresh
 * re-authentication, happens within 10 minutes of the start, and — when two-step verification is on by then —
 * counts only a proof given by this same session at the start. So a setup begun while two-step verification was
 * off, or by another session, can never later replace or add a factor without a proof.
 * Every change is logged and emailed. The re-authentication is checked by the route layer
 * (the endpoints declare it); the functions that need it take a `ReauthenticatedSession`.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { ChallengeOptions, TotpSetupResponse, TwoStepStatus } from '@latchkey/core/wire/two-step';
import type { RequestMeta, ServerContext } from '../context.ts';
import * as totpRepo from '../repositories/totp-factors.ts';
import * as keysRepo from '../repositories/security-keys.ts';
import { deleteBackupCodes, remainingBackupCodes, resetSecurityKeyFailures } from '../repositories/backup-codes.ts';
import { findUserById } from '../repositories/users.ts';
import { recordSecurityEvent, type SecurityEventType } from '../repositories/security-events.ts';
import { BACKUP_CODE_COUNT, REGENERATE_WHEN_AT_MOST, issueBackupCodes } from './backup-codes.ts';
import { newTotpSecret, openTotpSecret, sealTotpSecret, totpStep, totpUri } from './totp.ts';
import { registerSecurityKey, securityKeyRegistrationOptions } from './security-keys.ts';
import { requireFactorProofIfOn, requireSetupProvenBy, twoStepMethods, twoStepIsOn, verifyFactorProof, type FactorProof } from './two-step-proof.ts';
import { queueNotice, transactionWithNotices, type NoticeTx } from './notice-outbox.ts';
import type { AuthenticatedSession, ReauthenticatedSession } from './sessions.ts';

async function requireUser(ctx: ServerContext, userId: string) {
  const user = await findUserById(ctx.db, userId);
  if (user === undefined) throw new LatchkeyError('unauthenticated', 'This account no longer exists.');
  return user;
}

/** Logs the change and queues its notice, in the change's transaction. */
async function announce(ctx: ServerContext, tx: NoticeTx, userId: string, meta: RequestMeta, type: SecurityEventType, change: string): Promise<void> {
  const now = ctx.clock();
  await recordSecurityEvent(tx, { userId, type, detail: { change }, ip: meta.ip, now });
  const user = await findUserById(tx, userId);
  if (user === undefined) throw new LatchkeyError('unauthenticated', 'This account no longer exists.');
  await queueNotice(ctx, tx, user.email, { kind: 'two-factor-changed', change, at: now.toISOString(), ip: meta.ip });
}

/** How long a started factor setup (TOTP secret, security-key registration) can be confirmed. */
export const FACTOR_SETUP_TTL_MS = 10 * 60_000;

export async function twoStepStatus(ctx: ServerContext, session: AuthenticatedSession): Promise<TwoStepStatus> {
  const totp = (await totpRepo.findTotpFactor(ctx.db, session.userId, 'active')) !== undefined;
  const keys = await keysRepo.listSecurityKeys(ctx.db, session.userId);
  const remaining = await remainingBackupCodes(ctx.db, session.userId);
  const enabled = totp || keys.length > 0;
  return {
    enabled,
    totp,
    securityKeys: keys.map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null })),
    backupCodesRemaining: remaining,
    regenerateBackupCodes: enabled && remaining <= REGENERATE_WHEN_AT_MOST,
  };
}

export async function startTotpSetup(ctx: ServerContext, session: ReauthenticatedSession, meta: RequestMeta, proof: FactorProof): Promise<TotpSetupResponse> {
  const proven = await requireFactorProofIfOn(ctx, meta, session.userId, proof);
  const user = await requireUser(ctx, session.userId);
  const secret = newTotpSecret();
  await totpRepo.putPendingTotp(ctx.db, session.userId, await sealTotpSecret(ctx, session.userId, secret), proven ? session.id : null, ctx.clock());
  return { secret, uri: totpUri(secret, user.email) };
}

/**
 * Activates the pending TOTP factor with a first valid code; issues backup codes if two-step verification was off.
 * Needs a recently re-authenticated session and an unexpired setup. @throws `code_expired` for a setup
 * older than 10 minutes, `second_factor_required` (see `requireSetupProvenBy`).
 */
export async function confirmTotp(ctx: ServerContext, session: ReauthenticatedSession, meta: RequestMeta, otp: string): Promise<{ backupCodes: string[] }> {
  const pending = await totpRepo.findTotpFactor(ctx.db, session.userId, 'pending');
  if (pending === undefined) throw new LatchkeyError('not_found', 'Start the authenticator app setup first.');
  const now = ctx.clock();
  if (now.getTime() - pending.createdAt.getTime() > FACTOR_SETUP_TTL_MS)
    throw new LatchkeyError('code_expired', 'This authenticator app setup expired (10 minutes). Start it again.');
  await requireSetupProvenBy(ctx, session, pending.proofSessionId);
  const step = totpStep(await openTotpSecret(ctx, session.userId, pending.encryptedSecret), otp, now);
  if (step === undefined) throw new LatchkeyError('invalid_code', 'That code is not right. Check the time on your phone and enter the current code.');
  const wasEnabled = await twoStepIsOn(ctx, session.userId);
  const backupCodes = await transactionWithNotices(ctx, async (tx) => {
    if (!(await totpRepo.activatePendingTotp(tx, session.userId, pending.encryptedSecret, step, now)))
      throw new LatchkeyError('conflict', 'The setup changed meanwhile. Start again.');
    const issued = wasEnabled ? [] : await issueBackupCodes(tx, session.userId, now);
    await announce(ctx, tx, session.userId, meta, 'two-factor.totp-enabled', 'an authenticator app was turned on');
    return issued;
  });
  return { backupCodes };
}

export async function disableTotp(ctx: ServerContext, session: ReauthenticatedSession, meta: RequestMeta, proof: FactorProof): Promise<void> {
  if ((await totpRepo.findTotpFactor(ctx.db, session.userId, 'active')) === undefined)
    throw new LatchkeyError('invalid_request', 'No authenticator app is turned on.');
  await verifyFactorProof(ctx, meta, session.userId, proof);
  await transactionWithNotices(ctx, async (tx) => {
    await totpRepo.deleteTotp(tx, session.userId);
    if ((await keysRepo.listSecurityKeys(tx, session.userId)).length === 0) await deleteBackupCodes(tx, session.userId);
    await announce(ctx, tx, session.userId, meta, 'two-factor.totp-disabled', 'the authenticator app was turned off');
  });
}

/** Changing factors (docs/protocol.md §16.6): re-authentication and a proof by an enrolled factor, like disabling. */
export async function regenerateBackupCodes(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  proof: FactorProof,
): Promise<{ backupCodes: string[] }> {
  if ((await twoStepMethods(ctx, session.userId)).length === 0) throw new LatchkeyError('invalid_request', 'Turn on two-step verification first.');
  await verifyFactorProof(ctx, meta, session.userId, proof);
  const backupCodes = await transactionWithNotices(ctx, async (tx) => {
    const issued = await issueBackupCodes(tx, session.userId, ctx.clock());
    await announce(
      ctx,
      tx,
      session.userId,
      meta,
      'two-factor.backup-codes-regenerated',
      `${BACKUP_CODE_COUNT} new backup codes were created; the old ones no longer work`,
    );
    return issued;
  });
  return { backupCodes };
}

export async function startSecurityKeyRegistration(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  proof: FactorProof,
): Promise<ChallengeOptions> {
  const proven = await requireFactorProofIfOn(ctx, meta, session.userId, proof);
  const user = await requireUser(ctx, session.userId);
  return securityKeyRegistrationOptions(ctx, { id: user.id, email: user.email, name: user.name }, proven ? session.id : null);
}

export async function finishSecurityKeyRegistration(
  ctx: ServerContext,
  session: ReauthenticatedSession,
  meta: RequestMeta,
  body: { name: string; response: Record<string, unknown> },
): Promise<{ id: string; backupCodes: string[] }> {
  const wasEnabled = await twoStepIsOn(ctx, session.userId);
  return transactionWithNotices(ctx, async (tx) => {
    // With two-step verification on, only a registration whose options were given for a proof in this session counts.
    const id = await registerSecurityKey(ctx, tx, session.userId, body.name, body.response, wasEnabled ? session.id : null);
    await resetSecurityKeyFailures(tx, session.userId);
    const backupCodes = wasEnabled ? [] : await issueBackupCodes(tx, session.userId, ctx.clock());
    await announce(ctx, tx, session.userId, meta, 'two-factor.security-key-added', `security key "${body.name}" was added`);
    return { id, backupCodes };
  });
}

export async function removeSecurityKey(ctx: ServerContext, session: ReauthenticatedSession, meta: RequestMeta, id: string, proof: FactorProof): Promise<void> {
  const key = await keysRepo.findSecurityKey(ctx.db, session.userId, id);
  if (key === undefined) throw new LatchkeyError('not_found', 'No such security key.');
  await verifyFactorProof(ctx, meta, session.userId, proof);
  await transactionWithNotices(ctx, async (tx) => {
    await keysRepo.deleteSecurityKey(tx, session.userId, id);
    const totpOn = (await totpRepo.findTotpFactor(tx, session.userId, 'active')) !== undefined;
    if (!totpOn && (await keysRepo.listSecurityKeys(tx, session.userId)).length === 0) await deleteBackupCodes(tx, session.userId);
    await announce(ctx, tx, session.userId, meta, 'two-factor.security-key-removed', `security key "${key.name}" was removed`);
  });
}
