/** Pieces every step of the recovery shares: an in-app link, the step list and "Email me a new code". */
import { useState, type ReactNode } from 'react';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';

export function AppLink({ to, children }: { to: string; children: ReactNode }) {
  const { navigate } = useApp();
  return (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function StepList({ current }: { current: number }) {
  return (
    <ol className="steps" aria-label="Steps">
      {['Email', 'Email code', 'Recovery code', 'New password'].map((name, i) => (
        <li key={name} aria-current={i === current ? 'step' : undefined} className={i < current ? 'done' : undefined}>
          {name}
        </li>
      ))}
    </ol>
  );
}

/** Sends a fresh email code; for a code that expired, was used, or was mistyped too often. */
export function ResendButton({ email, onResent }: { email: string; onResent: (verificationId: string) => void }) {
  const { latchkey } = useApp();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const resend = async () => {
    setBusy(true);
    setStatus(undefined);
    try {
      const { verificationId } = await latchkey.client.recovery.start(email);
      onResent(verificationId);
      setStatus('We sent a new code. Use the newest email.');
    } catch (e) {
      setStatus(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="link" onClick={() => void resend()} disabled={busy}>
        Email me a new code
      </button>
      <span role="status" aria-live="polite" className="hint">
        {status}
      </span>
    </>
  );
}
