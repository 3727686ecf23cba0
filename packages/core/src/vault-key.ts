/**
 * Vault keys: 256 random bits per vault, wrapped with HPKE to the public key of every keyset
 * that may read the vault. `info` names the purpose; `aad` names the vault and the recipient,
 * so a server cannot hand one member's wrapped key to another or move it to another vault.
 */
import { fromBase64Url, randomBytes, toBase64Url } from './bytes.ts';
import { hpkeOpen, hpkeSeal } from './crypto/hpke.ts';
import { associatedData } from './associated-data.ts';
import { importBoxKey, openBox, sealBox, type BoxKey } from './sealed-box.ts';
import { LatchkeyError } from './errors.ts';

const HPKE_INFO = 'latchkey/v1/vault-key';

export interface VaultKeyRecipient {
  readonly vaultId: string;
  /** The keyset the key is wrapped to (a user's or, later, a group's). */
  readonly keysetId: string;
}

export function createVaultKey(): Uint8Array {
  return randomBytes(32);
}

export async function wrapVaultKey(vaultKey: Uint8Array, recipientPublicKey: Uint8Array, to: VaultKeyRecipient): Promise<string> {
  const aad = associatedData('vault-key', { vault: to.vaultId, keyset: to.keysetId });
  return toBase64Url(await hpkeSeal(recipientPublicKey, vaultKey, { info: HPKE_INFO, aad }));
}

/** Throws `decryption_failed` when the wrapped key is not for this vault and keyset. */
export async function unwrapVaultKey(wrapped: string, recipientPrivateKey: Uint8Array, to: VaultKeyRecipient): Promise<Uint8Array> {
  const aad = associatedData('vault-key', { vault: to.vaultId, keyset: to.keysetId });
  try {
    return await hpkeOpen(recipientPrivateKey, fromBase64Url(wrapped), { info: HPKE_INFO, aad });
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'This vault key could not be unwrapped.', { cause });
  }
}

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
