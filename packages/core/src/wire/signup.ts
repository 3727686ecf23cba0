import { Type, type Static } from '@sinclair/typebox';
import {
  Base64Url,
  Device,
  Email,
  EmailCode,
  EncryptedKeyset,
  Hex64,
  Name,
  RandomId,
  RegistrationRecord,
  UserIdSchema,
  VaultIdSchema,
  strictObject,
} from './common.ts';
import { SessionGrant, AccountProfile } from './auth.ts';
import { KeyWrapInput } from './key-wrap.ts';

export const SignupStartRequest = strictObject({ email: Email });
export const SignupStartResponse = Type.Object({ status: Type.Literal('verification_sent'), verificationId: RandomId });

export const SignupVerifyRequest = strictObject({ verificationId: RandomId, code: EmailCode });
export const SignupVerifyResponse = Type.Object({ ticket: Base64Url(64), userId: UserIdSchema });

export const SignupRegisterRequest = strictObject({ ticket: Base64Url(64), registrationRequest: Base64Url(256) });
export const SignupRegisterResponse = Type.Object({ registrationResponse: Base64Url(512) });

export const PersonalVault = strictObject({ id: VaultIdSchema, encryptedAttrs: Base64Url(), keyWrap: KeyWrapInput });

export const SignupFinishRequest = strictObject({
  ticket: Base64Url(64),
  name: Name,
  accountId: Type.String({ pattern: '^[2-9A-HJ-NP-Z]{6}$' }),
  registrationRecord: RegistrationRecord,
  secretKeyVerifier: Hex64,
  keyset: EncryptedKeyset,
  personalVault: PersonalVault,
  device: Device,
});
export const SignupFinishResponse = Type.Object({ session: SessionGrant, account: AccountProfile });

export type SignupStartRequest = Static<typeof SignupStartRequest>;
export type SignupStartResponse = Static<typeof SignupStartResponse>;
export type SignupVerifyRequest = Static<typeof SignupVerifyRequest>;
export type SignupVerifyResponse = Static<typeof SignupVerifyResponse>;
export type SignupRegisterRequest = Static<typeof SignupRegisterRequest>;
export type SignupRegisterResponse = Static<typeof SignupRegisterResponse>;
export type SignupFinishRequest = Static<typeof SignupFinishRequest>;
export type SignupFinishResponse = Static<typeof SignupFinishResponse>;
