/**
 * Recovering an account with its recovery code (or enough share cards), without a session:
 * prove the email, prove the code by signing the server's ticket, unwrap the keyset's symmetric
 * key with the code's wrapping key, then register a new password and a new Secret Key. The new
 * Secret Key is stored on this device as pending before the final request, so a lost response
 * cannot leave the user without it. Recovery does not sign in.
 */
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { openKeyset, unwrapKeysetSymmetricKey, wrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { deriveRecoveryKeys, parseRecoveryCode, proveRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { combineRecoveryShares } from '@latchkey/core/recovery-shares';
import { generateSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { wipe } from '@latchkey/core/bytes';
import type { RecoveryProveResponse, RecoveryStartResponse, RecoveryVerifyResponse } from '@latchkey/core/wire/recovery';
import type { ClientContext } from './context.ts';
import { accountKey, updateStore } from './local-store.ts';

export async function startRecovery(ctx: ClientContext, email: string): Promise<{ verificationId: string }> {
  const response = await ctx.api.request<RecoveryStartResponse>('POST', '/api/recovery/start', { email });
  await updateStore(ctx.store, (s) => {
    s.pendingRecovery = { server: ctx.api.baseUrl, email, verificationId: response.verificationId };
  });
  return { verificationId: response.verificationId };
}

export interface CompleteRecovery {
  readonly email: string;
  readonly emailCode: string;
  readonly newPassword: string;
  /** The recovery code, or `shares`: the texts of enough share cards. */
  readonly recoveryCode?: string;
  readonly shares?: readonly string[];
  readonly verificationId?: string;
}

async function codeFrom(params: CompleteRecovery): Promise<RecoveryCode> {
  if (params.recoveryCode !== undefined) return parseRecoveryCode(params.recoveryCode);
  if (params.shares !== undefined) return combineRecoveryShares(params.shares);
  throw new LatchkeyError('invalid_request', 'Give the recovery code or the share cards.');
}

export async function completeRecovery(ctx: ClientContext, params: CompleteRecovery): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
  if (params.newPassword.length < 8) throw new LatchkeyError('invalid_request', 'Choose an account password of at least 8 characters.');
  // Parse (and check) the code before any request, so a typo costs nothing.
  const code = await codeFrom(params);
  const state = await ctx.store.read();
  const pending = state.pendingRecovery;
  const verificationId =
    params.verificationId ?? (pending?.server === ctx.api.baseUrl && pending.email.toLowerCase() === params.email.toLowerCase() ? pending.verificationId : undefined);
  if (verificationId === undefined) throw new LatchkeyError('invalid_request', 'Start the recovery first: no email code is pending for this email on this device.');

  const { ticket } = await ctx.api.request<RecoveryVerifyResponse>('POST', '/api/recovery/verify', { verificationId, code: params.emailCode });
  const keys = deriveRecoveryKeys(code);
  const proved = await ctx.api.request<RecoveryProveResponse>('POST', '/api/recovery/prove', { ticket, proof: proveRecoveryCode(keys, 'recover', ticket) });
  const symmetricKey = await unwrapKeysetSymmetricKey(proved.keyset.id, proved.wrappedSymmetricKey, keys.wrappingKey, 'recovery-code');
  wipe(keys.wrappingKey);
  wipe(keys.authSecretKey);
  // Opening the whole keyset proves the server handed back this account's real keyset.
  const keyset = await openKeyset(proved.keyset, symmetricKey);

  const secretKey = generateSecretKey(proved.accountId);
  const input = twoSecretPasswordInput(params.newPassword, secretKey);
  const { clientRegistrationState, registrationRequest } = await ctx.derivation.startRegistration(input);
  const { registrationResponse } = await ctx.api.request<{ registrationResponse: string }>('POST', '/api/recovery/register', { grant: proved.grant, registrationRequest });
  const { registrationRecord, exportKey } = await ctx.derivation.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  const auk = deriveAccountUnlockKey(exportKey);
  const encryptedSymmetricKey = await wrapKeysetSymmetricKey(keyset, auk);
  wipe(auk);
  wipe(symmetricKey);
  wipe(keyset.encryption.privateKey);
  wipe(keyset.signing.secretKey);

  const storeKey = accountKey(ctx.api.baseUrl, params.email);
  await updateStore(ctx.store, (s) => {
    s.pendingSecretKeys = { ...s.pendingSecretKeys, [storeKey]: secretKey };
  });
  const result = await ctx.api.request<{ signedOutSessions: number }>('POST', '/api/recovery/finish', {
    grant: proved.grant,
    accountId: proved.accountId,
    registrationRecord,
    secretKeyVerifier: secretKeyVerifier(secretKey),
    encryptedSymmetricKey,
  });
  await updateStore(ctx.store, (s) => {
    s.secretKeys = { ...s.secretKeys, [storeKey]: secretKey };
    if (s.pendingSecretKeys) delete s.pendingSecretKeys[storeKey];
    delete s.pendingRecovery;
    if (s.session?.server === ctx.api.baseUrl && s.session.email.toLowerCase() === params.email.toLowerCase()) delete s.session;
  });
  return { secretKey, signedOutSessions: result.signedOutSessions };
}
