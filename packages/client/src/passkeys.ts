/**
 * Passkey accounts on the client (docs/protocol.md §24.8–24.11): sign up with a passkey and no
 * password, unlock with a passkey, and manage the trusted devices. The credential bundle (account
 * id + 256-bit account secret) is made here, sealed under this device's own key and never sent in
 * clear; the password and Secret Key it derives run the ordinary OPAQUE sign-in.
 *
 * The authenticator is the browser's `navigator.credentials` (through @simplewebauthn/browser)
 * in the web app, a software authenticator in tests. The device key is the caller's to keep: a
 * non-extractable AES-256-GCM `CryptoKey` in IndexedDB in the browser, 32 bytes in a 0600 key
 * file in Node.
 */
import { wipe } from '@latchkey/core/bytes';
import {
  deviceKeyFromCryptoKey,
  importDeviceKey,
  openDeviceCredentialBundle,
  sealDeviceCredentialBundle,
  type DeviceKey,
} from '@latchkey/core/device-credential-bundle';
import { LatchkeyError } from '@latchkey/core/errors';
import type { UserId } from '@latchkey/core/ids';
import { wrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import {
  decodeCredentialBundle,
  encodeCredentialBundle,
  generatePasskeyCredentials,
  passkeyPassword,
  passkeySecretKey,
  type PasskeyCredentials,
} from '@latchkey/core/passkey-account';
import { deriveRecoveryKeys, generateRecoveryCode, parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { secretKeyVerifier } from '@latchkey/core/secret-key';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { TrustedDevice } from '@latchkey/core/wire/passkeys';
import { deviceForRequest, deviceId, type ClientContext } from './context.ts';
import { checkAndPinKeys } from './key-trust.ts';
import { accountKey, updateStore } from './local-store.ts';
import { reauthenticate, rememberSession, requireSession, signIn, type SignInParams } from './sign-in.ts';
import { newAccountKeys, pendingVerificationId } from './signup.ts';

/** WebAuthn ceremonies: given the server's options JSON, the credential JSON (as @simplewebauthn/browser returns it). */
export interface PasskeyAuthenticator {
  create(options: Record<string, unknown>): Promise<Record<string, unknown>>;
  get(options: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Where this device keeps its device key. */
export interface DeviceKeyProvider {
  /** Makes a new key and keeps it (IndexedDB; a 0600 file): a non-extractable AES-256-GCM CryptoKey, or 32 random bytes. */
  create(): Promise<CryptoKey | Uint8Array>;
  /** This device's key, or undefined when it has none. */
  load(): Promise<CryptoKey | Uint8Array | undefined>;
}

export const asDeviceKey = (key: CryptoKey | Uint8Array): Promise<DeviceKey> =>
  key instanceof Uint8Array ? importDeviceKey(key) : Promise.resolve(deviceKeyFromCryptoKey(key));

export interface PasskeySignup {
  readonly email: string;
  readonly name: string;
  readonly code: string;
  readonly verificationId?: string;
  readonly authenticator: PasskeyAuthenticator;
  readonly deviceKeys: DeviceKeyProvider;
  /**
   * Shows the new recovery code and returns what the person typed back. The account is created
   * only when it matches (`invalid_recovery_code` otherwise, before the account exists).
   */
  readonly confirmRecoveryCode: (code: RecoveryCode) => Promise<string>;
}

export async function signUpWithPasskey(ctx: ClientContext, params: PasskeySignup): Promise<{ userId: UserId; email: string; recoveryCode: RecoveryCode }> {
  const verificationId = await pendingVerificationId(ctx, params.email, params.verificationId);
  const { ticket, userId } = await ctx.api.call(endpoints.signupVerify, { verificationId, code: params.code });
  // The recovery code is the account's only way back after losing every device: typed back first.
  const recoveryCode = generateRecoveryCode();
  if (parseRecoveryCode(await params.confirmRecoveryCode(recoveryCode)) !== recoveryCode) {
    throw new LatchkeyError('invalid_recovery_code', 'The recovery code typed back is not the one shown. Nothing was created; start again.');
  }
  const attestation = await params.authenticator.create(await ctx.api.call(endpoints.passkeySignupOptions, { ticket }));

  const credentials = generatePasskeyCredentials();
  const bundle = encodeCredentialBundle(credentials);
  const secretKey = passkeySecretKey(credentials);
  const password = passkeyPassword(credentials);
  wipe(credentials.accountSecret);
  try {
    const { keyset, personalVault, personalVaultPin, registrationRecord, encryptedKeyset } = await newAccountKeys(ctx, ticket, password, secretKey);

    const recoveryKeys = deriveRecoveryKeys(recoveryCode);
    const wrappedSymmetricKey = await wrapKeysetSymmetricKey(keyset, recoveryKeys.wrappingKey, 'recovery-code');
    wipe(recoveryKeys.wrappingKey);
    wipe(recoveryKeys.authSecretKey);

    const device = await deviceForRequest(ctx);
    const sealedBundle = await sealDeviceCredentialBundle(
      await asDeviceKey(await params.deviceKeys.create()),
      { accountId: userId, deviceId: device.id },
      bundle,
    );
    await checkAndPinKeys(ctx, keyset.id, [personalVaultPin]);
    const result = await ctx.api.call(endpoints.passkeySignupFinish, {
      ticket,
      name: params.name,
      accountId: credentials.accountId,
      registrationRecord,
      secretKeyVerifier: secretKeyVerifier(secretKey),
      keyset: encryptedKeyset,
      personalVault,
      device,
      passkey: attestation,
      sealedBundle,
      recoveryCode: { authPublicKey: recoveryKeys.authPublicKey, wrappedSymmetricKey },
    });
    if (result.session.token === undefined) throw new LatchkeyError('internal', 'The server did not return a session.');
    await rememberSession(ctx, params.email, result.account, result.session, result.session.token);
    await updateStore(ctx.store, (s) => {
      delete s.pendingSignup;
    });
    ctx.keys = { account: result.account, keyset, vaultKeys: new Map() };
    return { userId, email: result.account.email, recoveryCode };
  } finally {
    wipe(bundle);
  }
}

export interface PasskeyUnlock {
  readonly email: string;
  readonly authenticator: PasskeyAuthenticator;
  readonly deviceKeys: DeviceKeyProvider;
  readonly twoStep?: SignInParams['twoStep'];
}

/**
 * Passkey assertion → this device's sealed bundle → opened by the device key → OPAQUE with the
 * derived password and Secret Key: a re-authentication inside this device's session for the
 * email, else a new sign-in. @throws `device_not_trusted` (no device key here, or the server no
 * longer trusts this device), `decryption_failed` (a bundle not sealed for this device and account).
 */
export async function unlockWithPasskey(ctx: ClientContext, params: PasskeyUnlock): Promise<AccountProfile> {
  const { userId, bundle } = await openOwnBundle(ctx, params);
  const credentials = decodeCredentialBundle(bundle);
  wipe(bundle);
  return signInWithCredentials(ctx, { email: params.email, userId, credentials, ...(params.twoStep ? { twoStep: params.twoStep } : {}) });
}

/**
 * Passkey assertion → this device's sealed bundle → opened by the device key. The caller wipes
 * the bundle. @throws as `unlockWithPasskey`.
 */
export async function openOwnBundle(
  ctx: ClientContext,
  params: { readonly email: string; readonly authenticator: PasskeyAuthenticator; readonly deviceKeys: DeviceKeyProvider },
): Promise<{ userId: string; bundle: Uint8Array }> {
  const stored = await params.deviceKeys.load();
  if (stored === undefined) throw new LatchkeyError('device_not_trusted', 'This device has no device key: enroll it from a trusted device first.');
  const deviceKey = await asDeviceKey(stored);
  const options = await ctx.api.call(endpoints.passkeyUnlockOptions, { email: params.email });
  const response = await params.authenticator.get(options);
  const id = await deviceId(ctx);
  const { userId, sealedBundle } = await ctx.api.call(endpoints.passkeyUnlock, { email: params.email, deviceId: id, response });
  return { userId, bundle: await openDeviceCredentialBundle(deviceKey, { accountId: userId, deviceId: id }, sealedBundle) };
}

/**
 * Signs in (or re-authenticates this device's live session) with the password and Secret Key
 * the bundle's account secret derives, then forgets the Secret Key sign-in remembers: the device
 * keeps only the sealed bundle on the server. Wipes `credentials.accountSecret`.
 */
export async function signInWithCredentials(
  ctx: ClientContext,
  params: { readonly email: string; readonly userId: string; readonly credentials: PasskeyCredentials; readonly twoStep?: SignInParams['twoStep'] },
): Promise<AccountProfile> {
  const { credentials, userId } = params;
  const secretKey = passkeySecretKey(credentials);
  const password = passkeyPassword(credentials);
  wipe(credentials.accountSecret);

  const session = (await ctx.store.read()).session;
  if (session !== undefined && session.server === ctx.api.baseUrl && session.userId === userId) {
    try {
      return await reauthenticate(ctx, password, secretKey);
    } catch (error) {
      // An ended session (deauthorized elsewhere, expired): sign in anew below.
      if (!(error instanceof LatchkeyError && (error.code === 'unauthenticated' || error.code === 'session_expired'))) throw error;
    }
  }
  const account = await signIn(ctx, { email: params.email, password, secretKey, ...(params.twoStep ? { twoStep: params.twoStep } : {}) });
  // The derived Secret Key is the bundle's; the device keeps only the sealed copy on the server.
  await updateStore(ctx.store, (s) => {
    if (s.secretKeys) delete s.secretKeys[accountKey(ctx.api.baseUrl, params.email)];
  });
  return account;
}

export async function listTrustedDevices(ctx: ClientContext): Promise<TrustedDevice[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listTrustedDevices)).devices;
}

export async function renameTrustedDevice(ctx: ClientContext, deviceIdToRename: string, name: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.renameTrustedDevice, { deviceId: deviceIdToRename, name });
}

/** Deauthorizes a trusted device (also this one). Needs a re-authentication within the last 5 minutes. */
export async function removeTrustedDevice(ctx: ClientContext, deviceIdToRemove: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.removeTrustedDevice, { deviceId: deviceIdToRemove });
}
