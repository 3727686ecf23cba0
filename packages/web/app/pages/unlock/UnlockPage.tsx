/**
 * The locked screen: the session is still valid, the keys are not in memory. The account
 * password; or, for a passkey account this browser is a trusted device of, the passkey (§24.10).
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useApp } from '../../app-context.tsx';
import { describeError, describePasskeyError } from '../../errors.ts';
import { browserDeviceKeys, passkeyAccounts } from '../../platform/device-key.ts';
import { passkeyAuthenticator } from '../../webauthn.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { failingField, useFormError } from '../../components/form-error.ts';

export function UnlockPage({ email, notice }: { email: string; notice?: string | undefined }) {
  const { latchkey, unlocked, handleSignedOut, signOut, navigate } = useApp();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const { error, errorId, setError, tie } = useFormError();
  const [withPasskey, setWithPasskey] = useState<boolean>();
  useEffect(() => {
    void passkeyAccounts(latchkey.server).then(
      (emails) => setWithPasskey(emails.includes(email.toLowerCase())),
      () => setWithPasskey(false),
    );
  }, [latchkey, email]);
  const recover = async () => {
    await signOut();
    navigate('/signin-help');
  };

  const unlockWithPasskey = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      unlocked(await latchkey.client.unlockWithPasskey({ email, authenticator: passkeyAuthenticator, deviceKeys: browserDeviceKeys }));
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError(describePasskeyError(e));
      setBusy(false);
    }
  };

  if (withPasskey === undefined) return <Progress text="Loading…" />;
  if (withPasskey)
    return (
      <main className="narrow">
        <PageHeading takeFocus={false}>Latchkey is locked</PageHeading>
        {notice ? <p className="notice">{notice}</p> : null}
        <p>
          Signed in as <strong>{email}</strong>. Unlock with your passkey: your browser asks for your fingerprint, face or device PIN.
        </p>
        <form onSubmit={(e) => void unlockWithPasskey(e)}>
          <ErrorMessage message={error} id={errorId} />
          <Progress text={busy ? 'Unlocking with your passkey…' : undefined} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Unlock with a passkey
            </button>
            <button type="button" className="secondary" onClick={() => void signOut()} disabled={busy}>
              Sign out
            </button>
          </div>
        </form>
        <RecoverAccountLink busy={busy} onRecover={recover}>
          Lost your passkey or this device? Recover your account
        </RecoverAccountLink>
      </main>
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const account = await latchkey.client.unlock(password);
      setPassword('');
      unlocked(account);
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError(describeError(e), failingField(e));
      setBusy(false);
    }
  };

  return (
    <main className="narrow">
      <PageHeading takeFocus={false}>Latchkey is locked</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      <p>
        Signed in as <strong>{email}</strong>. Enter your account password to unlock.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <AccountPasswordField autoFocus value={password} {...tie('password', setPassword)} />
        <ErrorMessage message={error} id={errorId} />
        <Progress text={busy ? 'Unlocking…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Unlock
          </button>
          <button type="button" className="secondary" onClick={() => void signOut()} disabled={busy}>
            Sign out
          </button>
        </div>
      </form>
      <RecoverAccountLink busy={busy} onRecover={recover}>
        Forgot your password? Recover your account
      </RecoverAccountLink>
    </main>
  );
}

/** Recovery starts signed out: the lock screen's way to it (password or passkey account alike). */
function RecoverAccountLink({ busy, onRecover, children }: { busy: boolean; onRecover: () => Promise<void>; children: ReactNode }) {
  return (
    <div className="actions small">
      <button type="button" className="link" disabled={busy} onClick={() => void onRecover()}>
        {children}
      </button>
    </div>
  );
}
