/**
 * The client's OPAQUE steps behind an interface: the slow, password-dependent ones (Argon2id
 * inside `finishLogin` and `finishRegistration`) and the start steps. The web app implements it
 * in a Web Worker, which keeps the page responsive and keeps the OPAQUE WebAssembly module out
 * of the page's own scripts (it loads only in the worker, when someone signs in). Node callers
 * use the direct implementation, which loads the module on first use.
 */
export interface KeyDerivation {
  startLogin(password: string): Promise<{ clientLoginState: string; startLoginRequest: string }>;
  finishLogin(params: {
    clientLoginState: string;
    loginResponse: string;
    password: string;
  }): Promise<{ finishLoginRequest: string; sessionKey: string; exportKey: string } | undefined>;
  startRegistration(password: string): Promise<{ clientRegistrationState: string; registrationRequest: string }>;
  finishRegistration(params: {
    clientRegistrationState: string;
    registrationResponse: string;
    password: string;
  }): Promise<{ registrationRecord: string; exportKey: string }>;
}

/** `@latchkey/core/opaque`, imported on first use so that bundles which never call it do not carry the WebAssembly module. */
async function loadOpaque() {
  const { opaqueClient, opaqueReady } = await import('@latchkey/core/opaque');
  await opaqueReady;
  return opaqueClient;
}

export const directKeyDerivation: KeyDerivation = {
  async startLogin(password) {
    const { clientLoginState, startLoginRequest } = (await loadOpaque()).startLogin(password);
    return { clientLoginState, startLoginRequest };
  },
  async finishLogin(params) {
    const result = (await loadOpaque()).finishLogin(params);
    return result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest, sessionKey: result.sessionKey, exportKey: result.exportKey };
  },
  async startRegistration(password) {
    const { clientRegistrationState, registrationRequest } = (await loadOpaque()).startRegistration(password);
    return { clientRegistrationState, registrationRequest };
  },
  async finishRegistration(params) {
    const result = (await loadOpaque()).finishRegistration(params);
    return { registrationRecord: result.registrationRecord, exportKey: result.exportKey };
  },
};
