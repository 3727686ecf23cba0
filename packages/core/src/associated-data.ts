/**
 * Associated data for every ciphertext Latchkey makes. It names what the ciphertext is
 * (`purpose`) and what it belongs to (`binding`), so a server that moves a ciphertext to
 * another item, vault, account or version makes decryption fail instead of showing the
 * wrong secret. The encoding is canonical: fixed key order, no escaping ambiguity.
 */

export type CiphertextPurpose =
  | 'keyset-symmetric-key'
  | 'keyset-private-key'
  | 'keyset-signing-key'
  | 'vault-key'
  | 'group-key'
  | 'organization-key'
  | 'vault-key-escrow'
  | 'vault-attrs'
  | 'item'
  | 'trashed-item'
  | 'recovery-share-envelope'
  | 'totp-secret'
  | 'login-state'
  | 'opaque-server-setup'
  | 'recovery-escrow'
  | 'enrollment-credential-bundle'
  | 'device-credential-bundle'
  | 'unlocked-session'
  | 'export';

export type Binding = Readonly<Record<string, string | number>>;

const SAFE_VALUE = /^[A-Za-z0-9_.:@+-]*$/;

export function associatedData(purpose: CiphertextPurpose, binding: Binding): string {
  return canonicalFields(`latchkey/v1/${purpose}`, binding);
}

/**
 * The canonical encoding behind `associatedData`, also used for signed statements (see
 * `key-wrap.ts`): `header`, then one `key=value` line per field in sorted key order.
 * @throws TypeError for a key or value outside `[A-Za-z0-9_.:@+-]` (which would make it ambiguous).
 */
export function canonicalFields(header: string, binding: Binding): string {
  const lines = [header];
  for (const key of Object.keys(binding).sort()) {
    const value = String(binding[key]);
    // Ids are uuids, base64url or integers; refusing anything else keeps the encoding injective.
    if (!SAFE_VALUE.test(value) || !SAFE_VALUE.test(key)) throw new TypeError(`unsafe associated data field ${key}`);
    lines.push(`${key}=${value}`);
  }
  return lines.join('\n');
}
