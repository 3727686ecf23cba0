/**
 * The Organizations area's one-request-at-a-time state: busy, the failure in words, and the
 * status line saying what an action did (the action returns it).
 */
import { useCallback, useState } from 'react';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';

/** Said after every removal of access: keys can be taken away, what was read cannot. */
export const ROTATE = 'What they could see they may have kept: change those passwords and secrets.';

/** Turns a failure into words; `describeError` unless the action's failures need their own. */
export type Describe = (error: unknown) => string;

/** Runs an action that returns the status line to show (or nothing). */
export type Act = (action: () => Promise<string | undefined>, describe?: Describe) => Promise<void>;

export function useAction() {
  const { handleSignedOut } = useApp();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run: Act = useCallback(
    async (action, describe = describeError) => {
      setBusy(true);
      setError(undefined);
      setStatus(undefined);
      try {
        setStatus(await action());
      } catch (e) {
        if (!handleSignedOut(e)) setError(describe(e));
      } finally {
        setBusy(false);
      }
    },
    [handleSignedOut],
  );
  return { error, status, busy, run, setError };
}
