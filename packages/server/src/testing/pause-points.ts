/**
 * Test-only pause points: places inside a transaction (or right after one) where a crash test can
 * stop the server for certain and SIGKILL it there, instead of guessing the moment by timing.
 *
 * Off unless the environment variable LATCHKEY_TEST_PAUSE_FILE is set, which only the crash-test
 * harness does (packages/server/test/helpers/crash-rounds.ts); operators never set it, and with
 * it unset `pausePoint` returns at once without touching anything. When it is set, each call
 * reads that file: if it lists the point's name (one name per line), the server writes
 * `latchkey-test-pause: <name>` to stderr and waits forever — in the middle of the transaction,
 * holding its locks, with its writes not committed — until the harness kills it.
 */
import { readFileSync, writeSync } from 'node:fs';

export type PausePoint =
  /** replaceCredentials: the users row has the new record and verifier, the keyset not yet the new wrapped key. */
  | 'credentials-swap:users-updated'
  /** Credential change / recovery finish: credentials swapped, other sessions not yet ended. */
  | 'credentials-swap:swapped'
  /** Credential change / recovery finish: every write done, the transaction not yet committed. */
  | 'credentials-swap:before-commit'
  /** Organizer recovery completion: credentials and keyset swapped, wraps and sessions not yet changed. */
  | 'organizer-recovery:credentials-swapped'
  /** Organizer recovery completion: every write done, the transaction not yet committed. */
  | 'organizer-recovery:before-commit'
  /** A transaction that queued a notice has committed; the sender is not yet woken for it. */
  | 'notices:after-commit'
  /** The notice sender is about to claim due notices (armed with the one above, nothing is sent before the kill). */
  | 'notices:before-claim'
  /** moveItem: the item row points at the target vault with its new version; the security event not yet recorded. */
  | 'item-move:moved'
  /** moveItem: every write done, the transaction not yet committed. */
  | 'item-move:before-commit';

export const PAUSE_FILE_ENV = 'LATCHKEY_TEST_PAUSE_FILE';

const pauseFile = process.env[PAUSE_FILE_ENV];

export async function pausePoint(point: PausePoint): Promise<void> {
  if (pauseFile === undefined || pauseFile === '') return;
  let armed: string[];
  try {
    armed = readFileSync(pauseFile, 'utf8').split('\n');
  } catch {
    return; // no file: nothing armed
  }
  if (!armed.includes(point)) return;
  // Synchronous, so the line is out before anything else can happen.
  writeSync(2, `latchkey-test-pause: ${point}\n`);
  await new Promise<never>(() => {});
}
