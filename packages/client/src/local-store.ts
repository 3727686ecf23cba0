/**
 * What a client remembers between runs: its device id, the session, the Secret Keys of the
 * accounts used here, the highest version seen of each item (to notice a server rolling an item
 * back) and the fingerprint of each vault key (to notice a server swapping one). The CLI keeps
 * it in a file in its config directory; the browser in IndexedDB.
 *
 * Per-account state is keyed by the keyset id, never by an id the server merely states: the
 * keyset id is bound into the keyset's Account Unlock Key ciphertext, so it is authenticated
 * once the keyset opens, and it survives password changes, Secret Key changes and recovery.
 */
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';

export interface RememberedSession {
  readonly server: string;
  readonly email: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * An unlocked session (`unlocked-session.ts`): the opened keyset and profile, sealed under a key
 * that only the session token holds, bound to this unlock's id and the server session id.
 */
export interface SealedUnlock {
  readonly id: string;
  readonly sessionId: string;
  readonly idleTimeoutMinutes: number;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly box: string;
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
  /** Highest version seen per item id, per keyset id; `ITEM_DELETED` for items this device deleted. */
  itemVersions?: Record<string, Record<string, number>>;
  /** Pinned key fingerprints per keyset id, by `pinId(purpose, subject)` (e.g. `vault-key:<vault id>`). */
  keyPins?: Record<string, Record<string, string>>;
  /** The unlocked session for scripts, if one is open; nothing in it opens without its token. */
  unlocked?: SealedUnlock;
  /**
   * Per keyset id, per organization id: the member acceptance this keyset signed (public). It
   * pins the organization key the person was shown and gives their side of the fingerprint
   * before they are confirmed (docs/protocol.md §22.3).
   */
  acceptances?: Record<string, Record<string, MemberAcceptance>>;
  /** Highest key version seen per group id, per keyset id: a server showing an older one is noticed. */
  groupVersions?: Record<string, Record<string, number>>;
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

const pendingUpdates = new WeakMap<LocalStore, Promise<unknown>>();

/**
 * Read-modify-write helper. Updates of one store run one after another, so concurrent SDK calls
 * (several vault keys pinned at once) cannot lose each other's writes. When `change` throws,
 * nothing is written and the error is passed on.
 */
export async function updateStore(store: LocalStore, change: (state: LocalState) => void): Promise<LocalState> {
  const run = (pendingUpdates.get(store) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      const state = await store.read();
      change(state);
      await store.write(state);
      return state;
    });
  pendingUpdates.set(store, run);
  return run;
}
