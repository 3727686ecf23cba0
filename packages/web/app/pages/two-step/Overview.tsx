/** The two-step verification overview: status, the authenticator app, security keys, and backup codes. */
import { useState } from 'react';
import type { TwoStepStatus } from '@latchkey/core/wire/two-step';
import { formatDateTime } from '../../dates.ts';
import { browserSupportsWebAuthn } from '../../webauthn.ts';
import { Field, PageHeading } from '../../components/ui.tsx';
import type { Mode } from './TwoStepPage.tsx';

export function Overview({ status, notice, onMode }: { status: TwoStepStatus; notice: string | undefined; onMode: (mode: Mode) => void }) {
  const [keyName, setKeyName] = useState('');
  return (
    <main className="narrow two-step">
      <PageHeading>Two-step verification</PageHeading>
      <p>
        With two-step verification, signing in on a new or signed-out device needs a second step after your password: a code from an authenticator app on your
        phone, or a security key (such as a YubiKey). Backup codes get you in if you lose both.
      </p>
      {notice ? (
        <p className="notice ok" role="status">
          {notice}
        </p>
      ) : null}
      <section className={`status-card ${status.enabled ? 'ok' : 'warn'}`} aria-labelledby="two-step-status">
        <h2 id="two-step-status">{status.enabled ? 'Two-step verification is on' : 'Two-step verification is off'}</h2>
        <p>
          {status.enabled
            ? 'Signing in on a new or signed-out device asks for your second step.'
            : 'Anyone with your password and Secret Key can sign in. Turn it on with an authenticator app or a security key.'}
        </p>
      </section>

      <section className="factor" aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator app</h2>
        <p>
          {status.totp
            ? 'On. Sign-ins accept the 6-digit code your app shows.'
            : 'Off. Use an app such as Aegis, Google Authenticator, 2FAS or your password manager on your phone.'}
        </p>
        <div className="actions">
          {status.totp ? (
            <button type="button" className="danger secondary" onClick={() => onMode({ kind: 'totp-disable' })}>
              Turn off authenticator app
            </button>
          ) : (
            <button type="button" onClick={() => onMode({ kind: 'totp-setup' })}>
              Set up authenticator app
            </button>
          )}
        </div>
      </section>

      <section className="factor" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Security keys</h2>
        {status.securityKeys.length === 0 ? (
          <p>No security keys yet.</p>
        ) : (
          <ul className="key-list" aria-label="Your security keys">
            {status.securityKeys.map((key) => (
              <li key={key.id}>
                <div>
                  <span className="key-name">{key.name}</span>
                  <span className="hint">
                    Added {formatDateTime(key.createdAt)}
                    {key.lastUsedAt ? ` · last used ${formatDateTime(key.lastUsedAt)}` : ' · not used yet'}
                  </span>
                </div>
                <button
                  type="button"
                  className="danger secondary"
                  aria-label={`Remove ${key.name}`}
                  onClick={() => onMode({ kind: 'key-remove', id: key.id, name: key.name })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {browserSupportsWebAuthn() ? (
          <form
            className="add-key"
            onSubmit={(e) => {
              e.preventDefault();
              if (keyName.trim() !== '') onMode({ kind: 'key-add', name: keyName.trim() });
            }}
          >
            <Field
              label="Name for a new key"
              value={keyName}
              onChange={setKeyName}
              maxLength={100}
              autoComplete="off"
              hint="For example “Blue YubiKey” — so you can tell your keys apart."
            />
            <button type="submit" className="secondary" disabled={keyName.trim() === ''}>
              Add security key
            </button>
          </form>
        ) : (
          <p className="hint">This browser cannot use security keys.</p>
        )}
      </section>

      {status.enabled ? (
        <section className={`factor ${status.regenerateBackupCodes ? 'warn' : ''}`} aria-labelledby="backup-heading">
          <h2 id="backup-heading">Backup codes</h2>
          <p data-testid="backup-remaining">
            {status.backupCodesRemaining === 1 ? '1 backup code left.' : `${status.backupCodesRemaining} backup codes left.`} Each code works once, in place of
            your app or key.
          </p>
          {status.regenerateBackupCodes ? (
            <p className="reminder-inline" role="status">
              <strong>{status.backupCodesRemaining === 0 ? 'You have no backup codes left.' : 'You are running low on backup codes.'}</strong> Create new ones
              now, so you can still get in if you lose your phone or key.
            </p>
          ) : null}
          <div className="actions">
            <button type="button" className={status.regenerateBackupCodes ? '' : 'secondary'} onClick={() => onMode({ kind: 'regenerate' })}>
              Create new backup codes
            </button>
          </div>
        </section>
      ) : null}
    </main>
  );
}
