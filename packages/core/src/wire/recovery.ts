import { Type, type Static } from '@sinclair/typebox';
import {
  Base64Url,
  Email,
  EmailCode,
  EncryptedKeyset,
  FactorProofFields,
  Hex64,
  RandomId,
  RegistrationRecord,
  Timestamp,
  UserIdSchema,
  strictObject,
} from './common.ts';

export const RecoveryCodeStatusValue = Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('active')]);
export type RecoveryCodeStatusValue = Static<typeof RecoveryCodeStatusValue>;

/** What the signed-in account sees about its recovery code (`GET /api/recovery-code`). */
export const RecoveryCodeStatus = Type.Object({
  /** `active` when a working code exists (even while a replacement is pending). */
  status: RecoveryCodeStatusValue,
  /** A new code waits for confirmation; until then the active one (if any) keeps working. */
  pendingReplacement: Type.Boolean(),
  confirmedAt: Type.Union([Type.String(), Type.Null()]),
  lastCheckedAt: Type.Union([Type.String(), Type.Null()]),
  /** What to nudge the user about: nothing, setting a code up, or checking it (not checked for a year). */
  reminder: Type.Union([Type.Literal('none'), Type.Literal('set-up'), Type.Literal('check')]),
  failedAttempts: Type.Integer(),
  locked: Type.Boolean(),
});
export type RecoveryCodeStatus = Static<typeof RecoveryCodeStatus>;

/** With two-step verification on, creating and deleting a code need a proof by an enrolled factor. */
export const CreateRecoveryCodeRequest = strictObject({ authPublicKey: Base64Url(64), wrappedSymmetricKey: Base64Url(), ...FactorProofFields });
export const DeleteRecoveryCodeRequest = strictObject(FactorProofFields);
export type CreateRecoveryCodeRequest = Static<typeof CreateRecoveryCodeRequest>;

export const RecoveryChallengeRequest = strictObject({ purpose: Type.Union([Type.Literal('confirm'), Type.Literal('check')]) });
export const RecoveryChallenge = Type.Object({ challengeId: RandomId, challenge: Base64Url(64) });
export type RecoveryChallenge = Static<typeof RecoveryChallenge>;
/** The answer to a recovery-code challenge (confirm or check, signed in): the code's signature over it. */
export const RecoveryChallengeAnswer = strictObject({ challengeId: RandomId, proof: Base64Url(128) });
export type RecoveryChallengeAnswer = Static<typeof RecoveryChallengeAnswer>;
export const RecoveryCheckResponse = Type.Object({ valid: Type.Boolean() });

export const RecoveryStartRequest = strictObject({ email: Email });
export const RecoveryStartResponse = Type.Object({ status: Type.Literal('verification_sent'), verificationId: RandomId });
export const RecoveryVerifyRequest = strictObject({ verificationId: RandomId, code: EmailCode });
export const RecoveryVerifyResponse = Type.Object({ ticket: Base64Url(64) });
/** Recovering an account (signed out): `proof` signs the ticket (purpose `recover`) with the recovery code's authentication key. */
export const RecoveryProveRequest = strictObject({ ticket: Base64Url(64), proof: Base64Url(128) });
export const RecoveryProveResponse = Type.Object({
  grant: Base64Url(64),
  userId: UserIdSchema,
  accountId: Type.String(),
  keyset: EncryptedKeyset,
  wrappedSymmetricKey: Type.String(),
  expiresAt: Timestamp,
});
export type RecoveryProveResponse = Static<typeof RecoveryProveResponse>;
export const RecoveryRegisterRequest = strictObject({ grant: Base64Url(64), registrationRequest: Base64Url(256) });
export const RecoveryRegisterResponse = Type.Object({ registrationResponse: Base64Url(512) });
export const RecoveryFinishRequest = strictObject({
  grant: Base64Url(64),
  accountId: Type.String({ pattern: '^[2-9A-HJ-NP-Z]{6}$' }),
  registrationRecord: RegistrationRecord,
  secretKeyVerifier: Hex64,
  encryptedSymmetricKey: Base64Url(),
});
export type RecoveryFinishRequest = Static<typeof RecoveryFinishRequest>;
export const RecoveryFinishResponse = Type.Object({ signedOutSessions: Type.Integer() });
export type RecoveryStartResponse = Static<typeof RecoveryStartResponse>;
export type RecoveryVerifyResponse = Static<typeof RecoveryVerifyResponse>;
