/**
 * Short visible confirmations ("Password copied"), shown at the bottom of the window for a few
 * seconds and announced politely to screen readers. One at a time: a new one replaces the last.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';

const SHOWN_MS = 4000;

type ShowToast = (message: string) => void;

const ToastContext = createContext<ShowToast>(() => undefined);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<{ message: string; id: number } | undefined>();
  const show = useCallback<ShowToast>((message) => setToast((last) => ({ message, id: (last?.id ?? 0) + 1 })), []);
  useEffect(() => {
    if (toast === undefined) return;
    const timer = window.setTimeout(() => setToast(undefined), SHOWN_MS);
    return () => window.clearTimeout(timer);
  }, [toast]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {/* The live region stays in the page so that each new message is announced. */}
      <div className="toast-region" role="status" aria-live="polite">
        {toast ? (
          <p className="toast" key={toast.id}>
            {toast.message}
          </p>
        ) : null}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = (): ShowToast => useContext(ToastContext);
