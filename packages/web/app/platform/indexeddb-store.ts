/**
 * The browser's `LocalStore`: what this browser remembers between visits (device id, session
 * token, the Secret Keys of accounts used here, item version high-water marks), kept in
 * IndexedDB and encrypted at rest.
 *
 * The state is sealed with AES-256-GCM under a key generated here with `extractable: false`
 * and stored in IndexedDB as a `CryptoKey`. Script on the page (ours, or an extension's, or an
 * XSS we failed to prevent) can use the key but can never read its bytes, so a copy of the
 * state cannot be decrypted elsewhere; a copy of the browser profile on disk is not readable
 * as plain JSON. This is defence in depth, not a vault: whoever runs script in this origin
 * can still ask the browser to decrypt. The Secret Key alone does not open an account; the
 * account password is never stored.
 *
 * Reads come from an in-memory copy after the first load, so the SDK's read-modify-write
 * steps see each other's writes; writes are persisted in order.
 */
import type { LocalState, LocalStore } from '@latchkey/client/local-store';
import { indexedDbRequest } from './indexeddb-request.ts';

const DB_NAME = 'latchkey';
const DB_VERSION = 1;
const STORE = 'device';
const KEY_RECORD = 'state-key';
const STATE_RECORD = 'state';
/** Associated data: names what the ciphertext is, so it cannot be passed off as anything else. */
const AAD = new TextEncoder().encode('latchkey/web/local-state/v1');

interface SealedState {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: ArrayBuffer;
}

function openDatabase(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return indexedDbRequest(req);
}

async function get<T>(db: IDBDatabase, key: string): Promise<T | undefined> {
  return (await indexedDbRequest(db.transaction(STORE, 'readonly').objectStore(STORE).get(key))) as T | undefined;
}

async function put(db: IDBDatabase, key: string, value: unknown): Promise<void> {
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
  });
}

/** The at-rest key: created once per browser profile, never extractable. */
async function stateKey(db: IDBDatabase): Promise<CryptoKey> {
  const existing = await get<CryptoKey>(db, KEY_RECORD);
  if (existing !== undefined) return existing;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await put(db, KEY_RECORD, key);
  return key;
}

async function seal(key: CryptoKey, state: LocalState): Promise<SealedState> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(state));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, plaintext);
  return { iv, ciphertext };
}

async function open(key: CryptoKey, sealed: SealedState): Promise<LocalState> {
  const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: AAD }, key, sealed.ciphertext);
  return JSON.parse(new TextDecoder().decode(plaintext)) as LocalState;
}

export class IndexedDbStore implements LocalStore {
  private loaded: Promise<{ db: IDBDatabase; key: CryptoKey }> | undefined;
  private state: LocalState | undefined;
  private writes: Promise<void> = Promise.resolve();

  private load(): Promise<{ db: IDBDatabase; key: CryptoKey }> {
    this.loaded ??= (async () => {
      const db = await openDatabase();
      const key = await stateKey(db);
      const sealed = await get<SealedState>(db, STATE_RECORD);
      try {
        this.state = sealed === undefined ? {} : await open(key, sealed);
      } catch {
        // Unreadable (the key was cleared separately, or the record damaged): start afresh
        // rather than lock the person out of the app; they sign in with their Emergency Kit.
        this.state = {};
      }
      return { db, key };
    })();
    return this.loaded;
  }

  async read(): Promise<LocalState> {
    await this.load();
    return structuredClone(this.state ?? {});
  }

  async write(state: LocalState): Promise<void> {
    const { db, key } = await this.load();
    this.state = structuredClone(state);
    const snapshot = this.state;
    this.writes = this.writes.catch(() => undefined).then(async () => put(db, STATE_RECORD, await seal(key, snapshot)));
    await this.writes;
  }
}
