/**
 * The Web Worker behind `WorkerKeyDerivation`: runs one OPAQUE finish step (with its Argon2id
 * stretching) and answers once. Holds no state between messages; the page terminates it after
 * the answer.
 */
import { opaqueClient, opaqueReady } from '@latchkey/core/opaque';

export type DerivationRequest =
  | { op: 'finishLogin'; params: { clientLoginState: string; loginResponse: string; password: string } }
  | { op: 'finishRegistration'; params: { clientRegistrationState: string; registrationResponse: string; password: string } };

export type DerivationResponse = { ok: true; result: unknown } | { ok: false; error: string };

const scope = self as unknown as { onmessage: ((event: MessageEvent<DerivationRequest>) => void) | null; postMessage(message: DerivationResponse): void };

scope.onmessage = async (event) => {
  try {
    await opaqueReady;
    const request = event.data;
    if (request.op === 'finishLogin') {
      const result = opaqueClient.finishLogin(request.params);
      scope.postMessage({ ok: true, result: result === undefined ? undefined : { finishLoginRequest: result.finishLoginRequest, sessionKey: result.sessionKey, exportKey: result.exportKey } });
    } else {
      const result = opaqueClient.finishRegistration(request.params);
      scope.postMessage({ ok: true, result: { registrationRecord: result.registrationRecord, exportKey: result.exportKey } });
    }
  } catch (error) {
    // Never echo the input: the message names the failure only.
    scope.postMessage({ ok: false, error: error instanceof Error ? error.name : 'unknown' });
  }
};
