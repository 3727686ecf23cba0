/**
 * OPAQUE (RFC 9807) from `@serenity-kit/opaque`, with Latchkey's two-secret input.
 *
 * The OPAQUE "password" is the account password *and* the Secret Key, so the server's
 * registration record (even with the server's OPRF seed) cannot be attacked offline
 * without the Secret Key's 130 random bits. Argon2id stretching is applied inside OPAQUE
 * to the OPRF output. The client's `exportKey` is the root of the Account Unlock Key.
 */
import * as opaque from '@serenity-kit/opaque';

/** RFC 9106 "memory-constrained" Argon2id: m = 64 MiB, t = 3, p = 4 (above OWASP's minimum of m = 19 MiB, t = 2, p = 1). */
export const KEY_STRETCHING = 'memory-constrained' as const;
export const KEY_STRETCHING_PARAMETERS = { algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4 } as const;

export const opaqueReady: Promise<void> = opaque.ready;

export { twoSecretPasswordInput } from './opaque-input.ts';

export const opaqueClient = {
  startRegistration: (password: string) => opaque.client.startRegistration({ password }),
  finishRegistration: (params: { clientRegistrationState: string; registrationResponse: string; password: string }) =>
    opaque.client.finishRegistration({ ...params, keyStretching: KEY_STRETCHING }),
  startLogin: (password: string) => opaque.client.startLogin({ password }),
  /** Returns undefined when the server's envelope does not open: the credentials are wrong. */
  finishLogin: (params: { clientLoginState: string; loginResponse: string; password: string }) =>
    opaque.client.finishLogin({ ...params, keyStretching: KEY_STRETCHING }),
};

export const opaqueServer = {
  createSetup: () => opaque.server.createSetup(),
  createRegistrationResponse: (params: { serverSetup: string; userIdentifier: string; registrationRequest: string }) =>
    opaque.server.createRegistrationResponse(params).registrationResponse,
  startLogin: (params: { serverSetup: string; registrationRecord: string | null; startLoginRequest: string; userIdentifier: string }) =>
    opaque.server.startLogin(params),
  /**
   * True when the library can use `registrationRecord` for a sign-in: it parses and its client
   * public key is a valid, non-identity point. Checked before a record is stored, so a broken or
   * hostile upload cannot leave an account that fails in the middle of every later sign-in.
   */
  acceptsRegistrationRecord: (params: { serverSetup: string; registrationRecord: string; userIdentifier: string }): boolean => {
    const { startLoginRequest } = opaque.client.startLogin({ password: 'latchkey/v1/record-check' });
    try {
      opaque.server.startLogin({ ...params, startLoginRequest });
      return true;
    } catch {
      return false;
    }
  },
  /** Throws when the client's proof does not verify. */
  finishLogin: (params: { serverLoginState: string; finishLoginRequest: string }) => opaque.server.finishLogin(params).sessionKey,
};
