/**
 * Wire schemas of passkey accounts and trusted devices (docs/protocol.md §24.9–24.11). WebAuthn
 * JSON is checked by @simplewebauthn/server; here only its envelope. The sealed bundle is opaque
 * to the server (a sealed box under a device key it never sees).
 */
import { Type, type Static } from '@sinclair/typebox';
import { SessionGrant } from './auth.ts';
import { Base64Url, Device, Email, RandomId, Timestamp, UserIdSchema, strictObject } from './common.ts';
import { SignupFinishRequest } from './signup.ts';
import { WebAuthnJson } from './two-step.ts';

/** A sealed box of the 42-byte bundle (§24.8) is far below this; the room is for later versions. */
export const MAX_SEALED_BUNDLE_LENGTH = 22_000;
const SealedBundle = Base64Url(MAX_SEALED_BUNDLE_LENGTH);

export const PasskeySignupOptionsRequest = strictObject({ ticket: Base64Url(64) });
export type PasskeySignupOptionsRequest = Static<typeof PasskeySignupOptionsRequest>;

export const PasskeySignupFinishRequest = strictObject({
  ...SignupFinishRequest.properties,
  /** The attestation (`navigator.credentials.create`) over the ticket's challenge. */
  passkey: WebAuthnJson,
  /** The bundle sealed under this device's key, AD {account: userId, device: device.id}. */
  sealedBundle: SealedBundle,
  /** The recovery code every passkey account must have, stored active (§24.9). */
  recoveryCode: strictObject({ authPublicKey: Base64Url(64), wrappedSymmetricKey: Base64Url() }),
});
export type PasskeySignupFinishRequest = Static<typeof PasskeySignupFinishRequest>;

export const PasskeyUnlockOptionsRequest = strictObject({ email: Email });
export type PasskeyUnlockOptionsRequest = Static<typeof PasskeyUnlockOptionsRequest>;

export const PasskeyUnlockRequest = strictObject({ email: Email, deviceId: RandomId, response: WebAuthnJson });
export type PasskeyUnlockRequest = Static<typeof PasskeyUnlockRequest>;

/**
 * A new device proves the passkey to be enrolled (§24.7): the same assertion as an unlock, for a
 * device that is not trusted yet. Answered with an enrollment session, which only the relay accepts.
 */
export const PasskeyEnrollmentSessionRequest = strictObject({ email: Email, device: Device, response: WebAuthnJson });
export type PasskeyEnrollmentSessionRequest = Static<typeof PasskeyEnrollmentSessionRequest>;

export const PasskeyEnrollmentSessionResponse = Type.Object({ userId: UserIdSchema, session: SessionGrant });
export type PasskeyEnrollmentSessionResponse = Static<typeof PasskeyEnrollmentSessionResponse>;

export const PasskeyUnlockResponse = Type.Object({ userId: UserIdSchema, sealedBundle: Type.String() });
export type PasskeyUnlockResponse = Static<typeof PasskeyUnlockResponse>;

export const TrustedDevice = Type.Object({
  id: Type.String(),
  name: Type.String(),
  platform: Type.String(),
  addedAt: Timestamp,
  lastUsedAt: Timestamp,
  /** The device of the session asking. */
  current: Type.Boolean(),
});
export type TrustedDevice = Static<typeof TrustedDevice>;

export const TrustedDeviceList = Type.Object({ devices: Type.Array(TrustedDevice) });
export type TrustedDeviceList = Static<typeof TrustedDeviceList>;

export const RenameTrustedDeviceRequest = strictObject({ deviceId: RandomId, name: Type.String({ minLength: 1, maxLength: 100 }) });
export type RenameTrustedDeviceRequest = Static<typeof RenameTrustedDeviceRequest>;

export const RemoveTrustedDeviceRequest = strictObject({ deviceId: RandomId });
export type RemoveTrustedDeviceRequest = Static<typeof RemoveTrustedDeviceRequest>;
