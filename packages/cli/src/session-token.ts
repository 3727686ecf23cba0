/**
 * The CLI's side of unlocked sessions: the token comes from `LATCHKEY_SESSION` (never a flag,
 * which other users could read in the process list), and a session the server has ended takes
 * the unlocked keys sealed for it along.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { updateStore } from '@latchkey/client/local-store';
import type { FileStore } from './file-store.ts';

export function sessionToken(): string | undefined {
  const token = process.env.LATCHKEY_SESSION;
  return token === undefined || token.trim() === '' ? undefined : token;
}

/** After a command failed because the server no longer knows the session, deletes the sealed keys of the unlocked session. */
export async function forgetUnlockIfSessionEnded(store: FileStore, error: unknown): Promise<void> {
  if (!(error instanceof LatchkeyError && (error.code === 'unauthenticated' || error.code === 'session_expired'))) return;
  const state = await store.read().catch(() => undefined);
  if (state?.unlocked === undefined) return;
  await updateStore(store, (s) => {
    delete s.unlocked;
  });
}
