/**
 * Asks once before the person leaves a page that holds something they would lose (issue 15
 * item 8: the sign-up's Secret Key before the Emergency Kit is saved): the browser's own
 * question when the tab is closed or reloaded (`beforeunload`), and `message` in a confirmation
 * before an in-app navigation. After one question, whatever the answer, leaving is free: a
 * person who chose to stay and then leaves again meant it.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useApp } from '../app-context.tsx';

/** Returns `mayLeave()`, for the page's own "continue" buttons: true when leaving is fine (or confirmed). */
export function useLeaveGuard(active: boolean, message: string): () => boolean {
  const { setLeaveGuard } = useApp();
  const asked = useRef(false);
  const mayLeave = useCallback(() => {
    if (!active || asked.current) return true;
    asked.current = true;
    return window.confirm(message);
  }, [active, message]);

  useEffect(() => {
    if (!active) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (asked.current) return;
      asked.current = true;
      event.preventDefault();
      // Older browsers need a returnValue to ask; they show their own words, never the page's.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    setLeaveGuard(mayLeave);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      setLeaveGuard(undefined);
    };
  }, [active, mayLeave, setLeaveGuard]);

  return mayLeave;
}
