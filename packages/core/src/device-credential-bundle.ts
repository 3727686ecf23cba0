/**
 * The credential bundle as the server stores it for one trusted device: sealed (AES-256-GCM,
 * sealed-box.ts) under that device's own device key, with associated data
 * `device-credential-bundle` naming the account and the device (SPEC §2.5, docs/protocol.md §24).
 *
 * The device key never leaves the device: in the browser a non-extractable WebCrypto key the
 * app keeps in IndexedDB (`deviceKeyFromCryptoKey`), in the CLI 32 random bytes in a 0600 key
 * file (`importDeviceKey`). Keeping and generating it is the caller's concern; this module only
 * seals and opens.
 *
 * Protects against: a server (or a thief of its database) reading the bundle, and a server that
 * hands one device another device's or another account's sealed bundle (decryption fails
 * instead of unlocking the wrong account).
 */
import { associatedData } from './associated-data.ts';
import { aesGcmKeyFromCryptoKey } from './crypto/aes-gcm.ts';
import { MAX_CREDENTIAL_BUNDLE_LENGTH } from './device-enrollment.ts';
import { type BoxKey, importBoxKey, openBox, sealBox } from './sealed-box.ts';

export type DeviceKey = BoxKey;

export const DEVICE_KEY_LENGTH = 32;

/** The CLI's key file contents (32 bytes). @throws RangeError for another length. */
export async function importDeviceKey(raw: Uint8Array): Promise<DeviceKey> {
  if (raw.length !== DEVICE_KEY_LENGTH) throw new RangeError('a device key is 32 bytes');
  return importBoxKey(raw);
}

/** A browser's non-extractable AES-GCM key. @throws TypeError unless it is AES-256-GCM for encrypt and decrypt. */
export function deviceKeyFromCryptoKey(key: CryptoKey): DeviceKey {
  const wrapped = aesGcmKeyFromCryptoKey(key);
  if (wrapped.bits !== 256) throw new TypeError('a device key is AES-256-GCM');
  return wrapped;
}

export interface DeviceBundleContext {
  readonly accountId: string;
  readonly deviceId: string;
}

const adOf = (context: DeviceBundleContext) => associatedData('device-credential-bundle', { account: context.accountId, device: context.deviceId });

/**
 * @throws RangeError for an empty or oversized bundle; TypeError for ids unsafe in the
 *   associated data.
 */
export async function sealDeviceCredentialBundle(deviceKey: DeviceKey, context: DeviceBundleContext, bundle: Uint8Array): Promise<string> {
  if (bundle.length === 0 || bundle.length > MAX_CREDENTIAL_BUNDLE_LENGTH) throw new RangeError('credential bundle length out of range');
  return sealBox(deviceKey, bundle, adOf(context));
}

/** @throws LatchkeyError `decryption_failed` (another device's key, account or device id, or tampered). */
export async function openDeviceCredentialBundle(deviceKey: DeviceKey, context: DeviceBundleContext, sealed: string): Promise<Uint8Array> {
  return openBox(deviceKey, sealed, adOf(context));
}
