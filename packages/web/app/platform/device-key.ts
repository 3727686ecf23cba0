/**
 * This browser's device key for passkey accounts (docs/protocol.md §24.5, §24.9): a
 * non-extractable AES-256-GCM `CryptoKey` kept in IndexedDB. The SDK seals the account's
 * credential bundle under it; script on this page can use the key but never read its bytes, so
 * a copied profile or a server's copy of the sealed bundle opens nothing elsewhere.
 *
 * The same key also seals the list of passkey accounts used on this browser (their emails),
 * so the sign-in and unlock pages know to offer the passkey, and the list is not plain text
 * in the profile. One key serves every account here: each sealed bundle names its account and
 * this device in its associated data (§24.5), so one account's bundle cannot pass for another's.
 */
import type { DeviceKeyProvider } from '@latchkey/client/client';
import { indexedDbRequest } from './indexeddb-request.ts';

const DB_NAME = 'latchkey-device-key';
const STORE = 'keys';
const KEY_RECORD = 'device-key';
const ACCOUNTS_RECORD = 'passkey-accounts';
/** Associated data: what the sealed list is, so no other ciphertext under this key passes for it. */
const ACCOUNTS_AAD = new TextEncoder().encode('latchkey/web/passkey-accounts/v1');

interface Sealed {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: ArrayBuffer;
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
  };
  const db = await indexedDbRequest(open);
  try {
    const tx = db.transaction(STORE, mode);
    const result = await indexedDbRequest(work(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

async function loadKey(): Promise<CryptoKey | undefined> {
  return (await withStore('readonly', (s) => s.get(KEY_RECORD))) as CryptoKey | undefined;
}

/** The device key, made on first use (a second passkey account on this browser uses the same one). */
async function keyOrNew(): Promise<CryptoKey> {
  const existing = await loadKey();
  if (existing !== undefined) return existing;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await withStore('readwrite', (s) => s.put(key, KEY_RECORD));
  return key;
}

export const browserDeviceKeys: DeviceKeyProvider = { create: keyOrNew, load: loadKey };

/** `<server>|<email>` for every passkey account used on this browser. */
async function readAccounts(): Promise<string[]> {
  const key = await loadKey();
  const sealed = (await withStore('readonly', (s) => s.get(ACCOUNTS_RECORD))) as Sealed | undefined;
  if (key === undefined || sealed === undefined) return [];
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: ACCOUNTS_AAD }, key, sealed.ciphertext);
    const list: unknown = JSON.parse(new TextDecoder().decode(plain));
    return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
  } catch {
    return []; // damaged: the person can still sign in by typing the email
  }
}

async function writeAccounts(accounts: string[]): Promise<void> {
  const key = await keyOrNew();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: ACCOUNTS_AAD },
    key,
    new TextEncoder().encode(JSON.stringify(accounts)),
  );
  await withStore('readwrite', (s) => s.put({ iv, ciphertext } satisfies Sealed, ACCOUNTS_RECORD));
}

const entry = (server: string, email: string) => `${server}|${email.toLowerCase()}`;

/** Emails of the passkey accounts of `server` used on this browser. */
export async function passkeyAccounts(server: string): Promise<string[]> {
  const prefix = `${server}|`;
  return (await readAccounts())
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length))
    .sort();
}

export async function rememberPasskeyAccount(server: string, email: string): Promise<void> {
  const accounts = await readAccounts();
  if (!accounts.includes(entry(server, email))) await writeAccounts([...accounts, entry(server, email)]);
}

export async function forgetPasskeyAccount(server: string, email: string): Promise<void> {
  await writeAccounts((await readAccounts()).filter((e) => e !== entry(server, email)));
}
