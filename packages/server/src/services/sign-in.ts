/**
 * OPAQUE sign-in (new session) and re-authentication (inside a session: unlock and sensitive
 * changes). Both are two round trips; the server state between them lives in the database.
 *
 * The Secret Key verifier is checked first so that a wrong Secret Key and a wrong password get
 * different error codes. An unknown email fails exactly like a wrong Secret Key, which is all an
 * attacker without the Secret Key can ever see, so the check reveals nothing about who has an
 * account (threat-model.md §9 gives the reasons for keeping `wrong_secret_key`). Failed and
 * unfinished attempts are limited, logged and notified by sign-in-failures.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import { deriveSessionToken } from '@latchkey/core/account-unlock-key';
import { LatchkeyError } from '@latchkey/core/errors';
import { fromUtf8, utf8 } from '@latchkey/core/bytes';
import { opaqueServer } from '@latchkey/core/opaque';
import type { LoginFinishRequest, LoginFinishResponse, LoginStartRequest, LoginStartResponse, ReauthFinishResponse } from '@latchkey/core/wire/auth';
import type { RequestMeta, ServerContext } from '../context.ts';
import { insertLoginAttempt, takeLoginAttempt, type LoginPurpose } from '../repositories/login-attempts.ts';
import { findSignInAccount, findUserById, findUserForSignIn, type UserRow } from '../repositories/users.ts';
import { markReauthenticated } from '../repositories/sessions.ts';
import { newRandomId } from '../security/tokens.ts';
import { twoStepMethodsOf } from './two-step-proof.ts';
import { recordSignIn } from './sign-in-events.ts';
import { cancelOnOldCredentials } from './organizer-recovery.ts';
import { emailBucket, enforceRateLimits, ruleFor, sourceKey } from './rate-limits.ts';
import { beginSecretKeyCheck, recordFailedSignIn, recordReauthWrongSecretKey, sweepAbandonedSignIns } from './sign-in-failures.ts';
import { accountProfileOf, createSession, type AuthenticatedSession } from './sessions.ts';

export const LOGIN_TTL_MS = 2 * 60_000;

interface LoginState {
  readonly credentialsVersion: number;
  readonly serverLoginState: string;
}

const wrongSecretKey = () => new LatchkeyError('wrong_secret_key', 'The email or Secret Key is not right. Check the Secret Key in your Emergency Kit.');

function verifierMatches(user: UserRow | undefined, verifier: string): user is UserRow {
  const expected = Buffer.from(user?.secretKeyVerifier ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(verifier, 'hex');
  return user !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

async function beginOpaqueLogin(
  ctx: ServerContext,
  user: UserRow,
  startLoginRequest: string,
  purpose: LoginPurpose,
  sessionId: string | null,
  meta: RequestMeta,
  abandonedSignIns?: boolean,
): Promise<LoginStartResponse> {
  // An earlier attempt left to expire (a wrong password fails on the client, which then sends
  // nothing more) is logged now, before this one is stored. `abandonedSignIns`: already known
  // from the user's lookup (false: none, so no statement is spent on the sweep).
  if (abandonedSignIns !== false) await sweepAbandonedSignIns(ctx, { now: ctx.clock(), userId: user.id });
  let started: ReturnType<typeof opaqueServer.startLogin>;
  try {
    started = opaqueServer.startLogin({
      serverSetup: ctx.opaqueServerSetup,
      registrationRecord: user.opaqueRecord,
      startLoginRequest,
      userIdentifier: user.id,
    });
  } catch (cause) {
    throw new LatchkeyError('invalid_request', 'The sign-in request is malformed.', { cause });
  }
  const now = ctx.clock();
  const loginId = newRandomId();
  // Sealed (it holds the keys of this login's session) and tied to the credentials it was started with.
  const state: LoginState = { credentialsVersion: user.credentialsVersion, serverLoginState: started.serverLoginState };
  const serverState = await ctx.keyring.seal(utf8(JSON.stringify(state)), 'login-state', { login: loginId });
  await insertLoginAttempt(ctx.db, {
    id: loginId,
    purpose,
    userId: user.id,
    sessionId,
    serverState,
    ip: meta.ip,
    expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
    now,
  });
  return { loginId, loginResponse: started.loginResponse };
}

/** Takes the pending login (once) and checks the client's OPAQUE proof; returns the account (as just read: user, keyset, second steps) and the session key. */
async function completeOpaqueLogin(ctx: ServerContext, loginId: string, finishLoginRequest: string, purpose: LoginPurpose, sessionId: string | null) {
  const attempt = await takeLoginAttempt(ctx.db, { id: loginId, purpose, sessionId });
  if (attempt === undefined || attempt.purpose !== purpose || attempt.sessionId !== sessionId || attempt.userId === null) {
    throw new LatchkeyError('login_expired', 'This sign-in attempt is unknown or was already used. Start again.');
  }
  if (attempt.expiresAt <= ctx.clock()) {
    await recordFailedSignIn(ctx, { userId: attempt.userId, purpose, ip: attempt.ip }, 'expired', ctx.clock());
    throw new LatchkeyError('login_expired', 'This sign-in attempt took too long. Start again.');
  }
  const state = JSON.parse(fromUtf8(await ctx.keyring.open(attempt.serverState, 'login-state', { login: loginId }))) as LoginState;
  const account = await findSignInAccount(ctx.db, attempt.userId);
  if (account === undefined || account.user.credentialsVersion !== state.credentialsVersion) {
    throw new LatchkeyError('login_expired', 'The account credentials changed during this sign-in. Start again.');
  }
  try {
    return { account, sessionKey: opaqueServer.finishLogin({ serverLoginState: state.serverLoginState, finishLoginRequest }) };
  } catch {
    await recordFailedSignIn(ctx, { userId: account.user.id, purpose, ip: attempt.ip }, 'invalid-proof', ctx.clock());
    throw new LatchkeyError('invalid_credentials', 'The password or Secret Key is not right.');
  }
}

/**
 * Limits (rate-limits.ts): every start counts per source; a wrong Secret Key counts per (email,
 * source) and per email; only a start that passed the Secret Key check counts against the
 * per-email sign-in budget, so a stranger with the email alone cannot use it up.
 */
export async function startSignIn(ctx: ServerContext, meta: RequestMeta, body: LoginStartRequest): Promise<LoginStartResponse> {
  const now = ctx.clock();
  const check = await beginSecretKeyCheck(ctx, body.email, meta, now, ruleFor('signInPerSource', sourceKey(meta)));
  const found = await findUserForSignIn(ctx.db, body.email, now);
  const user = found?.user;
  if (!verifierMatches(user, body.secretKeyVerifier)) {
    await check.failed(user);
    throw wrongSecretKey();
  }
  await check.passed();
  await enforceRateLimits(ctx, [['signInPerEmail', emailBucket(body.email)]], now);
  return beginOpaqueLogin(ctx, user, body.startLoginRequest, 'sign-in', null, meta, found?.abandonedSignIns);
}

export async function finishSignIn(ctx: ServerContext, meta: RequestMeta, body: LoginFinishRequest): Promise<LoginFinishResponse> {
  const { account, sessionKey } = await completeOpaqueLogin(ctx, body.loginId, body.finishLoginRequest, 'sign-in', null);
  const { user } = account;
  const userId = user.id;
  const methods = twoStepMethodsOf(account.twoStep);
  const token = { derived: deriveSessionToken(sessionKey) };
  if (methods.length > 0) {
    // Password and Secret Key were right; nothing of the account is handed out before the second step.
    const session = await createSession(ctx, ctx.db, { userId, device: body.device, meta, reauthenticated: false, token, twoStepPending: true });
    return { session, twoStep: { methods } };
  }
  const session = await recordSignIn(ctx, { userId, device: body.device }, meta, user.email, (tx) =>
    createSession(ctx, tx, { userId, device: body.device, meta, reauthenticated: true, token }),
  );
  return { session, account: accountProfileOf(user, account.keyset) };
}

export async function startReauth(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  body: { secretKeyVerifier: string; startLoginRequest: string },
): Promise<LoginStartResponse> {
  await enforceRateLimits(ctx, [['reauthPerUser', session.userId]]);
  const user = await findUserById(ctx.db, session.userId);
  if (!verifierMatches(user, body.secretKeyVerifier)) {
    if (user !== undefined) await recordReauthWrongSecretKey(ctx, user, meta, ctx.clock());
    throw wrongSecretKey();
  }
  return beginOpaqueLogin(ctx, user, body.startLoginRequest, 'reauth', session.id, meta);
}

export async function finishReauth(
  ctx: ServerContext,
  session: AuthenticatedSession,
  meta: RequestMeta,
  body: { loginId: string; finishLoginRequest: string },
): Promise<ReauthFinishResponse> {
  const { account } = await completeOpaqueLogin(ctx, body.loginId, body.finishLoginRequest, 'reauth', session.id);
  // Unlocking with the old password and Secret Key: the member has them after all (§22.8).
  await cancelOnOldCredentials(ctx, account.user.id, meta);
  const now = ctx.clock();
  await markReauthenticated(ctx.db, session.id, now);
  return { account: accountProfileOf(account.user, account.keyset), reauthenticatedAt: now.toISOString() };
}
