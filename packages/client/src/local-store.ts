/**
 * What a client remembers between runs: its device id, the session, the Secret Keys of the
 * accounts used here, and the highest version seen of each item (to notice a server rolling
 * an item back). The CLI keeps it in a file in its config directory; the browser in IndexedDB.
 */

export interface RememberedSession {
  readonly server: string;
  readonly email: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly token: string;
  readonly expiresAt: string;
}

export interface LocalState {
  deviceId?: string;
  session?: RememberedSession;
  /** Keyed by `accountKey(server, email)`. */
  secretKeys?: Record<string, string>;
  /** A Secret Key being changed to: kept until the server confirms, so a crash mid-change cannot lock the user out. */
  pendingSecretKeys?: Record<string, string>;
  /** A sign-up waiting for its emailed code (two-step CLI use). */
  pendingSignup?: { server: string; email: string; verificationId: string };
  /** A recovery waiting for its emailed code (two-step CLI use). */
  pendingRecovery?: { server: string; email: string; verificationId: string };
  /** Highest version seen per item id, per account; `ITEM_DELETED` for items this device deleted. */
  itemVersions?: Record<string, Record<string, number>>;
}

/**
 * The high-water mark of an item this device deleted: larger than any version the server can
 * store, so the deleted item's last version, shown again, is reported as a rollback.
 */
export const ITEM_DELETED = Number.MAX_SAFE_INTEGER;

export interface LocalStore {
  read(): Promise<LocalState>;
  write(state: LocalState): Promise<void>;
}

export const accountKey = (server: string, email: string): string => `${server.replace(/\/+$/, '')}|${email.trim().toLowerCase()}`;

/** Keeps state in memory only: for tests and for browsers where nothing should persist. */
export class MemoryStore implements LocalStore {
  private state: LocalState;
  constructor(initial: LocalState = {}) {
    this.state = structuredClone(initial);
  }
  async read(): Promise<LocalState> {
    return structuredClone(this.state);
  }
  async write(state: LocalState): Promise<void> {
    this.state = structuredClone(state);
  }
}

/** Read-modify-write helper. */
export async function updateStore(store: LocalStore, change: (state: LocalState) => void): Promise<LocalState> {
  const state = await store.read();
  change(state);
  await store.write(state);
  return state;
}
