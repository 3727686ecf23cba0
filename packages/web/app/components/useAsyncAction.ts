/**
 * Busy and error state for a form that sends one request at a time: the button is disabled
 * while it runs, and a failure is shown in words a person understands (never the raw error),
 * tied to the field it is about (form-error.ts).
 */
import { useState } from 'react';
import { useApp } from '../app-context.tsx';
import { describeError } from '../errors.ts';
import { failingField, useFormError } from './form-error.ts';

export type AsyncActionOptions = {
  /** Words for a failure; `describeError` unless given. */
  describe?: (error: unknown) => string;
  /**
   * Whether the page belongs to a signed-in session (default): a failure that means the session
   * ended signs out instead of being shown. Signed-out pages (sign-up, recovery) have none to lose.
   */
  session?: boolean;
};

export function useAsyncAction({ describe = describeError, session = true }: AsyncActionOptions = {}) {
  const { handleSignedOut } = useApp();
  const [busy, setBusy] = useState(false);
  const { error, errorField, errorId, setError, tie } = useFormError();

  /**
   * Runs `action` busy, with the previous error cleared. On failure the error is shown and the
   * form is usable again. On success the form stays busy (the page moves on), unless
   * `idleAfter` is set. Resolves to whether the action succeeded; never rejects.
   */
  const run = async (action: () => Promise<void>, { idleAfter = false }: { idleAfter?: boolean } = {}): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      if (idleAfter) setBusy(false);
      return true;
    } catch (e) {
      if (!(session && handleSignedOut(e))) setError(describe(e), failingField(e));
      setBusy(false);
      return false;
    }
  };

  return { busy, setBusy, error, errorField, errorId, setError, tie, run };
}
