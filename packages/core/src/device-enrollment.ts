/**
 * Enrolling a new device from a trusted one (SPEC §2.5, docs/protocol.md §24): the pure
 * protocol pieces. The new device is CPace's initiator, the trusted device its responder; the
 * server only relays four messages between them:
 *
 *   1. new → trusted      share        Ya
 *   2. trusted → new      share, tag   Yb, Tb
 *   3. new → trusted      tag          Ta
 *   4. trusted → new      bundle       the credential bundle, sealed under a key from ISK
 *
 * The trusted device seals the bundle only after Ta verifies, so a wrong code never yields a
 * ciphertext to attack. The channel identifier binds the account and both device ids (new
 * device first, as the draft asks for initiator-responder), so messages relayed into another
 * account's or another device's enrollment fail key confirmation. The associated data ADa/ADb
 * names the protocol version and the cipher suite: a relay that swaps in another version or
 * suite makes the runs disagree instead of downgrading them.
 *
 * Protects against: a relaying server reading the bundle (end-to-end under CPace), testing
 * codes offline (CPace), moving a sealed bundle to another enrollment (associated data and the
 * key's context name the account, both devices and the session).
 */
import { fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { canonicalFields, associatedData } from './associated-data.ts';
import { hkdfSha256 } from './crypto/hkdf.ts';
import { CPACE_SHARE_LENGTH, CPACE_TAG_LENGTH, CpaceInitiator, CpaceResponder, lvCat, type CpaceParameters } from './cpace.ts';
import { enrollmentCodeBytes, type EnrollmentCode } from './enrollment-code.ts';
import { LatchkeyError } from './errors.ts';
import { importBoxKey, openBox, sealBox } from './sealed-box.ts';

const CHANNEL_HEADER = utf8('latchkey/v1/device-enrollment');
/** ADa: the new device's role, protocol version and suite. */
export const ENROLLMENT_AD_NEW_DEVICE = utf8('latchkey/v1/device-enrollment/CPACE-RISTR255-SHA512/new-device');
/** ADb: the trusted device's. */
export const ENROLLMENT_AD_TRUSTED_DEVICE = utf8('latchkey/v1/device-enrollment/CPACE-RISTR255-SHA512/trusted-device');
const BUNDLE_KEY_SALT = utf8('latchkey/v1/device-enrollment/bundle-key');
const BUNDLE_KEY_INFO = 'latchkey/v1/device-enrollment/bundle-key';
/** Credential bundles are small key material; anything near this is a bug or an attack. */
export const MAX_CREDENTIAL_BUNDLE_LENGTH = 16_384;

/** Who enrolls whom, in which account, in which server-issued enrollment session. */
export interface EnrollmentContext {
  readonly accountId: string;
  readonly newDeviceId: string;
  readonly trustedDeviceId: string;
  /** The enrollment session id the server issued (random, single-use): CPace's sid. */
  readonly sessionId: string;
}

const SAFE_ID = /^[A-Za-z0-9_.:@+-]{1,128}$/;

function checkContext(context: EnrollmentContext): void {
  for (const [name, value] of Object.entries(context)) {
    if (typeof value !== 'string' || !SAFE_ID.test(value)) throw new TypeError(`enrollment ${name} is not a plain identifier`);
  }
  if (context.sessionId.length < 16) throw new TypeError('an enrollment session id has at least 16 characters');
  if (context.newDeviceId === context.trustedDeviceId) throw new TypeError('a device cannot enroll itself');
}

/**
 * CPace's CI: lv_cat of a header, the account, the new device (initiator) and the trusted
 * device (responder). Never sent; both sides build it from what they know.
 */
export function enrollmentChannelIdentifier(context: EnrollmentContext): Uint8Array {
  checkContext(context);
  return lvCat(CHANNEL_HEADER, utf8(context.accountId), utf8(context.newDeviceId), utf8(context.trustedDeviceId));
}

/** PRS, CI and sid for one run. @throws TypeError for ids unsafe in the encoding. */
export function enrollmentCpaceParameters(code: EnrollmentCode, context: EnrollmentContext): CpaceParameters {
  return { prs: enrollmentCodeBytes(code), ci: enrollmentChannelIdentifier(context), sid: utf8(context.sessionId) };
}

/** Message 1 as relayed: base64url of Ya. */
export interface EnrollmentShareMessage {
  readonly share: string;
}
/** Message 2: Yb and Tb. */
export interface EnrollmentReplyMessage {
  readonly share: string;
  readonly confirmation: string;
}
/** Message 3: Ta. */
export interface EnrollmentConfirmationMessage {
  readonly confirmation: string;
}

const decodeFixed = (text: unknown, length: number, what: string): Uint8Array => {
  let bytes: Uint8Array | undefined;
  try {
    bytes = typeof text === 'string' ? fromBase64Url(text) : undefined;
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length !== length) throw new LatchkeyError('cpace_invalid_share', `The enrollment ${what} is malformed.`);
  return bytes;
};

/** The new device begins: keep the state, relay `message`. */
export function startEnrollment(
  code: EnrollmentCode,
  context: EnrollmentContext,
): { readonly state: CpaceInitiator; readonly message: EnrollmentShareMessage } {
  const state = CpaceInitiator.start(enrollmentCpaceParameters(code, context), ENROLLMENT_AD_NEW_DEVICE);
  return { state, message: { share: toBase64Url(state.message.share) } };
}

/**
 * The trusted device answers message 1 with the code it shows.
 * @throws LatchkeyError `cpace_invalid_share` for a malformed, non-canonical or identity share.
 */
export function answerEnrollment(
  code: EnrollmentCode,
  context: EnrollmentContext,
  message: EnrollmentShareMessage,
): { readonly state: CpaceResponder; readonly message: EnrollmentReplyMessage } {
  const share = decodeFixed(message.share, CPACE_SHARE_LENGTH, 'share');
  const state = CpaceResponder.respond(enrollmentCpaceParameters(code, context), { share, ad: ENROLLMENT_AD_NEW_DEVICE }, ENROLLMENT_AD_TRUSTED_DEVICE);
  return { state, message: { share: toBase64Url(state.message.share), confirmation: toBase64Url(state.message.confirmation) } };
}

/**
 * The new device checks message 2. The caller wipes `isk` once the bundle is opened.
 * @throws LatchkeyError `cpace_invalid_share`, `cpace_confirmation_failed` (wrong code: the run
 *   is over, the trusted device shows a new code), `cpace_state_used`.
 */
export function confirmEnrollment(
  state: CpaceInitiator,
  message: EnrollmentReplyMessage,
): { readonly isk: Uint8Array; readonly message: EnrollmentConfirmationMessage } {
  const share = decodeFixed(message.share, CPACE_SHARE_LENGTH, 'share');
  const confirmation = decodeFixed(message.confirmation, CPACE_TAG_LENGTH, 'confirmation');
  const result = state.finish({ share, ad: ENROLLMENT_AD_TRUSTED_DEVICE, confirmation });
  return { isk: result.isk, message: { confirmation: toBase64Url(result.confirmation) } };
}

/**
 * The trusted device checks message 3 and gets ISK, to seal the bundle with.
 * @throws LatchkeyError `cpace_confirmation_failed`, `cpace_state_used`.
 */
export function acceptEnrollment(state: CpaceResponder, message: EnrollmentConfirmationMessage): Uint8Array {
  return state.finish(decodeFixed(message.confirmation, CPACE_TAG_LENGTH, 'confirmation'));
}

const bindingOf = (context: EnrollmentContext) => ({
  account: context.accountId,
  'new-device': context.newDeviceId,
  'trusted-device': context.trustedDeviceId,
  session: context.sessionId,
});

/** The AES-256-GCM key for message 4: HKDF-SHA-256 of ISK, bound to this enrollment. */
async function bundleKey(isk: Uint8Array, context: EnrollmentContext) {
  if (isk.length !== 64) throw new RangeError('a CPace ISK is 64 bytes');
  checkContext(context);
  const raw = hkdfSha256(isk, BUNDLE_KEY_SALT, canonicalFields(BUNDLE_KEY_INFO, bindingOf(context)), 32);
  try {
    return await importBoxKey(raw);
  } finally {
    raw.fill(0);
  }
}

/**
 * Message 4: the credential bundle sealed under the agreed key, with associated data
 * `enrollment-credential-bundle` naming the account, both devices and the session.
 * @throws RangeError for an empty or oversized bundle or a wrong-length ISK.
 */
export async function sealEnrollmentBundle(isk: Uint8Array, context: EnrollmentContext, bundle: Uint8Array): Promise<string> {
  if (bundle.length === 0 || bundle.length > MAX_CREDENTIAL_BUNDLE_LENGTH) throw new RangeError('credential bundle length out of range');
  return sealBox(await bundleKey(isk, context), bundle, associatedData('enrollment-credential-bundle', bindingOf(context)));
}

/**
 * Opens message 4 on the new device.
 * @throws LatchkeyError `decryption_failed` (another enrollment's bundle, or tampered).
 */
export async function openEnrollmentBundle(isk: Uint8Array, context: EnrollmentContext, sealed: string): Promise<Uint8Array> {
  return openBox(await bundleKey(isk, context), sealed, associatedData('enrollment-credential-bundle', bindingOf(context)));
}
