/**
 * Managing the account's recovery code while signed in: create (pending), confirm, check,
 * status, delete. The code is generated here and never sent; the server gets the public half of
 * its authentication key and the keyset's symmetric key wrapped by its wrapping key.
 * With two-step verification on, creating and deleting need a proof by an enrolled factor; the
 * proof given at creation also counts for confirming that code from this session (within 30
 * minutes).
 */
import { wrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import { deriveRecoveryKeys, generateRecoveryCode, parseRecoveryCode, proveRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { RecoveryCodeStatus } from '@latchkey/core/wire/recovery';
import type { ClientContext } from './context.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';
import type { FactorProof } from './two-step.ts';

/**
 * Creates a new pending code. Needs an unlocked client whose unlock was within the last 5
 * minutes and, with two-step verification on, `proof` (else `second_factor_required`).
 */
export async function createRecoveryCode(ctx: ClientContext, proof: FactorProof = {}): Promise<{ recoveryCode: RecoveryCode; status: RecoveryCodeStatus }> {
  const { keyset } = requireUnlocked(ctx);
  await requireSession(ctx);
  const recoveryCode = generateRecoveryCode();
  const keys = deriveRecoveryKeys(recoveryCode);
  const wrappedSymmetricKey = await wrapKeysetSymmetricKey(keyset, keys.wrappingKey, 'recovery-code');
  wipe(keys.wrappingKey);
  const status = await ctx.api.call(endpoints.createRecoveryCode, { authPublicKey: keys.authPublicKey, wrappedSymmetricKey, ...proof });
  wipe(keys.authSecretKey);
  return { recoveryCode, status };
}

async function prove(ctx: ClientContext, purpose: 'confirm' | 'check', codeText: string) {
  await requireSession(ctx);
  const code = parseRecoveryCode(codeText);
  const { challengeId, challenge } = await ctx.api.call(endpoints.recoveryCodeChallenge, { purpose });
  const keys = deriveRecoveryKeys(code);
  const proof = proveRecoveryCode(keys, purpose, challenge);
  wipe(keys.authSecretKey);
  wipe(keys.wrappingKey);
  return { challengeId, proof };
}

/** Activates the pending code; throws `invalid_recovery_code` if `codeText` is not it. */
export async function confirmRecoveryCode(ctx: ClientContext, codeText: string): Promise<RecoveryCodeStatus> {
  return ctx.api.call(endpoints.confirmRecoveryCode, await prove(ctx, 'confirm', codeText));
}

export async function checkRecoveryCode(ctx: ClientContext, codeText: string): Promise<boolean> {
  return (await ctx.api.call(endpoints.checkRecoveryCode, await prove(ctx, 'check', codeText))).valid;
}

export async function recoveryCodeStatus(ctx: ClientContext): Promise<RecoveryCodeStatus> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.recoveryCodeStatus);
}

/** Needs an unlock within the last 5 minutes and, with two-step verification on, `proof`. */
export async function deleteRecoveryCode(ctx: ClientContext, proof: FactorProof = {}): Promise<RecoveryCodeStatus> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.deleteRecoveryCode, proof);
}
