/**
 * The WebAuthn ceremonies (via @simplewebauthn/browser) the SDK asks for when a security key
 * is registered, signs in, or proves it is the owner while signed in. A security key assertion
 * is bound by the browser to this page's origin, so a look-alike site cannot replay it.
 */
import { startAuthentication, startRegistration, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';

export { browserSupportsWebAuthn };

/** Registration ceremony for `client.twoStep.registerSecurityKey`: the server's options in, the attestation JSON out. */
export async function registrationCeremony(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  return response as unknown as Record<string, unknown>;
}

/** Authentication ceremony (sign-in second step, or a proof while signed in): options in, assertion JSON out. */
export async function authenticationCeremony(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  return response as unknown as Record<string, unknown>;
}

/**
 * The passkey ceremonies for passkey accounts (§24.9, §24.10): the server's options ask for a
 * resident key and user verification; the browser binds each answer to this page's origin.
 */
export const passkeyAuthenticator = { create: registrationCeremony, get: authenticationCeremony };
