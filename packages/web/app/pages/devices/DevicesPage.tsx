/**
 * Trusted devices of a passkey account (docs/protocol.md §24.11): each device that holds a
 * sealed copy of the account's credential bundle, with its name, platform, when it was added and
 * last unlocked, and which one is this browser. Rename; deauthorize (also another device, or this
 * one): the server deletes its sealed bundle and ends its sessions, so its next passkey unlock
 * fails. Deauthorizing needs a fresh proof: the passkey again for a passkey account on this
 * browser, the account password otherwise.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { TrustedDevice } from '@latchkey/core/wire/passkeys';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { formatDateTime } from '../../dates.ts';
import { describeError, describePasskeyError } from '../../errors.ts';
import { browserDeviceKeys, passkeyAccounts } from '../../platform/device-key.ts';
import { passkeyAuthenticator } from '../../webauthn.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

type Mode =
  | { kind: 'list' }
  | { kind: 'rename'; device: TrustedDevice }
  | { kind: 'remove'; device: TrustedDevice }
  | { kind: 'password'; device: TrustedDevice };

export function DevicesPage() {
  const { latchkey, phase, handleSignedOut } = useApp();
  const email = phase.kind === 'unlocked' ? phase.account.email : '';
  const [devices, setDevices] = useState<TrustedDevice[]>();
  const [withPasskey, setWithPasskey] = useState(false);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setDevices(await latchkey.client.devices.list());
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  }, [latchkey, handleSignedOut]);

  useEffect(() => {
    void load();
    void passkeyAccounts(latchkey.server).then(
      (emails) => setWithPasskey(emails.includes(email.toLowerCase())),
      () => undefined,
    );
  }, [load, latchkey, email]);

  const finish = async (message: string) => {
    setStatus(message);
    setMode({ kind: 'list' });
    await load();
  };

  const rename = async (event: FormEvent, device: TrustedDevice) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await latchkey.client.devices.rename(device.id, newName.trim());
      await finish(`Renamed ${device.name} to ${newName.trim()}.`);
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const removeMessage = (device: TrustedDevice) =>
    device.current
      ? 'This browser is no longer a trusted device: it was signed out, and its passkey unlock no longer works.'
      : `Removed ${device.name}. It was signed out, and its next passkey unlock fails.`;

  /** Deauthorizes; when the server wants a fresh proof, the passkey gives it (or the password, below). */
  const remove = async (device: TrustedDevice) => {
    setBusy(true);
    setError(undefined);
    try {
      try {
        await latchkey.client.devices.remove(device.id);
      } catch (e) {
        if (!(e instanceof LatchkeyError && e.code === 'reauthentication_required')) throw e;
        if (!withPasskey) {
          setMode({ kind: 'password', device });
          return;
        }
        await latchkey.client.unlockWithPasskey({ email, authenticator: passkeyAuthenticator, deviceKeys: browserDeviceKeys });
        await latchkey.client.devices.remove(device.id);
      }
      if (device.current) {
        handleSignedOut(new LatchkeyError('unauthenticated', 'This device was deauthorized.'));
        return;
      }
      await finish(removeMessage(device));
    } catch (e) {
      if (!handleSignedOut(e)) setError(describePasskeyError(e));
    } finally {
      setBusy(false);
    }
  };

  if (mode.kind === 'password') {
    return (
      <main className="narrow">
        <PageHeading>Remove {mode.device.name}</PageHeading>
        <ReauthenticateStep
          why={<p>Removing a trusted device needs your account password again.</p>}
          action="Remove device"
          busyText="Removing…"
          danger
          onCancel={() => setMode({ kind: 'list' })}
          run={async () => {
            await latchkey.client.devices.remove(mode.device.id);
            await finish(removeMessage(mode.device));
          }}
        />
      </main>
    );
  }

  return (
    <main className="narrow">
      <PageHeading>Trusted devices</PageHeading>
      <p>
        These devices can unlock your account with its passkey: each keeps its own key, and the server keeps a copy of your account's keys that only that device
        can open. If you no longer have one of them, or do not recognise it, remove it: it is signed out and its passkey unlock stops working.
      </p>
      <ErrorMessage message={error} />
      <p role="status" aria-live="polite" className="notice-line">
        {status}
      </p>
      {devices === undefined && error === undefined ? <Progress text="Loading…" /> : null}
      {devices !== undefined && devices.length === 0 ? (
        <p className="hint">This account has no trusted devices: it unlocks with its account password and Secret Key.</p>
      ) : null}
      <ul className="sessions">
        {(devices ?? []).map((d) => (
          <li key={d.id}>
            <div>
              <strong>{d.name}</strong> {d.current ? <span className="badge">This device</span> : null}
              <div className="hint">
                {d.platform} · added {formatDateTime(d.addedAt)} · last used {formatDateTime(d.lastUsedAt)}
              </div>
              {mode.kind === 'rename' && mode.device.id === d.id ? (
                <form onSubmit={(e) => void rename(e, d)} aria-label={`Rename ${d.name}`}>
                  <Field label="New name" required maxLength={100} autoFocus value={newName} onChange={setNewName} />
                  <div className="actions">
                    <button type="submit" disabled={busy || newName.trim() === ''}>
                      Save name
                    </button>
                    <button type="button" className="secondary" onClick={() => setMode({ kind: 'list' })} disabled={busy}>
                      Cancel
                    </button>
                  </div>
                </form>
              ) : null}
              {mode.kind === 'remove' && mode.device.id === d.id ? (
                <div className="explain">
                  <p>
                    {d.current
                      ? 'Remove this browser? You are signed out here, and this browser can no longer unlock with the passkey.'
                      : `Remove ${d.name}? It is signed out, and it can no longer unlock with the passkey.`}
                  </p>
                  <div className="actions">
                    <button type="button" className="danger" onClick={() => void remove(d)} disabled={busy}>
                      Remove device
                    </button>
                    <button type="button" className="secondary" onClick={() => setMode({ kind: 'list' })} disabled={busy}>
                      Keep it
                    </button>
                  </div>
                </div>
              ) : null}
            </div>
            {mode.kind === 'list' ? (
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  aria-label={`Rename ${d.name}`}
                  onClick={() => {
                    setNewName(d.name);
                    setStatus(undefined);
                    setMode({ kind: 'rename', device: d });
                  }}
                >
                  Rename
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  aria-label={`Remove ${d.name}`}
                  onClick={() => {
                    setStatus(undefined);
                    setMode({ kind: 'remove', device: d });
                  }}
                >
                  Remove
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <Progress text={busy ? 'Saving…' : undefined} />
    </main>
  );
}
