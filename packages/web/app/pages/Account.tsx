/**
 * The account (SPEC §2.1): change the account password or the Secret Key while signed in.
 * Both ask for the current password first (re-authenticate: it proves the owner is at the
 * keyboard, and the SDK unlocks with it before re-wrapping the same keyset). Both sign out every
 * other session. Neither password nor Secret Key is ever sent: the SDK registers OPAQUE anew.
 *
 * A new Secret Key exists only in this page's state while it is shown (and in this browser's
 * store, where the SDK remembers it); leaving the page forgets the displayed copy. The
 * Emergency Kit is written only when the person presses the button.
 */
import { useState, type FormEvent } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../app-context.tsx';
import { describeCredentialsChangeError, describeError } from '../errors.ts';
import { downloadEmergencyKit } from '../emergency-kit.ts';
import { ErrorMessage, PageHeading, Progress } from '../components/ui.tsx';
import { AccountPasswordField } from '../components/PasswordField.tsx';
import { NewPasswordFields } from '../components/NewPasswordFields.tsx';
import { ReauthenticateForm } from '../components/ReauthenticateForm.tsx';
import { useAsyncAction } from '../components/useAsyncAction.ts';
import { useNewPassword } from '../components/useNewPassword.ts';

type Mode = { kind: 'overview'; notice?: string } | { kind: 'password' } | { kind: 'secret-key' } | { kind: 'new-secret-key'; secretKey: SecretKey; signedOutSessions: number };

/** "N other sessions were signed out", in words. */
export function otherSessionsText(count: number): string {
  return `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out`;
}

export function AccountPage() {
  const { phase } = useApp();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });
  if (phase.kind !== 'unlocked') return null;
  const account = phase.account;
  const back = (notice?: string) => setMode({ kind: 'overview', ...(notice ? { notice } : {}) });

  switch (mode.kind) {
    case 'password':
      return <ChangePassword onCancel={() => back()} onChanged={(n) => back(`Password changed; ${otherSessionsText(n)}. Use your new password from now on, on every device.`)} />;
    case 'secret-key':
      return <ChangeSecretKey onCancel={() => back()} onChanged={(secretKey, signedOutSessions) => setMode({ kind: 'new-secret-key', secretKey, signedOutSessions })} />;
    case 'new-secret-key':
      return (
        <NewSecretKey
          account={account}
          secretKey={mode.secretKey}
          signedOutSessions={mode.signedOutSessions}
          onDone={() => back(`Secret Key changed; ${otherSessionsText(mode.signedOutSessions)}. Sign in on other devices with your new Emergency Kit.`)}
        />
      );
    case 'overview':
      return <Overview account={account} notice={mode.notice} onMode={setMode} />;
  }
}

function Overview({ account, notice, onMode }: { account: AccountProfile; notice: string | undefined; onMode: (mode: Mode) => void }) {
  return (
    <main className="narrow account-page">
      <PageHeading>Account</PageHeading>
      <p>
        Signed in as <strong>{account.name}</strong> ({account.email}).
      </p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Account password</h2>
        <p>Change it if you think someone else knows it. Every other device is signed out and needs the new password. Your Secret Key and Emergency Kit stay the same.</p>
        <button type="button" onClick={() => onMode({ kind: 'password' })}>
          Change password
        </button>
      </section>
      <section aria-labelledby="secret-key-heading">
        <h2 id="secret-key-heading">Secret Key</h2>
        <p>
          Change it if your Emergency Kit was lost or someone else may have seen it. You get a new Secret Key and a new Emergency Kit; the old kit stops working, and every other device is
          signed out and needs the new Secret Key.
        </p>
        <button type="button" className="secondary" onClick={() => onMode({ kind: 'secret-key' })}>
          Change Secret Key
        </button>
      </section>
    </main>
  );
}

function ChangePassword({ onCancel, onChanged }: { onCancel: () => void; onChanged: (signedOutSessions: number) => void }) {
  const { latchkey } = useApp();
  const [current, setCurrent] = useState('');
  const newPassword = useNewPassword();
  const { busy, error, setError, run } = useAsyncAction({ describe: describeCredentialsChangeError });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem);
    if (newPassword.password === current) return setError('The new password is the same as your current one. Choose a different password.');
    await run(async () => {
      const { signedOutSessions } = await latchkey.client.account.changePassword(current, newPassword.password);
      setCurrent('');
      newPassword.clear();
      onChanged(signedOutSessions);
    });
  };

  return (
    <main className="narrow account-page">
      <PageHeading>Change account password</PageHeading>
      <p>Re-authenticate first: enter your current account password, then choose the new one. Every other device is signed out and needs the new password.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Change account password">
        <AccountPasswordField autoFocus value={current} onChange={setCurrent} hint="Your current password." />
        <NewPasswordFields label="New account password" emptyHint="At least 8 characters. A few unrelated words are easy to remember and hard to guess." value={newPassword} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Changing your password…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Change password
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </main>
  );
}

function ChangeSecretKey({ onCancel, onChanged }: { onCancel: () => void; onChanged: (secretKey: SecretKey, signedOutSessions: number) => void }) {
  const { latchkey } = useApp();
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useAsyncAction({ describe: describeCredentialsChangeError });

  const submit = async () => {
    // Sign-up never accepts a shorter password, so a shorter one cannot be the current one.
    if (password.length < 8) return setError('That is not your current account password: account passwords have at least 8 characters.');
    await run(async () => {
      const { secretKey, signedOutSessions } = await latchkey.client.account.changeSecretKey(password);
      setPassword('');
      onChanged(secretKey, signedOutSessions);
    });
  };

  return (
    <main className="narrow account-page">
      <PageHeading>Change Secret Key</PageHeading>
      <div className="confirm">
        <ReauthenticateForm
          password={password}
          onPasswordChange={setPassword}
          error={error}
          busy={busy}
          busyText="Making your new Secret Key…"
          action="Change Secret Key"
          danger
          onSubmit={() => void submit()}
          onCancel={onCancel}
        >
          <p>
            This browser makes a new Secret Key. <strong>Your current Emergency Kit stops working at once</strong>, and every other device is signed out and needs the new Secret Key. Your
            password, items and vaults stay the same.
          </p>
          <p>Re-authenticate first: enter your account password.</p>
        </ReauthenticateForm>
      </div>
    </main>
  );
}

function NewSecretKey({ account, secretKey, signedOutSessions, onDone }: { account: AccountProfile; secretKey: SecretKey; signedOutSessions: number; onDone: () => void }) {
  const { latchkey } = useApp();
  const [downloaded, setDownloaded] = useState(false);
  const [error, setError] = useState<string>();

  const download = async () => {
    setError(undefined);
    try {
      await downloadEmergencyKit({ signInAddress: latchkey.server, email: account.email, name: account.name, secretKey });
      setDownloaded(true);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <main className="narrow account-page">
      <PageHeading>Your new Secret Key</PageHeading>
      <p className="notice" role="status">
        Secret Key changed; {otherSessionsText(signedOutSessions)}.
      </p>
      <p>This is your new Secret Key:</p>
      <p className="secret-key" aria-label="New Secret Key" data-testid="new-secret-key">
        {secretKey}
      </p>
      <div className="explain">
        <p>
          <strong>Your old Emergency Kit no longer works.</strong> Destroy printed copies and delete saved ones: the Secret Key on them is not accepted any more.
        </p>
        <p>
          <strong>When you need the new one:</strong> to sign in on any other device or browser. This browser remembers it, so here you only type your password.
        </p>
        <p>
          <strong>Keep it safe:</strong> download your new Emergency Kit and print it or store it somewhere only you can reach. Never write your password on a saved copy.
        </p>
      </div>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
        <button type="button" className={downloaded ? '' : 'secondary'} onClick={onDone}>
          {downloaded ? 'Done' : 'Done without downloading'}
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {downloaded ? 'Your browser is saving the new Emergency Kit. Print it or store it safely.' : 'Nothing is saved until you press the download button.'}
      </p>
    </main>
  );
}
