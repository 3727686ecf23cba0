/** The Recovery code page's overview: the status card, an unfinished setup, and what can be done. */
import type { RecoveryCodeStatus } from '@latchkey/core/wire/recovery';
import { formatDateTime } from '../../dates.ts';
import { PageHeading, Progress } from '../../components/ui.tsx';
import { FinishPending } from './FinishPending.tsx';
import type { Mode } from './RecoveryCodePage.tsx';

export function Overview({ status, notice, onMode }: { status: RecoveryCodeStatus | undefined; notice: string | undefined; onMode: (mode: Mode) => void }) {
  const active = status?.status === 'active';
  return (
    <main className="narrow recovery">
      <PageHeading>Recovery code</PageHeading>
      <p>
        A recovery code gets you back into your account if you forget your account password, lose your Secret Key, or lose every device. With it and access to
        your email, you choose a new password and get a new Secret Key. Keep it on paper or somewhere outside Latchkey.
      </p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {status === undefined ? <Progress text="Loading…" /> : <StatusCard status={status} />}
      {status?.pendingReplacement ? <FinishPending hasActive={active} /> : null}
      {status !== undefined ? (
        <div className="actions">
          <button type="button" onClick={() => onMode({ kind: 'setup' })}>
            {active ? 'Replace code' : 'Set up a recovery code'}
          </button>
          {active ? (
            <>
              <button type="button" className="secondary" onClick={() => onMode({ kind: 'check' })}>
                Check my code
              </button>
              <button type="button" className="secondary" onClick={() => onMode({ kind: 'split' })}>
                Split into shares
              </button>
            </>
          ) : null}
          {active || status.pendingReplacement ? (
            <button type="button" className="danger secondary" onClick={() => onMode({ kind: 'delete' })}>
              Delete code
            </button>
          ) : null}
        </div>
      ) : null}
    </main>
  );
}

/** Whether a code works, when it was set up and checked, and whether someone has been guessing. */
function StatusCard({ status }: { status: RecoveryCodeStatus }) {
  const active = status.status === 'active';
  const checked = status.lastCheckedAt ?? status.confirmedAt;
  return (
    <section className={`status-card ${active ? 'ok' : 'warn'}`} aria-labelledby="recovery-status-heading">
      <h2 id="recovery-status-heading">{active ? 'Your recovery code is set up' : 'You have no working recovery code'}</h2>
      {active ? (
        <ul>
          {status.confirmedAt ? <li>Set up on {formatDateTime(status.confirmedAt)}.</li> : null}
          <li>
            {status.lastCheckedAt && status.lastCheckedAt !== status.confirmedAt
              ? `Last checked on ${formatDateTime(status.lastCheckedAt)}.`
              : 'Not checked since it was set up.'}
          </li>
          <li>It stays valid after you use it, until you replace or delete it.</li>
        </ul>
      ) : (
        <p>If you lose your password or your Secret Key, nobody can get you back in, not even whoever runs this server. Set up a recovery code now.</p>
      )}
      {status.reminder === 'check' && checked ? (
        <p className="reminder-inline">
          <strong>Time to check it:</strong> it is over a year since {formatDateTime(checked)}. Find your Recovery Kit and use “Check my code”.
        </p>
      ) : null}
      {status.locked ? (
        <p className="error">
          <strong>Recovery with your code is locked</strong> after {status.failedAttempts} wrong codes in a row. Nobody can use a recovery code on your account
          until you check your code or replace it here. If you did not try those codes, someone else may know your email address: replace your code.
        </p>
      ) : status.failedAttempts > 0 ? (
        <p className="error">
          <strong>{status.failedAttempts === 1 ? 'Someone tried 1 wrong recovery code' : `Someone tried ${status.failedAttempts} wrong recovery codes`}</strong>{' '}
          on your account since your code last worked. If it was not you, replace your code.
        </p>
      ) : null}
    </section>
  );
}
