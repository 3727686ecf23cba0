/**
 * The signed-in account's recovery code status, loaded once the app is unlocked and shared by
 * the reminder banner (shown on every page) and the Recovery code page (which refreshes it
 * after each change). The status holds no secret: whether a code exists, when it was confirmed
 * and checked, and how many wrong codes were tried.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { RecoveryCodeStatus } from '@latchkey/core/wire/recovery';
import { useApp } from './app-context.tsx';

interface RecoveryStatusValue {
  /** Undefined while loading, or when it could not be loaded. */
  readonly status: RecoveryCodeStatus | undefined;
  refresh(): Promise<void>;
  /** A status the page already has (e.g. returned by confirm), without another request. */
  set(status: RecoveryCodeStatus): void;
}

const RecoveryStatusContext = createContext<RecoveryStatusValue | undefined>(undefined);

export function useRecoveryStatus(): RecoveryStatusValue {
  const value = useContext(RecoveryStatusContext);
  if (value === undefined) throw new Error('useRecoveryStatus outside <RecoveryStatusProvider>');
  return value;
}

export function RecoveryStatusProvider({ children }: { children: ReactNode }) {
  const { latchkey, handleSignedOut } = useApp();
  const [status, setStatus] = useState<RecoveryCodeStatus>();
  const refresh = useCallback(async () => {
    try {
      setStatus(await latchkey.client.recoveryCode.status());
    } catch (e) {
      // The banner is a nudge: a failure to load it must not get in the way of the vault.
      handleSignedOut(e);
    }
  }, [latchkey, handleSignedOut]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <RecoveryStatusContext.Provider value={{ status, refresh, set: setStatus }}>{children}</RecoveryStatusContext.Provider>;
}

/** "You have no recovery code" / "Check your recovery code": on every page until acted on. */
export function RecoveryReminder() {
  const { path, navigate } = useApp();
  const { status } = useRecoveryStatus();
  const [dismissed, setDismissed] = useState(false);
  if (status === undefined || path.startsWith('/recovery-code')) return null;
  const locked = status.locked;
  if (!locked && (dismissed || status.reminder === 'none')) return null;
  const open = (e: { preventDefault(): void }) => {
    e.preventDefault();
    navigate('/recovery-code');
  };
  let text: ReactNode;
  let action: string;
  if (locked) {
    text = (
      <>
        <strong>Recovery with your recovery code is locked</strong> after too many wrong codes were tried. If that was not you, replace your code. Checking your
        code also lifts the lock.
      </>
    );
    action = 'Review your recovery code';
  } else if (status.reminder === 'set-up') {
    text = (
      <>
        <strong>You have no recovery code.</strong> If you forget your account password or lose your Secret Key, a recovery code is how you get back in. It
        takes two minutes.
      </>
    );
    action = 'Set up a recovery code';
  } else {
    text = (
      <>
        <strong>Check your recovery code.</strong> You have not checked it for over a year. Make sure you can still find it and that it still works.
      </>
    );
    action = 'Check my recovery code';
  }
  return (
    <aside className="reminder" aria-label="Recovery code reminder">
      <p>{text}</p>
      <div className="actions">
        <a className="button-link" href="/recovery-code" onClick={open}>
          {action}
        </a>
        {!locked ? (
          <button type="button" className="link" onClick={() => setDismissed(true)}>
            Remind me later
          </button>
        ) : null}
      </div>
    </aside>
  );
}
