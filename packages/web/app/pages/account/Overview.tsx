/**
 * The Account page's overview: who is signed in, and the two credential changes. A passkey
 * account (§24.8) has neither a password nor a Secret Key the person knows: it is told so, and
 * pointed to its trusted devices and recovery code instead.
 */
import { useEffect, useState } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { useApp } from '../../app-context.tsx';
import { passkeyAccounts } from '../../platform/device-key.ts';
import { PageHeading, Progress } from '../../components/ui.tsx';
import type { Mode } from './AccountPage.tsx';

export function Overview({ account, notice, onMode }: { account: AccountProfile; notice: string | undefined; onMode: (mode: Mode) => void }) {
  const { latchkey, navigate } = useApp();
  const [withPasskey, setWithPasskey] = useState<boolean>();
  useEffect(() => {
    void passkeyAccounts(latchkey.server).then(
      (emails) => setWithPasskey(emails.includes(account.email.toLowerCase())),
      () => setWithPasskey(false),
    );
  }, [latchkey, account.email]);
  if (withPasskey === undefined) return <Progress text="Loading…" />;
  if (withPasskey)
    return (
      <main className="narrow account-page">
        <PageHeading>Account</PageHeading>
        <p>
          Signed in as <strong>{account.name}</strong> ({account.email}).
        </p>
        <p>
          This account unlocks with a passkey: it has no account password and no Secret Key to change. The devices that can unlock it are its{' '}
          <a
            href="/devices"
            onClick={(e) => {
              e.preventDefault();
              navigate('/devices');
            }}
          >
            trusted devices
          </a>
          ; if you lose every one of them, your recovery code gets you back in.
        </p>
      </main>
    );
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
        <p>
          Change it if you think someone else knows it. Every other device is signed out and needs the new password. Your Secret Key and Emergency Kit stay the
          same.
        </p>
        <button type="button" onClick={() => onMode({ kind: 'password' })}>
          Change password
        </button>
      </section>
      <section aria-labelledby="secret-key-heading">
        <h2 id="secret-key-heading">Secret Key</h2>
        <p>
          Change it if your Emergency Kit was lost or someone else may have seen it. You get a new Secret Key and a new Emergency Kit; the old kit stops
          working, and every other device is signed out and needs the new Secret Key.
        </p>
        <button type="button" className="secondary" onClick={() => onMode({ kind: 'secret-key' })}>
          Change Secret Key
        </button>
      </section>
      <section aria-labelledby="emergency-kit-heading">
        <h2 id="emergency-kit-heading">Emergency Kit</h2>
        <p>Lost your Emergency Kit, or never saved it? Download a new copy with your current Secret Key. Your Secret Key stays the same.</p>
        <button type="button" className="secondary" onClick={() => onMode({ kind: 'emergency-kit' })}>
          Download Emergency Kit
        </button>
      </section>
    </main>
  );
}
