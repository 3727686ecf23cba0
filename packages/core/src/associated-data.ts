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

// The characters of SAFE_VALUE, as a table for `associatedDataBytes`.
const SAFE_CODE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@+-') SAFE_CODE[c.charCodeAt(0)] = 1;

/**
 * `utf8(associatedData(purpose, binding))`, written straight into bytes with the same checks:
 * no intermediate string to build, flatten and encode. For the 3,000 items of a sync
 * (docs/protocol.md §6.1); tests hold it to `associatedData` byte for byte.
 * @param lead a byte to write before the encoding, in the same allocation (the sealed box's
 *   format version, which it authenticates with the associated data).
 * @throws TypeError as `associatedData` does.
 */
export function associatedDataBytes(purpose: CiphertextPurpose, binding: Binding, lead?: number): Uint8Array {
  const header = `latchkey/v1/${purpose}`;
  const keys = Object.keys(binding).sort();
  const values = keys.map((key) => String(binding[key]));
  const start = lead === undefined ? 0 : 1;
  let length = start + header.length;
  for (let i = 0; i < keys.length; i++) length += 2 + keys[i]!.length + values[i]!.length;
  const out = new Uint8Array(length);
  if (lead !== undefined) out[0] = lead;
  // The header is `latchkey/v1/` and a purpose name from the type above: ASCII.
  for (let i = 0; i < header.length; i++) out[start + i] = header.charCodeAt(i);
  let o = start + header.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out[o++] = 0x0a; // \n
    o = writeSafe(out, o, key, key);
    out[o++] = 0x3d; // =
    o = writeSafe(out, o, values[i]!, key);
  }
  return out;
}

/** Writes `text` at `o`; returns the offset after it. Throws unless every character is in SAFE_VALUE. */
function writeSafe(out: Uint8Array, o: number, text: string, field: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || SAFE_CODE[code] === 0) throw new TypeError(`unsafe associated data field ${field}`);
    out[o + i] = code;
  }
  return o + text.length;
}

/**
 * The canonical encoding behind `associatedData`, also used for signed statements (see
 * `key-wrap.ts`): `header`, then one `key=value` line per field in sorted key order.
 * @throws TypeError for a key or value outside `[A-Za-z0-9_.:@+-]` (which would make it ambiguous).
 */
export function canonicalFields(header: string, binding: Binding): string {
  let out = header;
  for (const key of Object.keys(binding).sort()) {
    const value = String(binding[key]);
    // Ids are uuids, base64url or integers; refusing anything else keeps the encoding injective.
    if (!SAFE_VALUE.test(value) || !SAFE_VALUE.test(key)) throw new TypeError(`unsafe associated data field ${key}`);
    out += `\n${key}=${value}`;
  }
  return out;
}
