import { Type, type Static } from '@sinclair/typebox';
import { BackupCode, Base64Url, FactorProofFields, Otp, RandomId, Timestamp, strictObject } from './common.ts';
import { AccountProfile } from './auth.ts';

export { BackupCode, Otp };

export const SecurityKeyInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
export type SecurityKeyInfo = Static<typeof SecurityKeyInfo>;

export const TwoStepStatus = Type.Object({
  enabled: Type.Boolean(),
  totp: Type.Boolean(),
  securityKeys: Type.Array(SecurityKeyInfo),
  backupCodesRemaining: Type.Integer(),
  /** True when 3 or fewer backup codes remain: time to regenerate. */
  regenerateBackupCodes: Type.Boolean(),
});
export type TwoStepStatus = Static<typeof TwoStepStatus>;

export const TotpSetupResponse = Type.Object({ secret: Type.String(), uri: Type.String() });
export type TotpSetupResponse = Static<typeof TotpSetupResponse>;
export const OtpRequest = strictObject({ otp: Otp });
export const BackupCodesResponse = Type.Object({ backupCodes: Type.Array(Type.String()) });
export type BackupCodesResponse = Static<typeof BackupCodesResponse>;

/** Proof with an enrolled factor, needed to disable two-step verification or change a factor. */
export const FactorProof = strictObject(FactorProofFields);
export type FactorProof = Static<typeof FactorProof>;

/** WebAuthn JSON (from @simplewebauthn/browser) is checked by @simplewebauthn/server; here only its envelope. */
export const WebAuthnJson = Type.Record(Type.String(), Type.Unknown());
export const RegisterSecurityKeyRequest = strictObject({ name: Type.String({ minLength: 1, maxLength: 100 }), response: WebAuthnJson });
export const SecurityKeyIdParams = strictObject({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$' }) });

export const TwoStepMethods = Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('security-key'), Type.Literal('backup-code')]));
export type TwoStepMethods = Static<typeof TwoStepMethods>;
export const TwoStepRequest = strictObject({
  otp: Type.Optional(Otp),
  backupCode: Type.Optional(BackupCode),
  securityKey: Type.Optional(WebAuthnJson),
});
export type TwoStepRequest = Static<typeof TwoStepRequest>;
export const TwoStepResponse = Type.Object({ account: AccountProfile, backupCodesRemaining: Type.Integer(), sessionExpiresAt: Timestamp });
export type TwoStepResponse = Static<typeof TwoStepResponse>;
/**
 * WebAuthn options (from @simplewebauthn/server) for the browser's ceremony. Only the envelope
 * is checked: an object with its challenge; the browser library checks the rest.
 */
export const ChallengeOptions = Type.Object({ challenge: Type.String({ minLength: 1 }) }, { additionalProperties: true });
export type ChallengeOptions = Static<typeof ChallengeOptions>;
export const RegisteredSecurityKey = Type.Object({ id: Type.String(), backupCodes: Type.Array(Type.String()) });
export type RegisteredSecurityKey = Static<typeof RegisteredSecurityKey>;
/** The answer of a change that returns nothing else. */
export const OkResponse = Type.Object({ ok: Type.Boolean() });
export { Base64Url, RandomId };
