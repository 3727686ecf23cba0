/**
 * Recovering an account with its recovery code (or enough share cards), without a session, one
 * call per step of the server's ceremony (docs/protocol.md §14.5), so a person is told at once
 * which input was wrong and retries only that one:
 *
 *   start(email) → verifyEmail(emailed code) → ticket → prove(ticket, code or share cards)
 *     → grant (recovery-grant.ts) → grant.setCredentials(new password) → new Secret Key
 *
 * The ticket stays live after a wrong recovery code (only a successful proof consumes it), so
 * the same emailed code covers every retry until the server's limits (§14.6). The recovery code
 * is checked on this device before any request, so a typo costs nothing, and is never sent:
 * the proof is a signature over the ticket. Recovery does not sign in.
 */
import { openKeyset, unwrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import { deriveRecoveryKeys, parseRecoveryCode, proveRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { combineRecoveryShares } from '@latchkey/core/recovery-shares';
import type { SecretKey } from '@latchkey/core/secret-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { requireGoodNewPassword } from './new-account-password.ts';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ClientContext } from './context.ts';
import { updateStore } from './local-store.ts';
import { RecoveryGrant } from './recovery-grant.ts';

export async function startRecovery(ctx: ClientContext, email: string): Promise<{ verificationId: string }> {
  const response = await ctx.api.call(endpoints.recoveryStart, { email });
  await updateStore(ctx.store, (s) => {
    s.pendingRecovery = { server: ctx.api.baseUrl, email, verificationId: response.verificationId };
  });
  return { verificationId: response.verificationId };
}

/** Proof that the mailbox was reached: live for 30 minutes, consumed only by a successful `prove`. */
export interface RecoveryTicket {
  readonly email: string;
  readonly ticket: string;
}

export interface VerifyRecoveryEmail {
  readonly email: string;
  readonly emailCode: string;
  /** From `start`; defaults to the one this device remembers for the email. */
  readonly verificationId?: string;
}

/**
 * Checks the emailed code (5 guesses per code, §13.1) and returns the ticket.
 * @throws LatchkeyError `invalid_request` (no recovery started for this email on this device),
 *   `invalid_code`, `code_used`, `code_expired`, `too_many_attempts`, `rate_limited`.
 */
export async function verifyRecoveryEmail(ctx: ClientContext, params: VerifyRecoveryEmail): Promise<RecoveryTicket> {
  const pending = (await ctx.store.read()).pendingRecovery;
  const verificationId =
    params.verificationId ??
    (pending?.server === ctx.api.baseUrl && pending.email.toLowerCase() === params.email.toLowerCase() ? pending.verificationId : undefined);
  if (verificationId === undefined)
    throw new LatchkeyError('invalid_request', 'Start the recovery first: no email code is pending for this email on this device.');
  const { ticket } = await ctx.api.call(endpoints.recoveryVerify, { verificationId, code: params.emailCode.trim() });
  return { email: params.email, ticket };
}

/** What proves the recovery: the code itself, or the texts of enough share cards (§15). */
export type RecoverySecret = { readonly recoveryCode: string } | { readonly shares: readonly string[] };

/**
 * The recovery code a secret stands for, checked here (no request).
 * @throws LatchkeyError `recovery_code_malformed`, `recovery_code_typo`, `share_invalid`,
 *   `share_mismatch`, `share_tampered`, `not_enough_shares`.
 */
export async function recoveryCodeOf(secret: RecoverySecret): Promise<RecoveryCode> {
  return 'recoveryCode' in secret ? parseRecoveryCode(secret.recoveryCode) : combineRecoveryShares(secret.shares);
}

/**
 * Proves the recovery code by signing the ticket, then unwraps and opens the keyset here.
 * @throws LatchkeyError what `recoveryCodeOf` throws (before any request);
 *   `invalid_recovery_code` (the ticket stays live: try another code), `recovery_locked`,
 *   `no_recovery_code`, `rate_limited`; `code_expired` (the ticket was used or is older than 30
 *   minutes: verify a new emailed code); `decryption_failed` (the server sent a keyset this code
 *   does not open).
 */
export async function proveRecovery(ctx: ClientContext, ticket: RecoveryTicket, secret: RecoverySecret): Promise<RecoveryGrant> {
  const keys = deriveRecoveryKeys(await recoveryCodeOf(secret));
  try {
    const proved = await ctx.api.call(endpoints.recoveryProve, { ticket: ticket.ticket, proof: proveRecoveryCode(keys, 'recover', ticket.ticket) });
    const symmetricKey = await unwrapKeysetSymmetricKey(proved.keyset.id, proved.wrappedSymmetricKey, keys.wrappingKey, 'recovery-code');
    // Opening the whole keyset proves the server handed back this account's real keyset.
    const keyset = await openKeyset(proved.keyset, symmetricKey).catch((error: unknown) => {
      wipe(symmetricKey);
      throw error;
    });
    return new RecoveryGrant(ctx, { email: ticket.email, grant: proved.grant, accountId: proved.accountId, keyset, expiresAt: new Date(proved.expiresAt) });
  } finally {
    wipe(keys.wrappingKey);
    wipe(keys.authSecretKey);
  }
}

export interface CompleteRecovery extends VerifyRecoveryEmail {
  readonly newPassword: string;
  /** The recovery code, or `shares`: the texts of enough share cards. */
  readonly recoveryCode?: string;
  readonly shares?: readonly string[];
}

/**
 * All steps at once, for callers that already hold every input (scripts, tests, the benchmark).
 * The password and the code are checked before any request, so a mistake in either costs no
 * emailed code. People should go step by step, so a wrong code can be retried.
 */
export async function completeRecovery(ctx: ClientContext, params: CompleteRecovery): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
  await requireGoodNewPassword(params.newPassword, [params.email, ctx.api.baseUrl]);
  const given: RecoverySecret | undefined =
    params.recoveryCode !== undefined ? { recoveryCode: params.recoveryCode } : params.shares !== undefined ? { shares: params.shares } : undefined;
  if (given === undefined) throw new LatchkeyError('invalid_request', 'Give the recovery code or the share cards.');
  const recoveryCode = await recoveryCodeOf(given);
  const ticket = await verifyRecoveryEmail(ctx, params);
  const grant = await proveRecovery(ctx, ticket, { recoveryCode });
  try {
    return await grant.setCredentials(params.newPassword);
  } finally {
    grant.discard();
  }
}
