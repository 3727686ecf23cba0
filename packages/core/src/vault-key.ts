/**
 * Vault keys: 256 random bits per vault, wrapped to every keyset that may read the vault as a
 * signed key wrap (`key-wrap.ts`). The HPKE `info` names the purpose and the `aad` the vault and
 * the recipient; the signature names the keyset that made the wrap, so a server can neither
 * move a wrapped key to another vault or member nor wrap a key of its own choosing.
 */
import { randomBytes } from './bytes.ts';
import { associatedData } from './associated-data.ts';
import {
  keyFingerprint,
  openKeyWrap,
  sealKeyWrap,
  type KeyWrap,
  type KeyWrapContext,
  type NewKeyWrap,
  type KeyWrapRecipient,
  type KeyWrapSigner,
  type TrustedSignerLookup,
} from './key-wrap.ts';
import { importBoxKey, openBox, sealBox, type BoxKey } from './sealed-box.ts';
import { LatchkeyError } from './errors.ts';

export function createVaultKey(): Uint8Array {
  return randomBytes(32);
}

export const vaultKeyContext = (vaultId: string, recipient: KeyWrapRecipient): KeyWrapContext => ({ purpose: 'vault-key', subjectId: vaultId, recipient });

/** Wraps the vault key to `recipient` and signs the wrap as `signer`. */
export async function wrapVaultKey(vaultKey: Uint8Array, vaultId: string, recipient: KeyWrapRecipient, signer: KeyWrapSigner): Promise<NewKeyWrap> {
  return sealKeyWrap(vaultKey, vaultKeyContext(vaultId, recipient), signer);
}

/**
 * Opens a vault's key wrap after verifying it against `trust`.
 * @throws LatchkeyError `untrusted_key` when the wrap is not signed by a trusted keyset for this
 *   vault and recipient; `decryption_failed` when a signed wrap does not open.
 */
export async function unwrapVaultKey(
  wrap: KeyWrap,
  vaultId: string,
  recipient: KeyWrapRecipient,
  recipientPrivateKey: Uint8Array,
  trust: TrustedSignerLookup,
): Promise<Uint8Array> {
  return openKeyWrap(wrap, vaultKeyContext(vaultId, recipient), recipientPrivateKey, trust);
}

/** What a device pins for a vault: the fingerprint of its key. */
export const vaultKeyFingerprint = (vaultId: string, vaultKey: Uint8Array): string => keyFingerprint('vault-key', vaultId, vaultKey);

export interface VaultAttributes {
  readonly name: string;
}

export async function encryptVaultAttributes(vaultKey: BoxKey, vaultId: string, attrs: VaultAttributes): Promise<string> {
  return sealBox(vaultKey, new TextEncoder().encode(JSON.stringify({ name: attrs.name })), associatedData('vault-attrs', { vault: vaultId }));
}

export async function decryptVaultAttributes(vaultKey: BoxKey, vaultId: string, box: string): Promise<VaultAttributes> {
  const plaintext = await openBox(vaultKey, box, associatedData('vault-attrs', { vault: vaultId }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The vault attributes are malformed.', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { name?: unknown }).name !== 'string') {
    throw new LatchkeyError('decryption_failed', 'The vault attributes are malformed.');
  }
  return { name: (parsed as { name: string }).name };
}

export { importBoxKey as importVaultKey };
