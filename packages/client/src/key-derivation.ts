/**
 * The slow, password-dependent steps of OPAQUE (Argon2id inside `finishLogin` and
 * `finishRegistration`). Kept behind an interface so the web app can run them in a Web Worker
 * and keep the page responsive; Node callers use the direct implementation.
 */
import { opaqueClient } from '@latchkey/core/opaque';

export interface KeyDerivation {
  finishLogin(params: { clientLoginState: string; loginResponse: string; password: string }): Promise<{ finishLoginRequest: string; sessionKey: string; exportKey: string } | undefined>;
  finishRegistration(params: { clientRegistrationState: string; registrationResponse: string; password: string }): Promise<{ registrationRecord: string; exportKey: string }>;
}

export const directKeyDerivation: KeyDerivation = {
  async finishLogin(params) {
    const result = opaqueClient.finishLogin(params);
    return result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest, sessionKey: result.sessionKey, exportKey: result.exportKey };
  },
  async finishRegistration(params) {
    const result = opaqueClient.finishRegistration(params);
    return { registrationRecord: result.registrationRecord, exportKey: result.exportKey };
  },
};
