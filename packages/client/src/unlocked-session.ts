/**
 * Unlocked sessions for scripts (`latchkey unlock`, `LATCHKEY_SESSION`): one unlock with the
 * account password, then later processes open the keys without it and without a
 * re-authentication. The opened keyset is sealed under a random 256-bit key that exists only
 * in the session token the caller is given; the device's state keeps the sealed copy, so the
 * state alone opens nothing. The seal is bound to this unlock's id and to the server session,
 * so a copy cannot be replayed into another session. It ends on `lock`, after the idle
 * timeout, on sign-out, or when the server session it belongs to is gone.
 */
import { associatedData } from '@latchkey/core/associated-data';
import { fromBase64Url, fromUtf8, randomBytes, toBase64Url, utf8, wipe } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { Keyset } from '@latchkey/core/keyset';
import { importBoxKey, openBox, sealBox } from '@latchkey/core/sealed-box';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { dropKeys, type ClientContext } from './context.ts';
import { updateStore, type LocalState, type SealedUnlock } from './local-store.ts';
import { requireSession, unlock } from './sign-in.ts';

export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
/** Longest idle timeout accepted: a day. A forgotten token should not outlive that. */
export const MAX_IDLE_TIMEOUT_MINUTES = 24 * 60;
/** `lastUsedAt` is written at most this often, so 500 reads in a row are not 500 writes of the state file. */
const TOUCH_EVERY_MS = 60_000;

const TOKEN_PREFIX = 'lks1_';
const ID_BYTES = 16;
const KEY_BYTES = 32;

const sealAd = (unlockId: string, sessionId: string) => associatedData('unlocked-session', { unlock: unlockId, session: sessionId });

interface SealedContent {
  readonly account: AccountProfile;
  readonly keyset: {
    id: string;
    symmetricKey: string;
    encryption: { publicKey: string; privateKey: string };
    signing: { publicKey: string; secretKey: string };
  };
}

function encodeKeys(account: AccountProfile, keyset: Keyset): SealedContent {
  return {
    account,
    keyset: {
      id: keyset.id,
      symmetricKey: toBase64Url(keyset.symmetricKey),
      encryption: { publicKey: toBase64Url(keyset.encryption.publicKey), privateKey: toBase64Url(keyset.encryption.privateKey) },
      signing: { publicKey: toBase64Url(keyset.signing.publicKey), secretKey: toBase64Url(keyset.signing.secretKey) },
    },
  };
}

function decodeKeys(content: SealedContent): { account: AccountProfile; keyset: Keyset } {
  const k = content.keyset;
  return {
    account: content.account,
    keyset: {
      id: k.id,
      symmetricKey: fromBase64Url(k.symmetricKey),
      encryption: { publicKey: fromBase64Url(k.encryption.publicKey), privateKey: fromBase64Url(k.encryption.privateKey) },
      signing: { publicKey: fromBase64Url(k.signing.publicKey), secretKey: fromBase64Url(k.signing.secretKey) },
    },
  };
}

function parseToken(token: string): { unlockId: string; key: Uint8Array } {
  const invalid = () => new LatchkeyError('invalid_session_token', 'LATCHKEY_SESSION is not a Latchkey session token. Run `latchkey unlock` for a new one.');
  const trimmed = token.trim();
  if (!trimmed.startsWith(TOKEN_PREFIX)) throw invalid();
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(trimmed.slice(TOKEN_PREFIX.length));
  } catch {
    throw invalid();
  }
  if (bytes.length !== ID_BYTES + KEY_BYTES) throw invalid();
  return { unlockId: toBase64Url(bytes.subarray(0, ID_BYTES)), key: bytes.slice(ID_BYTES) };
}

export interface UnlockedSessionStarted {
  /** The session token: give it back as `LATCHKEY_SESSION`. It is the only copy of the key. */
  readonly token: string;
  readonly idleTimeoutMinutes: number;
  readonly account: AccountProfile;
}

/**
 * Unlocks with the account password (one re-authentication) and keeps the opened keys sealed
 * under a new token's key. A new unlock replaces the previous one: its token stops working.
 */
export async function startUnlockedSession(
  ctx: ClientContext,
  password: string,
  options: { idleTimeoutMinutes?: number; now?: Date } = {},
): Promise<UnlockedSessionStarted> {
  const idleTimeoutMinutes = options.idleTimeoutMinutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES;
  if (!Number.isInteger(idleTimeoutMinutes) || idleTimeoutMinutes < 1 || idleTimeoutMinutes > MAX_IDLE_TIMEOUT_MINUTES) {
    throw new LatchkeyError('invalid_request', `The idle timeout must be a whole number of minutes from 1 to ${MAX_IDLE_TIMEOUT_MINUTES}.`);
  }
  const account = await unlock(ctx, password);
  const session = await requireSession(ctx);
  const id = randomBytes(ID_BYTES);
  const key = randomBytes(KEY_BYTES);
  const unlockId = toBase64Url(id);
  const plaintext = utf8(JSON.stringify(encodeKeys(account, ctx.keys!.keyset)));
  const box = await sealBox(await importBoxKey(key), plaintext, sealAd(unlockId, session.sessionId));
  wipe(plaintext);
  const now = (options.now ?? new Date()).toISOString();
  const sealed: SealedUnlock = { id: unlockId, sessionId: session.sessionId, idleTimeoutMinutes, createdAt: now, lastUsedAt: now, box };
  await updateStore(ctx.store, (s) => {
    s.unlocked = sealed;
  });
  const token = TOKEN_PREFIX + toBase64Url(new Uint8Array([...id, ...key]));
  wipe(key);
  return { token, idleTimeoutMinutes, account };
}

const ended = (why: string) => new LatchkeyError('session_locked', `This unlocked session has ended (${why}). Run \`latchkey unlock\` again.`);

/** Why the sealed unlock in `state` cannot be used at `now` with a token for `unlockId`, or undefined when it can. */
function unusable(state: LocalState, unlockId: string, now: Date): LatchkeyError | undefined {
  const sealed = state.unlocked;
  if (sealed === undefined) return ended('locked, timed out or signed out');
  if (sealed.id !== unlockId)
    return new LatchkeyError(
      'invalid_session_token',
      'LATCHKEY_SESSION is not the token of the current unlock on this device (a newer unlock replaces older tokens).',
    );
  if (state.session === undefined || state.session.sessionId !== sealed.sessionId) return ended('the session it was made in is gone');
  if (now.getTime() - Date.parse(sealed.lastUsedAt) > sealed.idleTimeoutMinutes * 60_000)
    return ended(`idle for more than ${sealed.idleTimeoutMinutes} minutes`);
  return undefined;
}

/**
 * Opens the keys with the token from `startUnlockedSession`: no password, no request. An idle
 * unlock found expired is removed, so it cannot be revived by a clock set back.
 * @throws `invalid_session_token` (malformed, another unlock's, or not opening the seal),
 *   `session_locked` (locked, idle too long, signed out, or signed in again since).
 */
export async function resumeUnlockedSession(ctx: ClientContext, token: string, now: Date = new Date()): Promise<AccountProfile> {
  const { unlockId, key } = parseToken(token);
  const state = await ctx.store.read();
  const problem = unusable(state, unlockId, now);
  if (problem !== undefined) {
    if (problem.code === 'session_locked' && state.unlocked !== undefined) await forgetUnlockedSession(ctx);
    throw problem;
  }
  const sealed = state.unlocked!;
  let content: SealedContent;
  try {
    const plaintext = await openBox(await importBoxKey(key), sealed.box, sealAd(sealed.id, sealed.sessionId));
    content = JSON.parse(fromUtf8(plaintext)) as SealedContent;
    wipe(plaintext);
  } catch (cause) {
    throw new LatchkeyError('invalid_session_token', 'LATCHKEY_SESSION does not open this device’s unlocked session (a wrong or altered token).', { cause });
  } finally {
    wipe(key);
  }
  const { account, keyset } = decodeKeys(content);
  await requireSession(ctx);
  dropKeys(ctx);
  ctx.keys = { account, keyset, vaultKeys: new Map() };
  if (now.getTime() - Date.parse(sealed.lastUsedAt) >= TOUCH_EVERY_MS) {
    await updateStore(ctx.store, (s) => {
      if (s.unlocked?.id === sealed.id) s.unlocked = { ...s.unlocked, lastUsedAt: now.toISOString() };
    });
  }
  return account;
}

/** Ends the unlocked session on this device: the sealed keys are deleted, so every token for it stops working. */
export async function forgetUnlockedSession(ctx: ClientContext): Promise<boolean> {
  let had = false;
  await updateStore(ctx.store, (s) => {
    had = s.unlocked !== undefined;
    delete s.unlocked;
  });
  dropKeys(ctx);
  return had;
}
