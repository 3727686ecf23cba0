/**
 * What a proven recovery code earns (docs/protocol.md §14.5): the server's grant (30 minutes,
 * consumed by `finish`) and this account's keyset, opened on this device. `setCredentials`
 * registers a new password with a new Secret Key and re-wraps the same keyset under them.
 *
 * The grant holds the keyset's private keys, so it wipes them once it is spent: after the final
 * request succeeded, after it got no answer (the swap may have happened; the pending Secret Key
 * is kept for the next sign-in on this device, §10), or on `discard()`. Until then a failed
 * step can be retried with the same grant: a password refused before any request, a failed
 * registration request, or a final request the server refused (nothing changed).
 */
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { wrapKeysetSymmetricKey, type Keyset } from '@latchkey/core/keyset';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { generateSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { requireGoodNewPassword } from './new-account-password.ts';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { ClientContext } from './context.ts';
import { outcomeUnknown } from './http.ts';
import { accountKey, updateStore } from './local-store.ts';

export interface ProvenRecovery {
  readonly email: string;
  readonly grant: string;
  readonly accountId: string;
  readonly keyset: Keyset;
  readonly expiresAt: Date;
}

export class RecoveryGrant {
  readonly email: string;
  /** The account id the new Secret Key starts with (the same as the old one's). */
  readonly accountId: string;
  /** After this the server refuses the grant (`code_expired`): prove the code again. */
  readonly expiresAt: Date;
  readonly #ctx: ClientContext;
  readonly #grant: string;
  #keyset: Keyset | undefined;
  #busy = false;

  constructor(ctx: ClientContext, proven: ProvenRecovery) {
    this.#ctx = ctx;
    this.#grant = proven.grant;
    this.#keyset = proven.keyset;
    this.email = proven.email;
    this.accountId = proven.accountId;
    this.expiresAt = proven.expiresAt;
  }

  /** True once the credentials were set, the final answer was lost, or `discard()` was called. */
  get spent(): boolean {
    return this.#keyset === undefined;
  }

  /**
   * Sets the new account password and a new Secret Key; every session and device is signed out.
   * @throws LatchkeyError `password_too_short` or `password_too_weak` (core/account-password-strength.ts; nothing sent),
   *   `invalid_request` (a call while one runs; nothing sent), `code_expired` (grant spent here, expired or used: start again),
   *   `network_error` or `invalid_server_response` from the final request (grant spent: sign
   *   in with the new password on this device, which tries the pending Secret Key, or start
   *   again), `invalid_registration_record`.
   */
  async setCredentials(newPassword: string): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
    const keyset = this.#keyset;
    if (keyset === undefined) throw new LatchkeyError('code_expired', 'This recovery was already completed or abandoned. Start again.');
    if (this.#busy) throw new LatchkeyError('invalid_request', 'The new credentials are already being set.');
    this.#busy = true;
    try {
      await requireGoodNewPassword(newPassword, [this.email, this.#ctx.api.baseUrl]);
      return await this.#register(keyset, newPassword);
    } finally {
      this.#busy = false;
    }
  }

  /** Wipes the opened keyset; the grant cannot be used from this device after that. */
  discard(): void {
    const keyset = this.#keyset;
    this.#keyset = undefined;
    if (keyset === undefined) return;
    wipe(keyset.symmetricKey);
    wipe(keyset.encryption.privateKey);
    wipe(keyset.signing.secretKey);
  }

  async #register(keyset: Keyset, newPassword: string): Promise<{ secretKey: SecretKey; signedOutSessions: number }> {
    const ctx = this.#ctx;
    const secretKey = generateSecretKey(this.accountId);
    const input = twoSecretPasswordInput(newPassword, secretKey);
    const { clientRegistrationState, registrationRequest } = await ctx.derivation.startRegistration(input);
    const { registrationResponse } = await ctx.api.call(endpoints.recoveryRegister, { grant: this.#grant, registrationRequest });
    const { registrationRecord, exportKey } = await ctx.derivation.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
    const auk = deriveAccountUnlockKey(exportKey);
    const encryptedSymmetricKey = await wrapKeysetSymmetricKey(keyset, auk);
    wipe(auk);

    // Stored before the final request, so a lost answer cannot leave the person without it.
    const storeKey = accountKey(ctx.api.baseUrl, this.email);
    await updateStore(ctx.store, (s) => {
      s.pendingSecretKeys = { ...s.pendingSecretKeys, [storeKey]: secretKey };
    });
    let result: { signedOutSessions: number };
    try {
      result = await ctx.api.call(endpoints.recoveryFinish, {
        grant: this.#grant,
        accountId: this.accountId,
        registrationRecord,
        secretKeyVerifier: secretKeyVerifier(secretKey),
        encryptedSymmetricKey,
      });
    } catch (error) {
      if (error instanceof LatchkeyError && !outcomeUnknown(error)) {
        // The server said no, in one transaction: nothing changed, so the new key is no candidate.
        await updateStore(ctx.store, (s) => {
          if (s.pendingSecretKeys) delete s.pendingSecretKeys[storeKey];
        });
      } else {
        // No answer, or one that could not be read: the swap may have happened. A retry would
        // make another Secret Key and replace this pending one, so the grant ends here.
        this.discard();
      }
      throw error;
    }
    this.discard();
    await updateStore(ctx.store, (s) => {
      s.secretKeys = { ...s.secretKeys, [storeKey]: secretKey };
      if (s.pendingSecretKeys) delete s.pendingSecretKeys[storeKey];
      delete s.pendingRecovery;
      if (s.session?.server === ctx.api.baseUrl && s.session.email.toLowerCase() === this.email.toLowerCase()) delete s.session;
    });
    return { secretKey, signedOutSessions: result.signedOutSessions };
  }
}
