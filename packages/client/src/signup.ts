/**
 * Sign-up on the client: the server proves the email; the client generates the Secret Key,
 * registers OPAQUE with password + Secret Key, creates the keyset and the Personal vault, and
 * sends only ciphertext, public keys and the OPAQUE record.
 */
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { importBoxKey } from '@latchkey/core/sealed-box';
import { createKeyset, encryptKeyset, keysetRecipient, keysetSigner } from '@latchkey/core/keyset';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { accountIdOf, generateSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { createVaultKey, encryptVaultAttributes, vaultKeyFingerprint, wrapVaultKey } from '@latchkey/core/vault-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { requireGoodNewPassword } from './new-account-password.ts';
import { newVaultId, type UserId } from '@latchkey/core/ids';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { deviceForRequest, type ClientContext } from './context.ts';
import { checkAndPinKeys } from './key-trust.ts';
import { accountKey, updateStore } from './local-store.ts';
import { rememberSession } from './sign-in.ts';

export const PERSONAL_VAULT_NAME = 'Personal';

export async function startSignup(ctx: ClientContext, email: string): Promise<{ verificationId: string }> {
  const response = await ctx.api.call(endpoints.signupStart, { email });
  await updateStore(ctx.store, (s) => {
    s.pendingSignup = { server: ctx.api.baseUrl, email, verificationId: response.verificationId };
  });
  return { verificationId: response.verificationId };
}

export interface CompleteSignup {
  readonly email: string;
  readonly name: string;
  readonly code: string;
  readonly password: string;
  /** From `startSignup`; defaults to the one this device remembers for the email. */
  readonly verificationId?: string;
}

/** The pending sign-up's verification id: the one given, else the one this device remembers for the email. */
export async function pendingVerificationId(ctx: ClientContext, email: string, given?: string): Promise<string> {
  const state = await ctx.store.read();
  const verificationId =
    given ??
    (state.pendingSignup?.server === ctx.api.baseUrl && state.pendingSignup.email.toLowerCase() === email.toLowerCase()
      ? state.pendingSignup.verificationId
      : undefined);
  if (verificationId === undefined)
    throw new LatchkeyError('invalid_request', 'Start the sign-up first: no verification is pending for this email on this device.');
  return verificationId;
}

/** OPAQUE registration for (password, Secret Key), then a new keyset under the AUK and the Personal vault. */
export async function newAccountKeys(ctx: ClientContext, ticket: string, password: string, secretKey: SecretKey) {
  const input = twoSecretPasswordInput(password, secretKey);
  const { clientRegistrationState, registrationRequest } = await ctx.derivation.startRegistration(input);
  const { registrationResponse } = await ctx.api.call(endpoints.signupRegister, { ticket, registrationRequest });
  const { registrationRecord, exportKey } = await ctx.derivation.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  const auk = deriveAccountUnlockKey(exportKey);

  const keyset = await createKeyset();
  const vaultId = newVaultId();
  const vaultKey = createVaultKey();
  const personalVault = {
    id: vaultId,
    encryptedAttrs: await encryptVaultAttributes(await importBoxKey(vaultKey), vaultId, { name: PERSONAL_VAULT_NAME }),
    keyWrap: await wrapVaultKey(vaultKey, vaultId, keysetRecipient(keyset), keysetSigner(keyset)),
  };
  const personalVaultPin = { purpose: 'vault-key', subjectId: vaultId, fingerprint: vaultKeyFingerprint(vaultId, vaultKey) } as const;
  const encryptedKeyset = await encryptKeyset(keyset, auk);
  wipe(auk);
  wipe(vaultKey);
  return { keyset, personalVault, personalVaultPin, registrationRecord, encryptedKeyset };
}

export async function completeSignup(ctx: ClientContext, params: CompleteSignup): Promise<{ secretKey: SecretKey; email: string; userId: UserId }> {
  await requireGoodNewPassword(params.password, [params.email, params.name, ctx.api.baseUrl]);
  const verificationId = await pendingVerificationId(ctx, params.email, params.verificationId);

  const { ticket, userId } = await ctx.api.call(endpoints.signupVerify, { verificationId, code: params.code });
  const secretKey = generateSecretKey();
  const account = await newAccountKeys(ctx, ticket, params.password, secretKey);
  const { keyset, personalVault, personalVaultPin, registrationRecord, encryptedKeyset } = account;

  // Remember the Secret Key before the account exists, so a lost response cannot lose it; pin
  // the Personal vault's key before the server could offer another.
  await updateStore(ctx.store, (s) => {
    s.secretKeys = { ...s.secretKeys, [accountKey(ctx.api.baseUrl, params.email)]: secretKey };
  });
  await checkAndPinKeys(ctx, keyset.id, [personalVaultPin]);
  const result = await ctx.api.call(endpoints.signupFinish, {
    ticket,
    name: params.name,
    accountId: accountIdOf(secretKey),
    registrationRecord,
    secretKeyVerifier: secretKeyVerifier(secretKey),
    keyset: encryptedKeyset,
    personalVault,
    device: await deviceForRequest(ctx),
  });
  if (result.session.token === undefined) throw new LatchkeyError('internal', 'The server did not return a session.');
  await rememberSession(ctx, params.email, result.account, result.session, result.session.token);
  await updateStore(ctx.store, (s) => {
    delete s.pendingSignup;
  });
  ctx.keys = { account: result.account, keyset, vaultKeys: new Map() };
  return { secretKey, email: result.account.email, userId };
}
