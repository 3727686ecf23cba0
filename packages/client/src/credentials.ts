/**
 * Changing the account password or the Secret Key. The client proves the current credentials
 * (unlock), registers OPAQUE anew, re-wraps the same keyset's symmetric key under the new
 * Account Unlock Key, and the server swaps everything in one transaction. A new Secret Key is
 * stored on this device as *pending* before the swap, so a lost response cannot lock anyone out.
 * With two-step verification on, the swap also needs `proof` by an enrolled factor (the server
 * answers `second_factor_required` without one, with the account's methods in `details`).
 */
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { wrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { accountIdOf, generateSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { requireGoodNewPassword } from './new-account-password.ts';
import { wipe } from '@latchkey/core/bytes';
import type { CredentialsChangeFinishResponse } from '@latchkey/core/wire/auth';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ClientContext } from './context.ts';
import { outcomeUnknown } from './http.ts';
import { accountKey, updateStore } from './local-store.ts';
import { resolveSecretKey, unlock } from './sign-in.ts';
import type { FactorProof } from './two-step.ts';

async function changeCredentials(ctx: ClientContext, currentPassword: string, newPassword: string, reason: 'password' | 'secret-key', proof: FactorProof) {
  // A Secret Key change keeps the password, however old: only a new password is held to today's rule.
  if (reason === 'password')
    await requireGoodNewPassword(newPassword, [(await ctx.store.read()).session?.email ?? '', ctx.keys?.account.name ?? '', ctx.api.baseUrl]);
  const account = await unlock(ctx, currentPassword);
  const keyset = ctx.keys!.keyset;
  const oldKey = await resolveSecretKey(ctx, account.email);
  const newKey: SecretKey = reason === 'secret-key' ? generateSecretKey(accountIdOf(oldKey)) : oldKey;
  const storeKey = accountKey(ctx.api.baseUrl, account.email);

  const input = twoSecretPasswordInput(newPassword, newKey);
  const { clientRegistrationState, registrationRequest } = await ctx.derivation.startRegistration(input);
  const { registrationResponse } = await ctx.api.call(endpoints.credentialsChangeStart, { registrationRequest });
  const { registrationRecord, exportKey } = await ctx.derivation.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  const auk = deriveAccountUnlockKey(exportKey);
  const encryptedSymmetricKey = await wrapKeysetSymmetricKey(keyset, auk);
  wipe(auk);

  if (reason === 'secret-key') {
    await updateStore(ctx.store, (s) => {
      s.pendingSecretKeys = { ...s.pendingSecretKeys, [storeKey]: newKey };
    });
  }
  let result: CredentialsChangeFinishResponse;
  try {
    result = await ctx.api.call(endpoints.credentialsChangeFinish, {
      reason,
      accountId: accountIdOf(newKey),
      registrationRecord,
      secretKeyVerifier: secretKeyVerifier(newKey),
      encryptedSymmetricKey,
      ...proof,
    });
  } catch (error) {
    // The server said no (a missing or wrong proof, say): nothing changed, so the new key is
    // no candidate. Without a readable answer it might have changed, so the pending key stays.
    if (reason === 'secret-key' && error instanceof LatchkeyError && !outcomeUnknown(error)) {
      await updateStore(ctx.store, (s) => {
        if (s.pendingSecretKeys) delete s.pendingSecretKeys[storeKey];
      });
    }
    throw error;
  }
  await updateStore(ctx.store, (s) => {
    s.secretKeys = { ...s.secretKeys, [storeKey]: newKey };
    if (s.pendingSecretKeys) delete s.pendingSecretKeys[storeKey];
  });
  return { secretKey: newKey, signedOutSessions: result.signedOutSessions };
}

export async function changePassword(
  ctx: ClientContext,
  currentPassword: string,
  newPassword: string,
  proof: FactorProof = {},
): Promise<{ signedOutSessions: number }> {
  const { signedOutSessions } = await changeCredentials(ctx, currentPassword, newPassword, 'password', proof);
  return { signedOutSessions };
}

export async function changeSecretKey(
  ctx: ClientContext,
  password: string,
  proof: FactorProof = {},
): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
  return changeCredentials(ctx, password, password, 'secret-key', proof);
}
