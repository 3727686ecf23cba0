/**
 * The server keyring: AES-256-GCM keys, by id, that encrypt secrets the server itself must be
 * able to read (TOTP seeds, the OPAQUE server setup). It lives in a file outside the database (default
 * `<data-dir>/server-keys.json`, mode 0600), so a stolen database or backup alone does not
 * reveal those secrets. Rotation: add a key, make it `current`; at start-up every secret under
 * an older key is re-encrypted (TOTP seeds, the OPAQUE setup), after which old keys may be removed.
 *
 *   { "current": "k2", "keys": { "k1": "<base64url 32 bytes>", "k2": "<base64url 32 bytes>" } }
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { associatedData, type Binding } from '@latchkey/core/associated-data';
import { fromBase64Url } from '@latchkey/core/bytes';
import { importBoxKey, openBox, sealBox, type BoxKey } from '@latchkey/core/sealed-box';

/** What the server seals: TOTP seeds, OPAQUE login state between the two sign-in requests, the OPAQUE server setup, and escrowed vault keys (§22.8). */
export type SealedPurpose = 'totp-secret' | 'login-state' | 'opaque-server-setup' | 'recovery-escrow';

export interface ServerKeyring {
  readonly currentId: string;
  /** True when this start created the keyring file (nothing sealed before can be opened with it). */
  readonly created: boolean;
  /** `<key id>.<sealed box>` */
  seal(plaintext: Uint8Array, purpose: SealedPurpose, binding: Binding): Promise<string>;
  open(sealed: string, purpose: SealedPurpose, binding: Binding): Promise<Uint8Array>;
  isCurrent(sealed: string): boolean;
}

interface KeyringFile {
  current: string;
  keys: Record<string, string>;
}

async function readOrCreate(file: string): Promise<KeyringFile & { created?: boolean }> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeyringFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const created: KeyringFile = { current: 'k1', keys: { k1: randomBytes(32).toString('base64url') } };
  // Written whole under a temporary name, then linked into place: link fails if another
  // instance got there first, and nobody ever reads a half-written keyring.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
    return { ...created, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(await readFile(file, 'utf8')) as KeyringFile;
    throw error;
  } finally {
    await unlink(temp);
  }
}

export async function loadServerKeyring(file: string): Promise<ServerKeyring> {
  const raw = await readOrCreate(file);
  const keys = new Map<string, BoxKey>();
  for (const [id, value] of Object.entries(raw.keys ?? {})) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`server keyring ${file}: bad key id "${id}"`);
    const bytes = fromBase64Url(value);
    if (bytes.length !== 32) throw new Error(`server keyring ${file}: key "${id}" must be 32 bytes`);
    keys.set(id, await importBoxKey(bytes));
  }
  const current = keys.get(raw.current);
  if (current === undefined) throw new Error(`server keyring ${file}: the current key "${raw.current}" is missing`);
  const ad = (purpose: SealedPurpose, binding: Binding) => associatedData(purpose, binding);
  return {
    currentId: raw.current,
    created: raw.created === true,
    async seal(plaintext, purpose, binding) {
      return `${raw.current}.${await sealBox(current, plaintext, ad(purpose, binding))}`;
    },
    async open(sealed, purpose, binding) {
      const dot = sealed.indexOf('.');
      const key = keys.get(sealed.slice(0, dot));
      if (dot < 1 || key === undefined) throw new Error('sealed with an unknown server key; is the server keyring file complete?');
      return openBox(key, sealed.slice(dot + 1), ad(purpose, binding));
    },
    isCurrent: (sealed) => sealed.startsWith(`${raw.current}.`),
  };
}
