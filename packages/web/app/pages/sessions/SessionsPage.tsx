/**
 * Where this account is signed in, with "Sign out everywhere else" and per-session sign-out.
 * A session still waiting for its second step is marked loudly: whoever started it had the
 * account password and Secret Key, and only two-step verification stopped them.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SessionInfo } from '@latchkey/core/wire/auth';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { formatDateTime } from '../../dates.ts';
import { describeNetworkPlace } from '@latchkey/core/network-place';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';

/** "this server's own machine (loopback)", "network 203.0.113.0/24": the sign-in's address as the server saw it, nothing looked up. */
const placeOf = (ip: string | null) => {
  const { description } = describeNetworkPlace(ip);
  return description.charAt(0).toLowerCase() + description.slice(1);
};

export function SessionsPage() {
  const { latchkey, handleSignedOut, navigate } = useApp();
  const [sessions, setSessions] = useState<SessionInfo[]>();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setSessions(await latchkey.client.sessions.list());
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  }, [latchkey, handleSignedOut]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
      await load();
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const others = (sessions ?? []).filter((s) => !s.current);
  return (
    <main className="narrow">
      <PageHeading>Where you're signed in</PageHeading>
      <p>
        If you see a device you do not recognise, sign it out and change your account password. The place is the network the server saw the sign-in come from;
        nothing is looked up elsewhere. Everything that happened is in the{' '}
        <a
          href="/security-log"
          onClick={(e) => {
            e.preventDefault();
            navigate('/security-log');
          }}
        >
          security log
        </a>
        ; the devices that unlock a passkey account are under{' '}
        <a
          href="/devices"
          onClick={(e) => {
            e.preventDefault();
            navigate('/devices');
          }}
        >
          trusted devices
        </a>
        .
      </p>
      <ErrorMessage message={error} />
      <p role="status" aria-live="polite" className="notice-line">
        {status}
      </p>
      {sessions === undefined && error === undefined ? <Progress text="Loading…" /> : null}
      <ul className="sessions">
        {(sessions ?? []).map((s) => (
          <li key={s.id} className={s.twoStepPending ? 'pending-two-step' : undefined}>
            <div>
              <strong>{s.deviceName}</strong> {s.current ? <span className="badge">This browser</span> : null}
              {s.twoStepPending ? <span className="badge warn">Waiting for two-step verification</span> : null}
              <div className="hint">
                {s.twoStepPending ? 'Password and Secret Key entered' : 'Signed in'} {formatDateTime(s.createdAt)} · last used {formatDateTime(s.lastUsedAt)}
              </div>
              <div className="hint" data-testid="session-place">
                From {placeOf(s.ip)}
                {s.ip !== null ? ` · IP ${s.ip}` : ''}
              </div>
              {s.twoStepPending ? (
                <p className="pending-warning" data-testid="two-step-pending">
                  <strong>This sign-in got past your password and Secret Key and is waiting for two-step verification.</strong> If this wasn't you, someone has
                  your password and Secret Key: sign this session out, then change your account password and Secret Key.
                </p>
              ) : null}
            </div>
            {!s.current ? (
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() =>
                  void act(async () => {
                    await latchkey.client.sessions.revoke(s.id);
                    return `Signed out ${s.deviceName}.`;
                  })
                }
                aria-label={`Sign out ${s.deviceName}, signed in ${formatDateTime(s.createdAt)}`}
              >
                Sign out
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <Progress text={busy ? 'Signing out…' : undefined} />
      <button
        type="button"
        className="danger"
        disabled={busy || others.length === 0}
        onClick={() =>
          void act(async () => {
            const n = await latchkey.client.sessions.revokeOthers();
            return n === 1 ? 'Signed out 1 other session.' : `Signed out ${n} other sessions.`;
          })
        }
      >
        Sign out everywhere else
      </button>
      {others.length === 0 && sessions !== undefined ? <p className="hint">You are not signed in anywhere else.</p> : null}
    </main>
  );
}
