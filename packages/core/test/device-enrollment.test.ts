/**
 * Device enrollment in core: the four relayed messages between a new and a trusted device, the
 * channel identifier, the bundle under the CPace key, and the per-device bundle, with the
 * failures a relay or a wrong code can cause.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64Url, randomBytes, toBase64Url } from '../src/bytes.ts';
import { CPACE_IDENTITY } from '../src/cpace.ts';
import { deviceKeyFromCryptoKey, importDeviceKey, openDeviceCredentialBundle, sealDeviceCredentialBundle } from '../src/device-credential-bundle.ts';
import {
  acceptEnrollment,
  answerEnrollment,
  confirmEnrollment,
  type EnrollmentContext,
  enrollmentChannelIdentifier,
  openEnrollmentBundle,
  sealEnrollmentBundle,
  startEnrollment,
} from '../src/device-enrollment.ts';
import { generateEnrollmentCode, parseEnrollmentCode } from '../src/enrollment-code.ts';
import { expectLatchkeyError, expectLatchkeyErrorSync } from './helpers/errors.ts';

const context: EnrollmentContext = {
  accountId: '6f1c2a9e-2b7d-4c1e-9a55-0d3e8f7b1c20',
  newDeviceId: 'new-device-AAAAAAAAAAAAAAAA',
  trustedDeviceId: 'trusted-device-BBBBBBBBBBBBBB',
  sessionId: 'c0ffee00-1234-4abc-8def-000000000001',
};
const bundle = randomBytes(96);

/** Runs the four messages; `newCode` is what the person typed on the new device. */
async function enroll(shownCode = generateEnrollmentCode(), newCode = shownCode, newContext = context) {
  const newDevice = startEnrollment(newCode, newContext);
  const trusted = answerEnrollment(shownCode, context, newDevice.message);
  const confirmed = confirmEnrollment(newDevice.state, trusted.message);
  const isk = acceptEnrollment(trusted.state, confirmed.message);
  const sealed = await sealEnrollmentBundle(isk, context, bundle);
  return openEnrollmentBundle(confirmed.isk, newContext, sealed);
}

describe('device enrollment', () => {
  it('moves the credential bundle from the trusted device to the new one', async () => {
    expect(await enroll()).toEqual(bundle);
  });

  it('a code typed in another case and spacing still agrees', async () => {
    const shown = generateEnrollmentCode();
    expect(await enroll(shown, parseEnrollmentCode(shown.toLowerCase().replaceAll('-', ' ')))).toEqual(bundle);
  });

  it('a wrong code fails the new device on message 2, and the trusted device on message 3 (no bundle is sealed)', () => {
    const shown = generateEnrollmentCode();
    const newDevice = startEnrollment(generateEnrollmentCode(), context);
    const trusted = answerEnrollment(shown, context, newDevice.message);
    expectLatchkeyErrorSync(() => confirmEnrollment(newDevice.state, trusted.message), 'cpace_confirmation_failed');
    // Whatever the new device sends instead, the trusted device refuses it, and only once.
    expectLatchkeyErrorSync(() => acceptEnrollment(trusted.state, { confirmation: toBase64Url(new Uint8Array(64)) }), 'cpace_confirmation_failed');
    expectLatchkeyErrorSync(() => acceptEnrollment(trusted.state, { confirmation: toBase64Url(new Uint8Array(64)) }), 'cpace_state_used');
  });

  it('a relay that runs the new device against another account or device fails key confirmation', async () => {
    for (const other of [
      { ...context, accountId: 'another-account-0000' },
      { ...context, newDeviceId: 'another-new-device-00' },
      { ...context, sessionId: 'another-session-000000' },
    ]) {
      await expectLatchkeyError(() => enroll(undefined, undefined, other), 'cpace_confirmation_failed');
    }
  });

  it('the channel identifier names the account and both devices, new device first', () => {
    const swapped = { ...context, newDeviceId: context.trustedDeviceId, trustedDeviceId: context.newDeviceId };
    expect(enrollmentChannelIdentifier(swapped)).not.toEqual(enrollmentChannelIdentifier(context));
    expect(() => enrollmentChannelIdentifier({ ...context, trustedDeviceId: context.newDeviceId })).toThrow(TypeError);
    expect(() => enrollmentChannelIdentifier({ ...context, accountId: 'a\nb' })).toThrow(TypeError);
  });

  it('malformed, identity and non-canonical shares and tags are refused with a stable code', () => {
    const code = generateEnrollmentCode();
    for (const share of ['', '!!', toBase64Url(new Uint8Array(31)), toBase64Url(CPACE_IDENTITY), toBase64Url(new Uint8Array(32).fill(0xff))]) {
      expectLatchkeyErrorSync(() => answerEnrollment(code, context, { share }), 'cpace_invalid_share');
    }
    const newDevice = startEnrollment(code, context);
    const trusted = answerEnrollment(code, context, newDevice.message);
    expectLatchkeyErrorSync(() => confirmEnrollment(newDevice.state, { ...trusted.message, confirmation: 'AA' }), 'cpace_invalid_share');
  });

  it('a sealed bundle opens only in its own enrollment', async () => {
    const code = generateEnrollmentCode();
    const newDevice = startEnrollment(code, context);
    const trusted = answerEnrollment(code, context, newDevice.message);
    const confirmed = confirmEnrollment(newDevice.state, trusted.message);
    const sealed = await sealEnrollmentBundle(acceptEnrollment(trusted.state, confirmed.message), context, bundle);
    await expectLatchkeyError(() => openEnrollmentBundle(confirmed.isk, { ...context, sessionId: 'another-session-000000' }, sealed), 'decryption_failed');
    await expectLatchkeyError(() => openEnrollmentBundle(new Uint8Array(64), context, sealed), 'decryption_failed');
    const tampered = fromBase64Url(sealed);
    tampered[tampered.length - 1]! ^= 1;
    await expectLatchkeyError(() => openEnrollmentBundle(confirmed.isk, context, toBase64Url(tampered)), 'decryption_failed');
    expect(await openEnrollmentBundle(confirmed.isk, context, sealed)).toEqual(bundle);
  });

  it('refuses empty and oversized bundles', async () => {
    await expect(sealEnrollmentBundle(new Uint8Array(64), context, new Uint8Array())).rejects.toThrow(RangeError);
    await expect(sealEnrollmentBundle(new Uint8Array(64), context, new Uint8Array(16_385))).rejects.toThrow(RangeError);
  });
});

describe('per-device credential bundle', () => {
  const device = { accountId: context.accountId, deviceId: context.newDeviceId };

  it('a CLI key file key seals and opens, and only for its account and device', async () => {
    const key = await importDeviceKey(randomBytes(32));
    const sealed = await sealDeviceCredentialBundle(key, device, bundle);
    expect(sealed).not.toContain(toBase64Url(bundle));
    expect(await openDeviceCredentialBundle(key, device, sealed)).toEqual(bundle);
    await expectLatchkeyError(() => openDeviceCredentialBundle(key, { ...device, deviceId: context.trustedDeviceId }, sealed), 'decryption_failed');
    await expectLatchkeyError(() => openDeviceCredentialBundle(key, { ...device, accountId: 'another-account-0000' }, sealed), 'decryption_failed');
    const otherKey = await importDeviceKey(randomBytes(32));
    await expectLatchkeyError(() => openDeviceCredentialBundle(otherKey, device, sealed), 'decryption_failed');
    await expect(importDeviceKey(randomBytes(16))).rejects.toThrow(RangeError);
  });

  it('a non-extractable WebCrypto key seals and opens without its bytes ever being readable', async () => {
    const cryptoKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await expect(crypto.subtle.exportKey('raw', cryptoKey)).rejects.toThrow();
    const key = deviceKeyFromCryptoKey(cryptoKey);
    expect(await openDeviceCredentialBundle(key, device, await sealDeviceCredentialBundle(key, device, bundle))).toEqual(bundle);
  });

  it('refuses WebCrypto keys that are not AES-256-GCM for encrypt and decrypt', async () => {
    const short = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
    const encryptOnly = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const hmacKey = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const key of [short, encryptOnly, hmacKey]) expect(() => deviceKeyFromCryptoKey(key)).toThrow(TypeError);
  });
});
