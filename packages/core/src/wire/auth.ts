import { Type, type Static } from '@sinclair/typebox';
import {
  Base64Url,
  Device,
  Email,
  EncryptedKeyset,
  FactorProofFields,
  Hex64,
  Name,
  RandomId,
  RegistrationRecord,
  SessionIdSchema,
  Timestamp,
  UserIdSchema,
  strictObject,
} from './common.ts';

export const AccountProfile = Type.Object({ id: UserIdSchema, email: Email, name: Name, accountId: Type.String(), keyset: EncryptedKeyset });
export type AccountProfile = Static<typeof AccountProfile>;

/** `token` is present only when the server chose it (sign-up); after OPAQUE both sides derive it. */
export const SessionGrant = Type.Object({ id: SessionIdSchema, expiresAt: Timestamp, token: Type.Optional(Base64Url(64)) });
export type SessionGrant = Static<typeof SessionGrant>;

export const LoginStartRequest = strictObject({ email: Email, secretKeyVerifier: Hex64, startLoginRequest: Base64Url(256) });
export const LoginStartResponse = Type.Object({ loginId: RandomId, loginResponse: Base64Url(1024) });
export const LoginFinishRequest = strictObject({ loginId: RandomId, finishLoginRequest: Base64Url(512), device: Device });
/**
 * Without a second step: the session and the account. With one: a session that only the
 * two-step routes accept, the methods to choose from, and no account data until then.
 */
export const LoginFinishResponse = Type.Object({
  session: SessionGrant,
  account: Type.Optional(AccountProfile),
  twoStep: Type.Optional(Type.Object({ methods: Type.Array(Type.String()) })),
});

/** Re-authentication inside a signed-in session: proves the password and Secret Key again (unlock, sensitive changes). */
export const ReauthStartRequest = strictObject({ secretKeyVerifier: Hex64, startLoginRequest: Base64Url(256) });
export const ReauthFinishRequest = strictObject({ loginId: RandomId, finishLoginRequest: Base64Url(512) });
export const ReauthFinishResponse = Type.Object({ account: AccountProfile, reauthenticatedAt: Timestamp });

export type LoginStartRequest = Static<typeof LoginStartRequest>;
export type LoginStartResponse = Static<typeof LoginStartResponse>;
export type LoginFinishRequest = Static<typeof LoginFinishRequest>;
export type LoginFinishResponse = Static<typeof LoginFinishResponse>;
export type ReauthStartRequest = Static<typeof ReauthStartRequest>;
export type ReauthFinishRequest = Static<typeof ReauthFinishRequest>;
export type ReauthFinishResponse = Static<typeof ReauthFinishResponse>;

export const CredentialsChangeStartRequest = strictObject({ registrationRequest: Base64Url(256) });
export const CredentialsChangeStartResponse = Type.Object({ registrationResponse: Base64Url(512) });
export const CredentialsChangeFinishRequest = strictObject({
  reason: Type.Union([Type.Literal('password'), Type.Literal('secret-key')]),
  accountId: Type.String({ pattern: '^[2-9A-HJ-NP-Z]{6}$' }),
  registrationRecord: RegistrationRecord,
  secretKeyVerifier: Hex64,
  encryptedSymmetricKey: Base64Url(),
  /** With two-step verification on: a proof by an enrolled factor. */
  ...FactorProofFields,
});
export const CredentialsChangeFinishResponse = Type.Object({ signedOutSessions: Type.Integer() });
export type CredentialsChangeStartRequest = Static<typeof CredentialsChangeStartRequest>;
export type CredentialsChangeFinishRequest = Static<typeof CredentialsChangeFinishRequest>;
export type CredentialsChangeFinishResponse = Static<typeof CredentialsChangeFinishResponse>;

export const SessionInfo = Type.Object({
  id: SessionIdSchema,
  deviceName: Type.String(),
  platform: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  /** The client address the server saw at sign-in (behind a proxy, see docs/operations.md); null when none was recorded. */
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
  /** Signed in with password and Secret Key, still waiting for the second step. */
  twoStepPending: Type.Boolean(),
});
export type SessionInfo = Static<typeof SessionInfo>;
export const SessionList = Type.Object({ sessions: Type.Array(SessionInfo) });
export const RevokeResponse = Type.Object({ revoked: Type.Integer() });

export const SecurityEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  createdAt: Timestamp,
  ip: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type SecurityEvent = Static<typeof SecurityEvent>;
export const SecurityLog = Type.Object({ events: Type.Array(SecurityEvent) });

export const IdParams = strictObject({ id: SessionIdSchema });
export { RandomId };
export type CredentialsChangeStartResponse = Static<typeof CredentialsChangeStartResponse>;
