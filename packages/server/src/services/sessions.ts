/**
 * Sessions: created after sign-up or OPAQUE sign-in, found by the hash of their bearer token,
 * listed and revoked by their owner. Sensitive changes additionally need a recent
 * re-authentication inside the session: the endpoints that say so (`requireRecentReauth` in
 * the endpoint table) get a `ReauthenticatedSession` from the route layer, and the services
 * behind them take only that.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { newSessionId, type SessionId, type UserId } from '@latchkey/core/ids';
import type { AccountProfile, SessionGrant, SessionInfo } from '@latchkey/core/wire/auth';
import type { Device, EncryptedKeyset } from '@latchkey/core/wire/common';
import type { RequestMeta, ServerContext, Tx } from '../context.ts';
import * as sessions from '../repositories/sessions.ts';
import { findKeyset, findUserById, type UserRow } from '../repositories/users.ts';
import { recordSecurityEvent } from '../repositories/security-events.ts';
import { hashToken, newToken } from '../security/tokens.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600_000;
export const REAUTH_MAX_AGE_MS = 5 * 60_000;
const TOUCH_INTERVAL_MS = 60_000;

export const PENDING_TWO_STEP_TTL_MS = 10 * 60_000;
/** Three enrollments' worth (§24.7): room to ask again after a wrong code; after that the new device proves the passkey again. */
export const ENROLLMENT_SESSION_TTL_MS = 30 * 60_000;

export interface AuthenticatedSession {
  readonly id: SessionId;
  readonly userId: UserId;
  readonly reauthenticatedAt: Date | null;
  /** Signed in with password and Secret Key, but the second step is still owed. */
  readonly twoStepPending: boolean;
  /**
   * `enrollment`: a new device of a passkey account that proved the passkey but holds no bundle
   * yet (§24.7); only the enrollment relay's endpoints accept it.
   */
  readonly kind: 'full' | 'enrollment';
  readonly device: { readonly id: string; readonly name: string; readonly platform: string };
}

/**
 * `token: 'server-chosen'` makes a random token and returns it (sign-up); otherwise the token
 * was derived by both sides from the OPAQUE session key and is not sent back.
 */
export async function createSession(
  ctx: ServerContext,
  tx: Tx,
  params: {
    userId: UserId;
    device: Device;
    meta: RequestMeta;
    reauthenticated: boolean;
    token: 'server-chosen' | { derived: string };
    twoStepPending?: boolean;
    /** An enrollment session lives as long as an enrollment, and never counts as re-authenticated. */
    kind?: 'full' | 'enrollment';
  },
): Promise<SessionGrant> {
  const now = ctx.clock();
  const id = newSessionId();
  const token = params.token === 'server-chosen' ? newToken() : params.token.derived;
  const pending = params.twoStepPending === true;
  const enrollment = params.kind === 'enrollment';
  const expiresAt = new Date(now.getTime() + (enrollment ? ENROLLMENT_SESSION_TTL_MS : pending ? PENDING_TWO_STEP_TTL_MS : SESSION_TTL_MS));
  await sessions.insertSession(tx, {
    id,
    userId: params.userId,
    tokenHash: hashToken(token),
    deviceId: params.device.id,
    deviceName: params.device.name,
    platform: params.device.platform,
    ip: params.meta.ip,
    expiresAt,
    now,
    reauthenticated: params.reauthenticated && !pending && !enrollment,
    twoStepPending: pending,
    kind: params.kind ?? 'full',
  });
  return params.token === 'server-chosen' ? { id, expiresAt: expiresAt.toISOString(), token } : { id, expiresAt: expiresAt.toISOString() };
}

/**
 * Resolves a bearer token to its session. Throws `unauthenticated`, `session_expired`, or
 * `second_factor_required` for a session still waiting for its second step (unless the route
 * is one of the few that complete it).
 */
export async function authenticate(
  ctx: ServerContext,
  authorization: string | undefined,
  options: { allowPendingTwoStep?: boolean; allowEnrollment?: boolean } = {},
): Promise<AuthenticatedSession> {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
  if (match === null) throw new LatchkeyError('unauthenticated', 'Sign in first.');
  const session = await sessions.findSessionByTokenHash(ctx.db, hashToken(match[1]!));
  if (session === undefined) throw new LatchkeyError('unauthenticated', 'This session has ended. Sign in again.');
  const now = ctx.clock();
  if (session.expiresAt <= now) throw new LatchkeyError('session_expired', 'This session has expired. Sign in again.');
  if (session.twoStepPending && options.allowPendingTwoStep !== true) {
    throw new LatchkeyError('second_factor_required', 'Finish signing in with your second step first.');
  }
  if (session.kind === 'enrollment' && options.allowEnrollment !== true) {
    throw new LatchkeyError('device_not_trusted', 'This device is waiting to be enrolled: approve it from a trusted device first.');
  }
  if (now.getTime() - session.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) await sessions.touchSession(ctx.db, session.id, now);
  return {
    id: session.id,
    userId: session.userId,
    reauthenticatedAt: session.reauthenticatedAt,
    twoStepPending: session.twoStepPending,
    kind: session.kind,
    device: { id: session.deviceId, name: session.deviceName, platform: session.platform },
  };
}

declare const recentlyReauthenticated: unique symbol;

/** A session that re-authenticated within the last 5 minutes, as of this request. Only `requireRecentReauth` makes one. */
export interface ReauthenticatedSession extends AuthenticatedSession {
  readonly [recentlyReauthenticated]: true;
}

/** @throws `reauthentication_required` when the session's last re-authentication is older than 5 minutes (or never was). */
export function requireRecentReauth(ctx: ServerContext, session: AuthenticatedSession): ReauthenticatedSession {
  const at = session.reauthenticatedAt;
  if (at === null || ctx.clock().getTime() - at.getTime() > REAUTH_MAX_AGE_MS) {
    throw new LatchkeyError('reauthentication_required', 'Confirm your password and Secret Key again to do this.');
  }
  return session as ReauthenticatedSession;
}

export async function toAccountProfile(db: Tx, user: UserRow): Promise<AccountProfile> {
  return accountProfileOf(user, await findKeyset(db, user.keysetId));
}

/** The profile from a keyset already read (`findSignInAccount`). */
export const accountProfileOf = (user: UserRow, keyset: EncryptedKeyset): AccountProfile => ({
  id: user.id,
  email: user.email,
  name: user.name,
  accountId: user.accountId,
  keyset,
});

export async function getAccountProfile(ctx: ServerContext, session: AuthenticatedSession): Promise<AccountProfile> {
  const user = await findUserById(ctx.db, session.userId);
  if (user === undefined) throw new LatchkeyError('unauthenticated', 'This account no longer exists.');
  return toAccountProfile(ctx.db, user);
}

export async function listSessions(ctx: ServerContext, session: AuthenticatedSession): Promise<SessionInfo[]> {
  const rows = await sessions.listSessions(ctx.db, session.userId);
  return rows.map((row) => ({
    id: row.id,
    deviceName: row.deviceName,
    platform: row.platform,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    ip: row.ip,
    current: row.id === session.id,
    twoStepPending: row.twoStepPending,
  }));
}

export async function revokeSession(ctx: ServerContext, session: AuthenticatedSession, meta: RequestMeta, sessionId: string): Promise<number> {
  const revoked = await sessions.deleteSession(ctx.db, session.userId, sessionId);
  if (revoked === 0) throw new LatchkeyError('not_found', 'No such session.');
  await recordSecurityEvent(ctx.db, {
    userId: session.userId,
    type: sessionId === session.id ? 'sign-out' : 'session.revoked',
    detail: { session: sessionId },
    ip: meta.ip,
    now: ctx.clock(),
  });
  return revoked;
}

export async function revokeOtherSessions(ctx: ServerContext, session: AuthenticatedSession, meta: RequestMeta): Promise<number> {
  const revoked = await sessions.deleteOtherSessions(ctx.db, session.userId, session.id);
  await recordSecurityEvent(ctx.db, { userId: session.userId, type: 'sessions.revoked-others', detail: { count: revoked }, ip: meta.ip, now: ctx.clock() });
  return revoked;
}
