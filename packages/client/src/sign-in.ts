/**
 * Sign-in (new session) and unlock (re-authentication inside the session). Both run OPAQUE with
 * password + Secret Key; the export key gives the Account Unlock Key, which opens the keyset.
 *
 * Errors a person can act on are told apart: a Secret Key typo is caught locally before any
 * request (`secret_key_typo`), the server rejects a Secret Key that is not this account's
 * (`wrong_secret_key`), and a wrong password makes OPAQUE's envelope fail to open on this
 * device (`wrong_password`).
 */
import { deriveAccountUnlockKey, deriveSessionToken } from '@latchkey/core/account-unlock-key';
import { decryptKeyset, type Keyset } from '@latchkey/core/keyset';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { parseSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { wipe } from '@latchkey/core/bytes';
import type { AccountProfile, LoginStartResponse, SessionGrant } from '@latchkey/core/wire/auth';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { TwoStepRequest, TwoStepResponse } from '@latchkey/core/wire/two-step';
import { deviceForRequest, dropKeys, type ClientContext } from './context.ts';
import { accountKey, updateStore, type RememberedSession } from './local-store.ts';

const wrongPassword = () => new LatchkeyError('wrong_password', 'The account password is not right.');

/**
 * Remembers the session under the email the person typed, not the one the server's profile
 * states: the remembered Secret Key is found by that email, so a server that answered with
 * another one could otherwise make the device lose track of it.
 */
export async function rememberSession(ctx: ClientContext, email: string, account: AccountProfile, session: SessionGrant, token: string): Promise<void> {
  ctx.api.token = token;
  await updateStore(ctx.store, (s) => {
    s.session = { server: ctx.api.baseUrl, email, userId: account.id, sessionId: session.id, token, expiresAt: session.expiresAt };
  });
}

/** The Secret Key to use: the one given (parsed, so typos fail here), else the one this device remembers. */
export async function resolveSecretKey(ctx: ClientContext, email: string, given?: string): Promise<SecretKey> {
  if (given !== undefined) return parseSecretKey(given);
  const remembered = (await ctx.store.read()).secretKeys?.[accountKey(ctx.api.baseUrl, email)];
  if (remembered === undefined) {
    throw new LatchkeyError('secret_key_required', 'This device does not know your Secret Key yet. Enter it from your Emergency Kit.');
  }
  return parseSecretKey(remembered);
}

interface OpaqueOutcome {
  readonly loginId: string;
  readonly finishLoginRequest: string;
  readonly sessionKey: string;
  readonly exportKey: string;
}

async function runOpaqueLogin(
  ctx: ClientContext,
  password: string,
  secretKey: SecretKey,
  start: (body: { secretKeyVerifier: string; startLoginRequest: string }) => Promise<LoginStartResponse>,
): Promise<OpaqueOutcome> {
  const input = twoSecretPasswordInput(password, secretKey);
  const { clientLoginState, startLoginRequest } = await ctx.derivation.startLogin(input);
  const { loginId, loginResponse } = await start({ secretKeyVerifier: secretKeyVerifier(secretKey), startLoginRequest });
  const finished = await ctx.derivation.finishLogin({ clientLoginState, loginResponse, password: input });
  if (finished === undefined) throw wrongPassword();
  return { loginId, ...finished };
}

async function openKeys(ctx: ClientContext, account: AccountProfile, exportKey: string): Promise<void> {
  const auk = deriveAccountUnlockKey(exportKey);
  try {
    let keyset: Keyset;
    try {
      keyset = await decryptKeyset(account.keyset, auk);
    } catch (cause) {
      // OPAQUE already proved the password and Secret Key, so a keyset that does not open under
      // their Account Unlock Key (another id, another public key, other ciphertexts) is not ours.
      if (cause instanceof LatchkeyError && cause.code === 'decryption_failed') {
        throw new LatchkeyError('untrusted_key', 'The server sent a keyset that your Account Unlock Key does not open; it was refused.', { cause });
      }
      throw cause;
    }
    dropKeys(ctx);
    ctx.keys = { account, keyset, vaultKeys: new Map() };
  } finally {
    wipe(auk);
  }
}

/** A proof by the second step: a TOTP code, a backup code, or a security key (given the server's WebAuthn options, returns the assertion JSON). */
export type TwoStepProof =
  | { readonly otp: string }
  | { readonly backupCode: string }
  | { readonly securityKey: (options: Record<string, unknown>) => Promise<Record<string, unknown>> };

export interface SignInParams {
  readonly email: string;
  readonly password: string;
  /** Needed on a new device; a device that signed in before remembers it. */
  readonly secretKey?: string;
  /**
   * For accounts with two-step verification: a proof, or a function asked for one (with the
   * methods the account has) and asked again after a wrong code, up to 5 times. Without it, such
   * a sign-in fails with `second_factor_required` (details: `methods`).
   */
  readonly twoStep?: TwoStepProof | ((methods: readonly string[]) => Promise<TwoStepProof>);
}

const MAX_TWO_STEP_TRIES = 5;

/**
 * A sign-in given up at the second step (cancelled, or failed) ends its waiting session, so
 * the session list does not show it as someone who knows the password and Secret Key.
 */
async function proveTwoStepOrAbandon(ctx: ClientContext, token: string, methods: readonly string[], given: SignInParams['twoStep']): Promise<TwoStepResponse> {
  try {
    return await proveTwoStep(ctx, token, methods, given);
  } catch (error) {
    ctx.api.token = token;
    await ctx.api.call(endpoints.signOut, {}).catch(() => undefined);
    ctx.api.token = undefined;
    throw error;
  }
}

async function proveTwoStep(ctx: ClientContext, token: string, methods: readonly string[], given: SignInParams['twoStep']): Promise<TwoStepResponse> {
  if (given === undefined) {
    throw new LatchkeyError(
      'second_factor_required',
      'This account uses two-step verification: give a code from your authenticator app, a backup code, or your security key.',
      { details: { methods } },
    );
  }
  ctx.api.token = token;
  for (let attempt = 1; ; attempt++) {
    const proof = typeof given === 'function' ? await given(methods) : given;
    let body: TwoStepRequest;
    if ('securityKey' in proof) {
      const options = await ctx.api.call(endpoints.twoStepOptions, {});
      body = { securityKey: await proof.securityKey(options) };
    } else {
      body = { ...proof };
    }
    try {
      return await ctx.api.call(endpoints.twoStep, body);
    } catch (error) {
      const retry = typeof given === 'function' && attempt < MAX_TWO_STEP_TRIES && error instanceof LatchkeyError && error.code === 'invalid_code';
      if (!retry) throw error;
    }
  }
}

export async function signIn(ctx: ClientContext, params: SignInParams): Promise<AccountProfile> {
  const key = accountKey(ctx.api.baseUrl, params.email);
  const state = await ctx.store.read();
  // A change or recovery interrupted before the server answered leaves a pending key that may
  // be the live one: try it after the remembered key (or alone, on the device that recovered).
  const pending = params.secretKey === undefined ? state.pendingSecretKeys?.[key] : undefined;
  const remembered = params.secretKey === undefined ? state.secretKeys?.[key] : undefined;
  const candidates: SecretKey[] =
    params.secretKey !== undefined || (remembered === undefined && pending === undefined)
      ? [await resolveSecretKey(ctx, params.email, params.secretKey)]
      : [remembered, pending].filter((k): k is string => k !== undefined).map((k) => parseSecretKey(k));

  let lastError: unknown;
  for (const secretKey of candidates) {
    try {
      const outcome = await runOpaqueLogin(ctx, params.password, secretKey, (body) => ctx.api.call(endpoints.loginStart, { email: params.email, ...body }));
      const result = await ctx.api.call(endpoints.loginFinish, {
        loginId: outcome.loginId,
        finishLoginRequest: outcome.finishLoginRequest,
        device: await deviceForRequest(ctx),
      });
      const token = deriveSessionToken(outcome.sessionKey);
      const completed = result.account === undefined ? await proveTwoStepOrAbandon(ctx, token, result.twoStep?.methods ?? [], params.twoStep) : undefined;
      const account = result.account ?? completed!.account;
      const session = completed ? { ...result.session, expiresAt: completed.sessionExpiresAt } : result.session;
      await openKeys(ctx, account, outcome.exportKey);
      await rememberSession(ctx, params.email, account, session, token);
      await updateStore(ctx.store, (s) => {
        s.secretKeys = { ...s.secretKeys, [key]: secretKey };
        if (s.pendingSecretKeys) delete s.pendingSecretKeys[key];
      });
      return account;
    } catch (error) {
      lastError = error;
      if (!(error instanceof LatchkeyError && error.code === 'wrong_secret_key')) throw error;
    }
  }
  throw lastError;
}

/** The remembered session, with the API client authenticated by it. Throws `not_signed_in`. */
export async function requireSession(ctx: ClientContext): Promise<RememberedSession> {
  const session = (await ctx.store.read()).session;
  if (session === undefined || session.server !== ctx.api.baseUrl) {
    throw new LatchkeyError('not_signed_in', 'Not signed in on this device. Run sign-in first.');
  }
  ctx.api.token = session.token;
  return session;
}

/** Proves password + Secret Key again inside the session: decrypts the keyset and refreshes re-authentication. */
export async function unlock(ctx: ClientContext, password: string): Promise<AccountProfile> {
  const session = await requireSession(ctx);
  return reauthenticate(ctx, password, await resolveSecretKey(ctx, session.email));
}

/** Re-authentication inside the remembered session with the given secrets (a passkey account's, from its bundle). */
export async function reauthenticate(ctx: ClientContext, password: string, secretKey: SecretKey): Promise<AccountProfile> {
  await requireSession(ctx);
  const outcome = await runOpaqueLogin(ctx, password, secretKey, (body) => ctx.api.call(endpoints.reauthStart, body));
  const result = await ctx.api.call(endpoints.reauthFinish, { loginId: outcome.loginId, finishLoginRequest: outcome.finishLoginRequest });
  await openKeys(ctx, result.account, outcome.exportKey);
  return result.account;
}

export function lock(ctx: ClientContext): void {
  dropKeys(ctx);
}

export async function signOut(ctx: ClientContext): Promise<void> {
  const state = await ctx.store.read();
  if (state.session !== undefined && state.session.server === ctx.api.baseUrl) {
    ctx.api.token = state.session.token;
    try {
      await ctx.api.call(endpoints.signOut, {});
    } catch (error) {
      // An already-ended session is signed out all the same.
      if (!(error instanceof LatchkeyError && (error.code === 'unauthenticated' || error.code === 'session_expired'))) throw error;
    }
  }
  dropKeys(ctx);
  ctx.api.token = undefined;
  await updateStore(ctx.store, (s) => {
    delete s.session;
    // An unlocked session for scripts ends with the session it was made in.
    delete s.unlocked;
  });
}
