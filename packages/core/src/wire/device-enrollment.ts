/**
 * Wire schemas of the device-enrollment relay (docs/protocol.md §24.7). The server stores and
 * forwards the four CPace/bundle messages of device-enrollment.ts as opaque base64url; it
 * checks only their step, their length, who may post them and when.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Base64Url, RandomId, Timestamp, strictObject } from './common.ts';

/** The longest relayed message (step 4, the sealed credential bundle: 16 KiB of bundle in a sealed box). */
export const MAX_ENROLLMENT_MESSAGE_LENGTH = 22_000;

/** Which of the four messages: 1 Ya, 2 Yb‖Tb, 3 Ta (base64url of 32, 96 and 64 bytes), 4 the sealed bundle. */
export const EnrollmentStep = Type.Integer({ minimum: 1, maximum: 4 });
export type EnrollmentStep = Static<typeof EnrollmentStep>;

/** One enrollment as either of its two devices (or, before approval, any device of the account) sees it. */
export const DeviceEnrollment = Type.Object({
  enrollmentId: RandomId,
  newDeviceId: Type.String(),
  newDeviceName: Type.String(),
  newDevicePlatform: Type.String(),
  /** Null until a trusted device approves it. */
  trustedDeviceId: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Timestamp,
  /** Messages 1 to 3 once posted. */
  share: Type.Union([Type.String(), Type.Null()]),
  reply: Type.Union([Type.String(), Type.Null()]),
  confirmation: Type.Union([Type.String(), Type.Null()]),
  bundleReady: Type.Boolean(),
  /** Message 4 (the bundle sealed under the CPace key), to the new device only; null to anyone else. */
  bundle: Type.Union([Type.String(), Type.Null()]),
});
export type DeviceEnrollment = Static<typeof DeviceEnrollment>;

export const DeviceEnrollmentResponse = Type.Object({ enrollment: DeviceEnrollment });
export type DeviceEnrollmentResponse = Static<typeof DeviceEnrollmentResponse>;

export const DeviceEnrollmentList = Type.Object({ enrollments: Type.Array(DeviceEnrollment) });
export type DeviceEnrollmentList = Static<typeof DeviceEnrollmentList>;

export const DeviceEnrollmentRef = strictObject({ enrollmentId: RandomId });
export type DeviceEnrollmentRef = Static<typeof DeviceEnrollmentRef>;

export const DeviceEnrollmentMessage = strictObject({
  enrollmentId: RandomId,
  step: EnrollmentStep,
  message: Base64Url(MAX_ENROLLMENT_MESSAGE_LENGTH),
});
export type DeviceEnrollmentMessage = Static<typeof DeviceEnrollmentMessage>;

/**
 * The new device ends the enrollment: the bundle it opened from message 4, sealed again under its
 * own new device key (AD {account, device}, §24.5), becomes its trusted-device row.
 */
export const DeviceEnrollmentFinish = strictObject({ enrollmentId: RandomId, sealedBundle: Base64Url(MAX_ENROLLMENT_MESSAGE_LENGTH) });
export type DeviceEnrollmentFinish = Static<typeof DeviceEnrollmentFinish>;

export const DeviceEnrollmentFinished = Type.Object({ deviceId: Type.String() });
export type DeviceEnrollmentFinished = Static<typeof DeviceEnrollmentFinished>;
