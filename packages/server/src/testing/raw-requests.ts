/**
 * Test helper: talk to a test server the way a hostile or broken client would, without the SDK.
 *
 *   const res = await send(server, { method: 'GET', path: '/api/vaults', token });
 *   expectApiError(res, 'unauthenticated');
 *
 * Also builds by hand the OPAQUE messages and request bodies the SDK would send (sign-in,
 * re-authentication, sign-up, credential change) from a user's email, password and Secret Key,
 * so tests can replay, steal or corrupt them one field at a time.
 */
import assert from 'node:assert/strict';
import { deriveAccountUnlockKey, deriveSessionToken } from '@latchkey/core/account-unlock-key';
import { fromBase64Url } from '@latchkey/core/bytes';
import { newVaultId } from '@latchkey/core/ids';
import { ERROR_STATUS, isErrorCode, type ErrorCode } from '@latchkey/core/errors';
import { generateSigningKeyPair } from '@latchkey/core/crypto/ed25519';
import { createKeyset, decryptKeyset, encryptKeyset, keysetRecipient, keysetSigner, wrapKeysetSymmetricKey } from '@latchkey/core/keyset';
import { opaqueClient, opaqueReady, opaqueServer, twoSecretPasswordInput } from '@latchkey/core/opaque';
import { importBoxKey } from '@latchkey/core/sealed-box';
import { accountIdOf, generateSecretKey, parseSecretKey, secretKeyVerifier } from '@latchkey/core/secret-key';
import { createVaultKey, encryptVaultAttributes, wrapVaultKey } from '@latchkey/core/vault-key';
import type { AccountProfile, LoginFinishResponse, LoginStartResponse, ReauthFinishResponse } from '@latchkey/core/wire/auth';
import type { SignupFinishRequest, SignupRegisterResponse, SignupStartResponse, SignupVerifyResponse } from '@latchkey/core/wire/signup';
import { extractCode, waitForEmail } from './outbox.ts';
import type { TestServer } from './test-server.ts';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The whole Authorization header, when a test needs a malformed one. Wins over `token`. */
  readonly authorization?: string;
  /** JSON-encoded and sent as application/json (unless `contentType` says otherwise). */
  readonly body?: unknown;
  /** Sent exactly as given, instead of `body`. */
  readonly rawBody?: string | ReadableStream<Uint8Array>;
  /** Overrides the content type; `null` sends none. */
  readonly contentType?: string | null;
  /** Extra headers, e.g. `X-Forwarded-For`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RawResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** The parsed body, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

/** Sends one request; never throws for an HTTP status. */
export async function send(server: Pick<TestServer, 'url'>, request: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { ...request.headers };
  const payload = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const contentType = request.contentType === undefined ? (payload === undefined ? null : 'application/json') : request.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  else if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers };
  if (payload !== undefined) init.body = payload;
  if (payload instanceof ReadableStream) init.duplex = 'half';
  const response = await fetch(server.url + request.path, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

/**
 * Asserts the one error format: JSON `{"error":{"code","message"}}`, a code from ERROR_STATUS,
 * the status that code stands for, and never a 5xx. Returns the code.
 */
export function expectApiError(response: RawResponse, expected?: ErrorCode | readonly ErrorCode[], context = ''): ErrorCode {
  const where = `${context} → HTTP ${response.status} ${response.text.slice(0, 300)}`;
  assert.ok(response.status < 500, `a 5xx: ${where}`);
  assert.match(response.contentType ?? '', /^application\/json/, `not JSON: ${where}`);
  const error = (response.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  assert.ok(typeof error?.message === 'string' && error.message.length > 0, `message missing: ${where}`);
  const code = error?.code;
  assert.ok(isErrorCode(code), `not a known error code: ${where}`);
  assert.equal(response.status, ERROR_STATUS[code], `status does not match code ${code}: ${where}`);
  if (expected !== undefined) {
    const allowed: readonly ErrorCode[] = typeof expected === 'string' ? [expected] : expected;
    assert.ok(allowed.includes(code), `expected ${allowed.join(' or ')}, got ${code}: ${where}`);
  }
  return code;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
  readonly secretKey: string;
}

/** The first OPAQUE message of a sign-in or re-authentication, and the step that answers the server. */
export async function opaqueLoginStart(credentials: Credentials) {
  await opaqueReady;
  const secretKey = parseSecretKey(credentials.secretKey);
  const input = twoSecretPasswordInput(credentials.password, secretKey);
  const { clientLoginState, startLoginRequest } = opaqueClient.startLogin(input);
  return {
    body: { secretKeyVerifier: secretKeyVerifier(secretKey), startLoginRequest },
    /** @throws Error when the password or Secret Key is wrong. */
    finish(loginResponse: string): { finishLoginRequest: string; exportKey: string; sessionKey: string } {
      const result = opaqueClient.finishLogin({ clientLoginState, loginResponse, password: input });
      if (result === undefined) throw new Error('OPAQUE login did not verify: wrong password or Secret Key');
      return { finishLoginRequest: result.finishLoginRequest, exportKey: result.exportKey, sessionKey: result.sessionKey };
    },
  };
}

/** A started, unfinished OPAQUE exchange: what a client would send in the second request. */
export interface PendingLogin {
  readonly loginId: string;
  readonly finishLoginRequest: string;
  readonly exportKey: string;
  readonly sessionKey: string;
}

async function okJson<T>(response: RawResponse, what: string): Promise<T> {
  if (response.status >= 300) throw new Error(`${what} failed: HTTP ${response.status} ${response.text}`);
  return response.json as T;
}

/** Starts a sign-in (`/api/auth/login/start`) and computes the client's proof, without sending it. */
export async function beginSignIn(server: Pick<TestServer, 'url'>, credentials: Credentials): Promise<PendingLogin> {
  const start = await opaqueLoginStart(credentials);
  const res = await send(server, { method: 'POST', path: '/api/auth/login/start', body: { email: credentials.email, ...start.body } });
  const { loginId, loginResponse } = await okJson<LoginStartResponse>(res, 'login/start');
  return { loginId, ...start.finish(loginResponse) };
}

/** Starts a re-authentication inside the session `token` and computes the proof, without sending it. */
export async function beginReauth(server: TestServer, credentials: Credentials, token: string): Promise<PendingLogin> {
  const start = await opaqueLoginStart(credentials);
  const res = await send(server, { method: 'POST', path: '/api/auth/reauth/start', token, body: start.body });
  const { loginId, loginResponse } = await okJson<LoginStartResponse>(res, 'reauth/start');
  return { loginId, ...start.finish(loginResponse) };
}

/** A second session for the user, from a full raw sign-in on a new device. */
export async function signInAgain(server: Pick<TestServer, 'url'>, credentials: Credentials): Promise<{ token: string; id: string }> {
  const pending = await beginSignIn(server, credentials);
  const res = await send(server, {
    method: 'POST',
    path: '/api/auth/login/finish',
    body: {
      loginId: pending.loginId,
      finishLoginRequest: pending.finishLoginRequest,
      device: { id: `device-${crypto.randomUUID().slice(0, 8)}-raw`, name: 'raw client', platform: 'test' },
    },
  });
  const { session } = await okJson<LoginFinishResponse>(res, 'login/finish');
  return { token: deriveSessionToken(pending.sessionKey), id: session.id };
}

/** A valid OPAQUE registration request for a random password (the server cannot tell). */
export async function newRegistrationRequest(): Promise<string> {
  await opaqueReady;
  return opaqueClient.startRegistration(`random ${crypto.randomUUID()}`).registrationRequest;
}

let usableRecord: Promise<string> | undefined;
/**
 * An OPAQUE registration record the server accepts (it parses, with a valid client key), made
 * once against a throwaway setup: no password or Secret Key works with it.
 */
export function usableRegistrationRecord(): Promise<string> {
  usableRecord ??= (async () => {
    await opaqueReady;
    const input = `random ${crypto.randomUUID()}`;
    const { clientRegistrationState, registrationRequest } = opaqueClient.startRegistration(input);
    const registrationResponse = opaqueServer.createRegistrationResponse({
      serverSetup: opaqueServer.createSetup(),
      userIdentifier: 'throwaway',
      registrationRequest,
    });
    return opaqueClient.finishRegistration({ clientRegistrationState, registrationResponse, password: input }).registrationRecord;
  })();
  return usableRecord;
}

/** A verified sign-up ticket for `email`, read from the outbox as a person would. */
export async function verifiedTicket(server: TestServer, email: string): Promise<{ ticket: string; userId: string }> {
  const sentAfter = Date.now() - 1000;
  const started = await okJson<SignupStartResponse>(await send(server, { method: 'POST', path: '/api/signup/start', body: { email } }), 'signup/start');
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
  const verified = await send(server, {
    method: 'POST',
    path: '/api/signup/verify',
    body: { verificationId: started.verificationId, code: extractCode(mail.text) },
  });
  return okJson<SignupVerifyResponse>(verified, 'signup/verify');
}

/**
 * Everything the SDK does before `/api/signup/finish`, by hand: a verified ticket, OPAQUE
 * registration, a keyset and a Personal vault. Returns the finish body, not yet sent.
 */
export async function prepareSignup(
  server: TestServer,
  email: string,
  password = `pw-${crypto.randomUUID()}`,
): Promise<{ body: SignupFinishRequest; credentials: Credentials }> {
  const { ticket } = await verifiedTicket(server, email);
  await opaqueReady;
  const secretKey = generateSecretKey();
  const input = twoSecretPasswordInput(password, secretKey);
  const { clientRegistrationState, registrationRequest } = opaqueClient.startRegistration(input);
  const registered = await send(server, { method: 'POST', path: '/api/signup/register', body: { ticket, registrationRequest } });
  const { registrationResponse } = await okJson<SignupRegisterResponse>(registered, 'signup/register');
  const { registrationRecord, exportKey } = opaqueClient.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  const keyset = await createKeyset();
  const vaultId = newVaultId();
  const vaultKey = createVaultKey();
  const body: SignupFinishRequest = {
    ticket,
    name: 'Raw Signup',
    accountId: accountIdOf(secretKey),
    registrationRecord,
    secretKeyVerifier: secretKeyVerifier(secretKey),
    keyset: await encryptKeyset(keyset, deriveAccountUnlockKey(exportKey)),
    personalVault: {
      id: vaultId,
      encryptedAttrs: await encryptVaultAttributes(await importBoxKey(vaultKey), vaultId, { name: 'Personal' }),
      keyWrap: await wrapVaultKey(vaultKey, vaultId, keysetRecipient(keyset), keysetSigner(keyset)),
    },
    device: { id: `device-${crypto.randomUUID().slice(0, 8)}-raw`, name: 'raw client', platform: 'test' },
  };
  return { body, credentials: { email, password, secretKey } };
}

/**
 * A complete, correct `/api/account/credentials/finish` body changing the password to
 * `newPassword`: re-authenticates `token` (so the change is allowed), registers OPAQUE anew and
 * re-wraps the same keyset. Nothing is sent for the finish step itself.
 */
export async function credentialsChangeBody(server: TestServer, credentials: Credentials, token: string, newPassword: string) {
  const pending = await beginReauth(server, credentials, token);
  const reauth = await send(server, {
    method: 'POST',
    path: '/api/auth/reauth/finish',
    token,
    body: { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest },
  });
  const { account } = await okJson<ReauthFinishResponse>(reauth, 'reauth/finish');
  const keyset = await decryptKeyset(account.keyset, deriveAccountUnlockKey(pending.exportKey));
  const secretKey = parseSecretKey(credentials.secretKey);
  const input = twoSecretPasswordInput(newPassword, secretKey);
  const { clientRegistrationState, registrationRequest } = opaqueClient.startRegistration(input);
  const started = await send(server, { method: 'POST', path: '/api/account/credentials/start', token, body: { registrationRequest } });
  const { registrationResponse } = await okJson<{ registrationResponse: string }>(started, 'credentials/start');
  const { registrationRecord, exportKey } = opaqueClient.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  return {
    reason: 'password' as const,
    accountId: accountIdOf(secretKey),
    registrationRecord,
    secretKeyVerifier: secretKeyVerifier(secretKey),
    encryptedSymmetricKey: await wrapKeysetSymmetricKey(keyset, deriveAccountUnlockKey(exportKey)),
  };
}

/**
 * A vault body the server accepts for the account: a fresh vault key wrapped to its keyset.
 * Only the account's public profile is at hand, so the wrap is signed by a throw-away key under
 * the account's keyset id: the server checks the ids, and only clients can check the signature
 * (the SDK would refuse this vault with `untrusted_key`).
 */
export async function newVaultBody(account: Pick<AccountProfile, 'keyset'>) {
  const id = crypto.randomUUID();
  const vaultKey = createVaultKey();
  const recipient = { keysetId: account.keyset.id, publicKey: fromBase64Url(account.keyset.publicKey) };
  return {
    id,
    encryptedAttrs: await encryptVaultAttributes(await importBoxKey(vaultKey), id, { name: 'Raw vault' }),
    keyWrap: await wrapVaultKey(vaultKey, id, recipient, { keysetId: account.keyset.id, signingSecretKey: generateSigningKeyPair().secretKey }),
  };
}
