/**
 * The Web Worker behind `WorkerKeyDerivation`: runs one OPAQUE client step (the finish steps
 * with their Argon2id stretching) and answers once. Holds no state between messages; the page
 * terminates it after the answer. This worker is the only place the app loads the OPAQUE
 * WebAssembly module, so the page's own scripts stay small.
 */
import { opaqueClient, opaqueReady } from '@latchkey/core/opaque';

export type DerivationRequest =
  | { op: 'startLogin'; password: string }
  | { op: 'finishLogin'; params: { clientLoginState: string; loginResponse: string; password: string } }
  | { op: 'startRegistration'; password: string }
  | { op: 'finishRegistration'; params: { clientRegistrationState: string; registrationResponse: string; password: string } };

export type DerivationResponse = { ok: true; result: unknown } | { ok: false; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<DerivationRequest>) => void) | null; postMessage(message: DerivationResponse): void };

function step(request: DerivationRequest): unknown {
  switch (request.op) {
    case 'startLogin': {
      const { clientLoginState, startLoginRequest } = opaqueClient.startLogin(request.password);
      return { clientLoginState, startLoginRequest };
    }
    case 'finishLogin': {
      const result = opaqueClient.finishLogin(request.params);
      return result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest, sessionKey: result.sessionKey, exportKey: result.exportKey };
    }
    case 'startRegistration': {
      const { clientRegistrationState, registrationRequest } = opaqueClient.startRegistration(request.password);
      return { clientRegistrationState, registrationRequest };
    }
    case 'finishRegistration': {
      const result = opaqueClient.finishRegistration(request.params);
      return { registrationRecord: result.registrationRecord, exportKey: result.exportKey };
    }
  }
}

scope.onmessage = async (event) => {
  try {
    await opaqueReady;
    scope.postMessage({ ok: true, result: step(event.data) });
  } catch (error) {
    // Never echo the input: the message names the failure only.
    scope.postMessage({ ok: false, error: error instanceof Error ? error.name : 'unknown' });
  }
};
