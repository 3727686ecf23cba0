/**
 * The account's recovery code (SPEC §2.2): status and reminders, set up / replace (re-authenticate
 * → the code shown once with copy, save and print → "I stored it" → confirm by re-entering it),
 * check, split into share cards, and delete.
 *
 * The code exists only in this page's state while it is shown and confirmed; leaving the page
 * (or the app locking) forgets it. Until confirmation the new code is pending on the server and
 * does not work, and the previous code (if any) keeps working, so abandoning setup changes
 * nothing. Files are written only when the person presses a button, as browser downloads.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { RecoveryCodeStatus } from '@latchkey/core/wire/recovery';
import { LatchkeyError } from '@latchkey/core/errors';
import { lastGroupOf, parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode, type RecoveryShare } from '@latchkey/core/recovery-shares';
import { createRecoveryKitPdf, createRecoveryKitText, createShareCardPdf, createShareCardText } from '@latchkey/client/recovery-kit';
import { useApp } from '../app-context.tsx';
import { describeError, describeInputError } from '../errors.ts';
import { downloadFile } from '../download.ts';
import { useRecoveryStatus } from '../recovery-status.tsx';
import { CopyButton, ErrorMessage, Field, PageHeading, Progress } from '../components/ui.tsx';
import { ReauthenticateForm } from '../components/ReauthenticateForm.tsx';
import { useAsyncAction } from '../components/useAsyncAction.ts';

type Mode =
  | { kind: 'overview'; notice?: string }
  | { kind: 'setup' }
  | { kind: 'check' }
  | { kind: 'split'; code?: RecoveryCode }
  | { kind: 'delete' };

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RecoveryCodePage() {
  const { phase } = useApp();
  const { status, refresh } = useRecoveryStatus();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });
  if (phase.kind !== 'unlocked') return null;
  const account = phase.account;
  const back = (notice?: string) => {
    setMode({ kind: 'overview', ...(notice ? { notice } : {}) });
    void refresh();
  };

  switch (mode.kind) {
    case 'setup':
      return <Setup account={account} hadActive={status?.status === 'active'} onCancel={() => back()} onSplit={(code) => setMode({ kind: 'split', code })} onFinish={back} />;
    case 'check':
      return <Check onBack={back} />;
    case 'split':
      return <Split account={account} code={mode.code} onBack={() => back()} />;
    case 'delete':
      return <Delete onBack={back} />;
    case 'overview':
      return <Overview status={status} notice={mode.notice} onMode={setMode} />;
  }
}

function Overview({ status, notice, onMode }: { status: RecoveryCodeStatus | undefined; notice: string | undefined; onMode: (mode: Mode) => void }) {
  const active = status?.status === 'active';
  return (
    <main className="narrow recovery">
      <PageHeading>Recovery code</PageHeading>
      <p>
        A recovery code gets you back into your account if you forget your account password, lose your Secret Key, or lose every device. With it and access to your email, you choose a new
        password and get a new Secret Key. Keep it on paper or somewhere outside Latchkey.
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

function StatusCard({ status }: { status: RecoveryCodeStatus }) {
  const active = status.status === 'active';
  const checked = status.lastCheckedAt ?? status.confirmedAt;
  return (
    <section className={`status-card ${active ? 'ok' : 'warn'}`} aria-labelledby="recovery-status-heading">
      <h2 id="recovery-status-heading">{active ? 'Your recovery code is set up' : 'You have no working recovery code'}</h2>
      {active ? (
        <ul>
          {status.confirmedAt ? <li>Set up on {when(status.confirmedAt)}.</li> : null}
          <li>{status.lastCheckedAt && status.lastCheckedAt !== status.confirmedAt ? `Last checked on ${when(status.lastCheckedAt)}.` : 'Not checked since it was set up.'}</li>
          <li>It stays valid after you use it, until you replace or delete it.</li>
        </ul>
      ) : (
        <p>If you lose your password or your Secret Key, nobody can get you back in, not even whoever runs this server. Set up a recovery code now.</p>
      )}
      {status.reminder === 'check' && checked ? (
        <p className="reminder-inline">
          <strong>Time to check it:</strong> it is over a year since {when(checked)}. Find your Recovery Kit and use “Check my code”.
        </p>
      ) : null}
      {status.locked ? (
        <p className="error">
          <strong>Recovery with your code is locked</strong> after {status.failedAttempts} wrong codes in a row. Nobody can use a recovery code on your account until you check your code or replace
          it here. If you did not try those codes, someone else may know your email address: replace your code.
        </p>
      ) : status.failedAttempts > 0 ? (
        <p className="error">
          <strong>
            {status.failedAttempts === 1 ? 'Someone tried 1 wrong recovery code' : `Someone tried ${status.failedAttempts} wrong recovery codes`}
          </strong>{' '}
          on your account since your code last worked. If it was not you, replace your code.
        </p>
      ) : null}
    </section>
  );
}

/** A code was created but never confirmed: say exactly what works, and let them finish if they kept it. */
function FinishPending({ hasActive }: { hasActive: boolean }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const [code, setCode] = useState('');
  const { busy, error, setError, run } = useAsyncAction({ describe: pendingConfirmError });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let parsed: RecoveryCode;
    try {
      parsed = parseRecoveryCode(code);
    } catch (e) {
      return setError(describeInputError(e));
    }
    await run(
      async () => {
        set(await latchkey.client.recoveryCode.confirm(parsed));
        setCode('');
      },
      { idleAfter: true },
    );
  };
  return (
    <section className="pending" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Unfinished setup</h2>
      <p>
        A new recovery code was created but never confirmed, so <strong>it does not work</strong>.{' '}
        {hasActive ? 'Your current recovery code still works.' : 'You have no working recovery code yet.'} If you stored the new code, enter it here to make it your recovery code. If
        you did not, set up a new one.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="The new code you stored" autoComplete="off" spellCheck={false} autoCapitalize="characters" value={code} onChange={setCode} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Confirming…' : undefined} />
        <div className="actions">
          <button type="submit" className="secondary" disabled={busy || code.trim() === ''}>
            Confirm this code
          </button>
        </div>
      </form>
    </section>
  );
}

function pendingConfirmError(e: unknown): string {
  if (e instanceof LatchkeyError && e.code === 'invalid_recovery_code') {
    return 'That is not the new, unconfirmed code. If it is your current code, it already works; otherwise check the copy you stored.';
  }
  return describeError(e);
}

/**
 * "Re-authenticate first": the account password proves it is really the owner at the keyboard
 * before a code is created or deleted (the server wants a fresh unlock).
 */
function Reauthenticate({ why, action, busyText, onDone, onCancel, danger }: { why: ReactNode; action: string; busyText: string; onDone: () => Promise<void>; onCancel: () => void; danger?: boolean }) {
  const { latchkey } = useApp();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAsyncAction();
  const submit = () =>
    run(async () => {
      await latchkey.client.unlock(password);
      setPassword('');
      await onDone();
    });
  return (
    <ReauthenticateForm password={password} onPasswordChange={setPassword} error={error} busy={busy} busyText={busyText} action={action} danger={danger} onSubmit={() => void submit()} onCancel={onCancel}>
      <p>{why}</p>
    </ReauthenticateForm>
  );
}

type SetupStep = { kind: 'reauth' } | { kind: 'show'; code: RecoveryCode } | { kind: 'confirm'; code: RecoveryCode } | { kind: 'done'; code: RecoveryCode };

function Setup({ account, hadActive: hadActiveAtStart, onCancel, onSplit, onFinish }: { account: AccountProfile; hadActive: boolean; onCancel: () => void; onSplit: (code: RecoveryCode) => void; onFinish: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const [step, setStep] = useState<SetupStep>({ kind: 'reauth' });
  // Fixed when setup starts: the status changes under us (pending, then active).
  const [hadActive] = useState(hadActiveAtStart);
  const keepsOld = hadActive
    ? 'Until you confirm the new code, your current recovery code keeps working. If you stop now, nothing changes: your current code stays valid and the new one never works.'
    : 'The new code does not work until you confirm it. If you stop before confirming, you will still have no recovery code.';

  if (step.kind === 'reauth') {
    return (
      <main className="narrow recovery">
        <PageHeading>{hadActive ? 'Replace your recovery code' : 'Set up a recovery code'}</PageHeading>
        <Reauthenticate
          why={
            <>
              <strong>Re-authenticate first:</strong> enter your account password. Then this browser makes a new recovery code and shows it once.{' '}
              {hadActive ? 'Your current code keeps working until you confirm the new one.' : ''}
            </>
          }
          action="Continue"
          busyText="Checking your password and making a new code…"
          onCancel={onCancel}
          onDone={async () => {
            const created = await latchkey.client.recoveryCode.create();
            set(created.status);
            setStep({ kind: 'show', code: created.recoveryCode });
          }}
        />
      </main>
    );
  }
  if (step.kind === 'show') return <ShowCode account={account} code={step.code} keepsOld={keepsOld} onStored={() => setStep({ kind: 'confirm', code: step.code })} onCancel={onCancel} />;
  if (step.kind === 'confirm') {
    return <ConfirmCode code={step.code} keepsOld={keepsOld} onBack={() => setStep({ kind: 'show', code: step.code })} onCancel={onCancel} onConfirmed={() => setStep({ kind: 'done', code: step.code })} />;
  }
  return (
    <main className="narrow recovery">
      <PageHeading>Your recovery code is ready</PageHeading>
      <p className="notice" role="status">
        Confirmed. This is now your recovery code{hadActive ? ' and your previous code no longer works' : ''}.
      </p>
      <p>It stays valid after you use it. You can check it here at any time, or split it into share cards for people you trust.</p>
      <div className="actions">
        <button type="button" onClick={() => onFinish('Your recovery code is set up and confirmed.')}>
          Done
        </button>
        <button type="button" className="secondary" onClick={() => onSplit(step.code)}>
          Split into shares
        </button>
      </div>
    </main>
  );
}

function CodeDisplay({ code }: { code: RecoveryCode }) {
  const last = lastGroupOf(code);
  return (
    <p className="secret-key recovery-code" data-testid="recovery-code">
      {code.slice(0, code.length - last.length)}
      <mark>{last}</mark>
    </p>
  );
}

function ShowCode({ account, code, keepsOld, onStored, onCancel }: { account: AccountProfile; code: RecoveryCode; keepsOld: string; onStored: () => void; onCancel: () => void }) {
  const { latchkey } = useApp();
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();
  const kit = { email: account.email, signInAddress: latchkey.server, recoveryCode: code };
  const saveText = () => {
    setError(undefined);
    try {
      downloadFile(createRecoveryKitText(kit), 'Latchkey Recovery Kit.txt', 'text/plain');
      setSaved('Your browser is saving the Recovery Kit as a text file. Keep it somewhere outside Latchkey.');
    } catch (e) {
      setError(describeError(e));
    }
  };
  const savePdf = async () => {
    setError(undefined);
    try {
      downloadFile(await createRecoveryKitPdf(kit), 'Latchkey Recovery Kit.pdf', 'application/pdf');
      setSaved('Your browser is saving the Recovery Kit PDF. Open it and print it; delete the file afterwards if you do not want a copy on this device.');
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <main className="narrow recovery">
      <PageHeading>Store your recovery code</PageHeading>
      <p>
        This is your new recovery code. <strong>It is shown only this once</strong>: Latchkey does not keep a copy it could show you again.
      </p>
      <CodeDisplay code={code} />
      <p className="hint">You can select and copy the text. The last group is highlighted: the Recovery Kit prints it on its own too.</p>
      <div className="actions">
        <CopyButton text={code} what="Recovery code" />
        <button type="button" className="secondary" onClick={saveText}>
          Save as text file
        </button>
        <button type="button" className="secondary" onClick={() => void savePdf()}>
          Print Recovery Kit (PDF)
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved or printed unless you press one of these buttons.'}
      </p>
      <ErrorMessage message={error} />
      <div className="explain">
        <p>
          <strong>Where to keep it:</strong> print the Recovery Kit, or write the code down, and keep it with your important papers. Do not keep it inside Latchkey: you need it exactly when
          you cannot get in.
        </p>
        <p>
          <strong>Not working yet:</strong> {keepsOld}
        </p>
      </div>
      <div className="actions">
        <button type="button" onClick={onStored}>
          I stored it
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Stop setup
        </button>
      </div>
    </main>
  );
}

function ConfirmCode({ code, keepsOld, onBack, onCancel, onConfirmed }: { code: RecoveryCode; keepsOld: string; onBack: () => void; onCancel: () => void; onConfirmed: () => void }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const [typed, setTyped] = useState('');
  const { busy, error, setError, run } = useAsyncAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    let parsed: RecoveryCode;
    try {
      parsed = parseRecoveryCode(typed);
    } catch (e) {
      return setError(describeInputError(e));
    }
    // Compared here first: a mismatch costs no request and tells the person exactly what is wrong.
    if (parsed !== code) return setError('That is not the code you were shown. Check the copy you stored, character by character.');
    await run(async () => {
      set(await latchkey.client.recoveryCode.confirm(parsed));
      onConfirmed();
    });
  };
  return (
    <main className="narrow recovery">
      <PageHeading>Confirm your recovery code</PageHeading>
      <p>
        Show that you stored it: type the whole code from the copy you kept (your Recovery Kit, text file or paper). On the Recovery Kit the last group is highlighted and printed on its own, so
        you can check you reached the end. Dashes, spaces and capitals do not matter.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Recovery code" autoComplete="off" spellCheck={false} autoCapitalize="characters" required value={typed} onChange={setTyped} hint="Starts with R1-, then 7 groups of 5 characters." />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Confirming…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Confirm and finish setup
          </button>
          <button type="button" className="secondary" onClick={onBack} disabled={busy}>
            Show the code again
          </button>
          <button type="button" className="link" onClick={onCancel} disabled={busy}>
            Stop setup
          </button>
        </div>
      </form>
      <p className="hint">{keepsOld}</p>
    </main>
  );
}

function Check({ onBack }: { onBack: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const { refresh } = useRecoveryStatus();
  const [typed, setTyped] = useState('');
  const { busy, error, setError, run } = useAsyncAction();
  const [result, setResult] = useState<boolean>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    let parsed: RecoveryCode;
    try {
      parsed = parseRecoveryCode(typed);
    } catch (e) {
      return setError(describeInputError(e));
    }
    await run(
      async () => {
        const valid = await latchkey.client.recoveryCode.check(parsed);
        setResult(valid);
        if (valid) void refresh();
      },
      { idleAfter: true },
    );
  };
  return (
    <main className="narrow recovery">
      <PageHeading>Check my recovery code</PageHeading>
      <p>Type the code from your Recovery Kit to test that it works. This only tests it: nothing about your account changes, and the code is never sent (this browser proves it has it).</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Recovery code" autoComplete="off" spellCheck={false} autoCapitalize="characters" required value={typed} onChange={(v) => (setTyped(v), setResult(undefined))} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Checking…' : undefined} />
        {result === true ? (
          <p className="notice ok" role="status">
            <strong>This code works.</strong> Keep it where you found it.
          </p>
        ) : null}
        {result === false ? (
          <div className="error" role="alert">
            <p>
              <strong>This code does not work for your account.</strong> It may be an old code that was replaced, or a new one that was never confirmed. If you cannot find your current code,
              replace it now while you can still sign in.
            </p>
          </div>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Check
          </button>
          <button type="button" className="secondary" onClick={() => onBack()} disabled={busy}>
            Back
          </button>
        </div>
      </form>
    </main>
  );
}

function Delete({ onBack }: { onBack: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  return (
    <main className="narrow recovery">
      <PageHeading>Delete your recovery code</PageHeading>
      <div className="confirm">
        <p>
          Your recovery code (and any unconfirmed new one) <strong>stops working at once</strong>. Without a recovery code, if you forget your account password or lose your Secret Key, nobody can
          get you back into your account.
        </p>
        <Reauthenticate
          why={<>Re-authenticate first: enter your account password to delete the code.</>}
          action="Delete permanently"
          busyText="Checking your password…"
          danger
          onCancel={() => onBack()}
          onDone={async () => {
            set(await latchkey.client.recoveryCode.delete());
            onBack('Your recovery code was deleted. It no longer works. Any printed copy can be destroyed.');
          }}
        />
      </div>
    </main>
  );
}

function Split({ account, code: known, onBack }: { account: AccountProfile; code: RecoveryCode | undefined; onBack: () => void }) {
  const { latchkey } = useApp();
  const [typed, setTyped] = useState('');
  const [total, setTotal] = useState('5');
  const [threshold, setThreshold] = useState('3');
  const { busy, error, setError, run } = useAsyncAction();
  const [shares, setShares] = useState<RecoveryShare[]>();
  const [saved, setSaved] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setShares(undefined);
    const n = Number(total);
    const k = Number(threshold);
    if (!Number.isInteger(n) || !Number.isInteger(k) || k < 2 || n < k || n > 20) {
      return setError('Choose between 2 and 20 cards, and at least 2 but no more than that many needed to rebuild the code.');
    }
    let code: RecoveryCode;
    try {
      code = known ?? parseRecoveryCode(typed);
    } catch (e) {
      return setError(describeInputError(e));
    }
    await run(
      async () => {
        // Shares of a code that does not work would be worse than none: test it first (nothing secret is sent).
        if (known === undefined && !(await latchkey.client.recoveryCode.check(code))) {
          setError('This code does not work for your account, so cards made from it would not either. Type your current recovery code.');
          return;
        }
        setShares(await splitRecoveryCode(code, { total: n, threshold: k }));
      },
      { idleAfter: true },
    );
  };

  const card = (share: RecoveryShare) => ({ email: account.email, signInAddress: latchkey.server, share });
  const save = async (share: RecoveryShare, as: 'pdf' | 'text') => {
    setError(undefined);
    try {
      const name = `Latchkey Recovery Share ${share.index} of ${share.total}`;
      if (as === 'pdf') downloadFile(await createShareCardPdf(card(share)), `${name}.pdf`, 'application/pdf');
      else downloadFile(createShareCardText(card(share)), `${name}.txt`, 'text/plain');
      setSaved(`Your browser is saving share ${share.index} of ${share.total}.`);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <main className="narrow recovery">
      <PageHeading>Split into shares</PageHeading>
      <p>
        Make share cards for people you trust, for example family members. Any chosen number of them together rebuild your recovery code; fewer reveal nothing about it. Everything happens in
        this browser: the cards are never sent anywhere. A wrong or altered card is detected when the cards are combined.
      </p>
      {shares === undefined ? (
        <form onSubmit={(e) => void submit(e)}>
          {known === undefined ? (
            <Field label="Your recovery code" autoComplete="off" spellCheck={false} autoCapitalize="characters" required value={typed} onChange={setTyped} hint="From your Recovery Kit. It is tested first." />
          ) : (
            <p className="hint">Splitting the recovery code you just confirmed.</p>
          )}
          <div className="field-pair">
            <Field label="Number of cards" type="number" inputMode="numeric" min={2} max={20} required value={total} onChange={setTotal} />
            <Field label="Cards needed to rebuild the code" type="number" inputMode="numeric" min={2} max={20} required value={threshold} onChange={setThreshold} />
          </div>
          <ErrorMessage message={error} />
          <Progress text={busy ? 'Making share cards…' : undefined} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Make share cards
            </button>
            <button type="button" className="secondary" onClick={onBack} disabled={busy}>
              Back
            </button>
          </div>
        </form>
      ) : (
        <>
          <p className="notice">
            {shares.length} cards made; any {shares[0]?.threshold} of them rebuild your recovery code. Save each card and give it to a different person or keep it in a different place. Nothing is
            saved unless you press a button.
          </p>
          <ol className="share-list">
            {shares.map((share) => (
              <li key={share.index}>
                <div className="share-head">
                  <strong>
                    Share {share.index} of {share.total}
                  </strong>
                  <div className="actions">
                    <button type="button" className="secondary" onClick={() => void save(share, 'pdf')} aria-label={`Download share ${share.index} card (PDF)`}>
                      Card (PDF)
                    </button>
                    <button type="button" className="secondary" onClick={() => void save(share, 'text')} aria-label={`Save share ${share.index} as text file`}>
                      Text file
                    </button>
                  </div>
                </div>
                <code className="share-text" data-testid="share-text">
                  {share.text}
                </code>
              </li>
            ))}
          </ol>
          <p role="status" aria-live="polite" className="hint">
            {saved}
          </p>
          <ErrorMessage message={error} />
          <p className="hint">When you leave this page the cards are forgotten; making cards again gives a new set that does not mix with this one.</p>
          <button type="button" onClick={onBack}>
            Done
          </button>
        </>
      )}
    </main>
  );
}
