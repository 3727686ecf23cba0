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

/**
 * The item version high-water marks, kept apart from the rest of the state so that recording a
 * few costs O(those items), not a copy and rewrite of every mark the device holds (5,000 items
 * created one by one after 15,000 recorded took 368 s when each call copied the whole map).
 */
export interface ItemVersionMarks {
  /** The marks of these items for the keyset; items never recorded are absent. */
  get(keysetId: string, itemIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Raises each item's mark to at least the given version; never lowers one. Durable when it resolves. */
  raise(keysetId: string, marks: ReadonlyMap<string, number>): Promise<void>;
}

export interface LocalStore {
  read(): Promise<LocalState>;
  write(state: LocalState): Promise<void>;
  /**
   * Where the store keeps item version marks apart from the state (`LocalState.itemVersions`
   * then stays empty); a store without it keeps them in the state, rewritten with it.
   */
  readonly itemVersions?: ItemVersionMarks;
}

export const accountKey = (server: string, email: string): string => `${server.replace(/\/+$/, '')}|${email.trim().toLowerCase()}`;

/** Item version marks in memory, per keyset id. */
export class MemoryItemVersionMarks implements ItemVersionMarks {
  private readonly marks = new Map<string, Map<string, number>>();
  private count = 0;

  /** How many marks are held, over all keysets. */
  get size(): number {
    return this.count;
  }

  async get(keysetId: string, itemIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return this.getNow(keysetId, itemIds);
  }

  async raise(keysetId: string, marks: ReadonlyMap<string, number>): Promise<void> {
    this.raiseNow(keysetId, marks);
  }

  /** `get`, synchronously (for stores that load marks into memory). */
  getNow(keysetId: string, itemIds: readonly string[]): Map<string, number> {
    const mine = this.marks.get(keysetId);
    const out = new Map<string, number>();
    if (mine === undefined) return out;
    for (const id of itemIds) {
      const mark = mine.get(id);
      if (mark !== undefined) out.set(id, mark);
    }
    return out;
  }

  /** `raise`, synchronously; returns the marks that went up. */
  raiseNow(keysetId: string, marks: ReadonlyMap<string, number> | Iterable<readonly [string, number]>): Map<string, number> {
    let mine = this.marks.get(keysetId);
    if (mine === undefined) {
      mine = new Map();
      this.marks.set(keysetId, mine);
    }
    const raised = new Map<string, number>();
    for (const [id, version] of marks) {
      const before = mine.get(id);
      if ((before ?? 0) < version) {
        if (before === undefined) this.count++;
        mine.set(id, version);
        raised.set(id, version);
      }
    }
    return raised;
  }

  /** Raises from `LocalState.itemVersions` (a state written before the marks moved out of it). */
  absorb(legacy: LocalState['itemVersions']): void {
    for (const [keysetId, marks] of Object.entries(legacy ?? {})) this.raiseNow(keysetId, Object.entries(marks));
  }

  /** Every mark, as `LocalState.itemVersions` spelled them. */
  snapshot(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.marks].map(([keysetId, marks]) => [keysetId, Object.fromEntries(marks)]));
  }
}

/** Keeps state in memory only: for tests and for browsers where nothing should persist. */
export class MemoryStore implements LocalStore {
  private state: LocalState;
  readonly itemVersions = new MemoryItemVersionMarks();
  constructor(initial: LocalState = {}) {
    this.state = this.withoutMarks(initial);
  }
  async read(): Promise<LocalState> {
    return structuredClone(this.state);
  }
  async write(state: LocalState): Promise<void> {
    this.state = this.withoutMarks(state);
  }
  /** Marks that come with a state (an old one) join the marks kept apart; they are never lowered. */
  private withoutMarks(state: LocalState): LocalState {
    const { itemVersions, ...rest } = state;
    this.itemVersions.absorb(itemVersions);
    return structuredClone(rest);
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
