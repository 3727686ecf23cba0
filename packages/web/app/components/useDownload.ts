/**
 * State of a page's download buttons (kits, backup codes): the status line of the last save, or
 * the error that stopped it, in words a person understands. Saving is local: no session to lose.
 */
import { useState } from 'react';
import { describeError } from '../errors.ts';

/** `save` writes the file and resolves to the status line to show; `run` never rejects. */
export function useDownload<A extends unknown[]>(save: (...args: A) => Promise<string>) {
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();
  const run = async (...args: A): Promise<void> => {
    setError(undefined);
    try {
      setSaved(await save(...args));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return { saved, error, run };
}
