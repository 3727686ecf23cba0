/**
 * Two-step verification (SPEC §2.3): status; the authenticator app (re-authenticate → QR code,
 * `otpauth://` URI and the secret as text → first code → backup codes shown once → done);
 * security keys (register with a name, list, remove); backup codes (remaining count, a prompt
 * to regenerate when few remain, regenerate); turning the authenticator app off.
 *
 * Every change starts with the account password (the server wants an unlock within the last
 * few minutes). Removing a factor, turning the app off, and adding a factor while two-step
 * verification is on also need a proof by an enrolled factor (an app code, a backup code, or a
 * security key on a fresh challenge), so a stolen unlocked session alone cannot weaken it. The
 * TOTP secret and backup codes live only in this page's state while shown; they are saved only
 * when the person presses Download or Print.
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { TwoFactorStatus } from '@latchkey/core/wire/two-factor';
import type { FactorProof } from '@latchkey/client/two-factor';
import { LatchkeyError } from '@latchkey/core/errors';
import { createKitPdf } from '@latchkey/client/kit-document';
import { useApp } from '../app-context.tsx';
import { describeError, describeSecondFactorError } from '../errors.ts';
import { downloadFile } from '../download.ts';
import { authenticationCeremony, backupCodesInColumns, backupCodesText, browserSupportsWebAuthn, groupSecret, qrSvgPath, registrationCeremony } from '../two-factor.ts';
import { CopyButton, ErrorMessage, Field, PageHeading, Progress } from '../components/ui.tsx';
import { ReauthenticateForm } from '../components/ReauthenticateForm.tsx';
import { useAsyncAction } from '../components/useAsyncAction.ts';
import { SecondFactorForm, type Choice } from '../components/SecondFactorPrompt.tsx';
import '../two-factor.css';

type Mode =
  | { kind: 'overview'; notice?: string }
  | { kind: 'totp-setup' }
  | { kind: 'totp-disable' }
  | { kind: 'key-add'; name: string }
  | { kind: 'key-remove'; id: string; name: string }
  | { kind: 'regenerate' };

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The methods that can prove it is the owner while signed in, in the order the prompt offers them. */
function methodsOf(status: TwoFactorStatus): string[] {
  const methods: string[] = [];
  if (status.totp) methods.push('totp');
  if (status.securityKeys.length > 0) methods.push('security-key');
  if (status.enabled && status.backupCodesRemaining > 0) methods.push('backup-code');
  return methods;
}

export function TwoFactorPage() {
  const { latchkey, phase, handleSignedOut } = useApp();
  const [status, setStatus] = useState<TwoFactorStatus>();
  const [loadError, setLoadError] = useState<string>();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });

  const refresh = async () => {
    try {
      setStatus(await latchkey.client.twoFactor.status());
      setLoadError(undefined);
    } catch (e) {
      if (!handleSignedOut(e)) setLoadError(describeError(e));
    }
  };
  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [latchkey]);

  if (phase.kind !== 'unlocked') return null;
  const email = phase.account.email;
  const back = (notice?: string) => {
    setMode({ kind: 'overview', ...(notice ? { notice } : {}) });
    void refresh();
  };
  if (status === undefined) {
    return (
      <main className="narrow two-factor">
        <PageHeading>Two-step verification</PageHeading>
        {loadError ? <ErrorMessage message={loadError} /> : <Progress text="Loading…" />}
      </main>
    );
  }

  switch (mode.kind) {
    case 'totp-setup':
      return <TotpSetup status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'totp-disable':
      return (
        <GuardedPage
          title="Turn off the authenticator app"
          why={
            status.securityKeys.length > 0
              ? 'Your security keys and backup codes keep working. Sign-ins will no longer accept codes from the app.'
              : 'This turns two-step verification off: signing in will need only your password and Secret Key, and your backup codes stop working.'
          }
          methods={methodsOf(status)}
          needsProof
          action="Turn off"
          danger
          onCancel={() => back()}
          run={async (proof) => {
            await latchkey.client.twoFactor.disableTotp(proof);
            back('The authenticator app is turned off.');
          }}
        />
      );
    case 'key-add':
      return <AddSecurityKey name={mode.name} status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'key-remove':
      return (
        <GuardedPage
          title={<>Remove security key “{mode.name}”</>}
          why={
            status.totp || status.securityKeys.length > 1
              ? 'The key will no longer work for signing in.'
              : 'This is your only second factor: removing it turns two-step verification off, and your backup codes stop working.'
          }
          methods={methodsOf(status)}
          needsProof
          action="Remove key"
          danger
          onCancel={() => back()}
          run={async (proof) => {
            await latchkey.client.twoFactor.removeSecurityKey(mode.id, proof);
            back(`Security key “${mode.name}” was removed.`);
          }}
        />
      );
    case 'regenerate':
      return <Regenerate status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'overview':
      return <Overview status={status} notice={mode.notice} onMode={setMode} />;
  }
}

function Overview({ status, notice, onMode }: { status: TwoFactorStatus; notice: string | undefined; onMode: (mode: Mode) => void }) {
  const [keyName, setKeyName] = useState('');
  return (
    <main className="narrow two-factor">
      <PageHeading>Two-step verification</PageHeading>
      <p>
        With two-step verification, signing in on a new or signed-out device needs a second step after your password: a code from an authenticator app on your phone, or a security key
        (such as a YubiKey). Backup codes get you in if you lose both.
      </p>
      {notice ? (
        <p className="notice ok" role="status">
          {notice}
        </p>
      ) : null}
      <section className={`status-card ${status.enabled ? 'ok' : 'warn'}`} aria-labelledby="two-factor-status">
        <h2 id="two-factor-status">{status.enabled ? 'Two-step verification is on' : 'Two-step verification is off'}</h2>
        <p>
          {status.enabled
            ? 'Signing in on a new or signed-out device asks for your second step.'
            : 'Anyone with your password and Secret Key can sign in. Turn it on with an authenticator app or a security key.'}
        </p>
      </section>

      <section className="factor" aria-labelledby="totp-heading">
        <h2 id="totp-heading">Authenticator app</h2>
        <p>{status.totp ? 'On. Sign-ins accept the 6-digit code your app shows.' : 'Off. Use an app such as Aegis, Google Authenticator, 2FAS or your password manager on your phone.'}</p>
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
                    Added {when(key.createdAt)}
                    {key.lastUsedAt ? ` · last used ${when(key.lastUsedAt)}` : ' · not used yet'}
                  </span>
                </div>
                <button type="button" className="danger secondary" aria-label={`Remove ${key.name}`} onClick={() => onMode({ kind: 'key-remove', id: key.id, name: key.name })}>
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
            <Field label="Name for a new key" value={keyName} onChange={setKeyName} maxLength={100} autoComplete="off" hint="For example “Blue YubiKey” — so you can tell your keys apart." />
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
            {status.backupCodesRemaining === 1 ? '1 backup code left.' : `${status.backupCodesRemaining} backup codes left.`} Each code works once, in place of your app or key.
          </p>
          {status.regenerateBackupCodes ? (
            <p className="reminder-inline" role="status">
              <strong>{status.backupCodesRemaining === 0 ? 'You have no backup codes left.' : 'You are running low on backup codes.'}</strong> Create new ones now, so you can still get in if
              you lose your phone or key.
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

/** The proof methods in words, for the prompt's introduction. */
function proofMethodsText(methods: readonly string[]): string {
  const words = [
    methods.includes('totp') ? 'a code from your authenticator app' : undefined,
    methods.includes('security-key') ? 'your security key' : undefined,
    methods.includes('backup-code') ? 'one of your backup codes' : undefined,
  ].filter((w): w is string => w !== undefined);
  if (words.length === 0) return 'one of your enrolled methods';
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')}, or ${words.at(-1)!}`;
}

type GuardedProps = {
  why: ReactNode;
  methods: readonly string[];
  needsProof: boolean;
  action: string;
  danger?: boolean;
  onCancel: () => void;
  run: (proof: FactorProof) => Promise<void>;
};

/** A page of its own for a guarded change: its heading, then `Guarded`. */
function GuardedPage({ title, ...guarded }: GuardedProps & { title: ReactNode }) {
  return (
    <main className="narrow two-factor">
      <PageHeading>{title}</PageHeading>
      <Guarded {...guarded} />
    </main>
  );
}

/**
 * Re-authentication, then (if needed) a proof by an enrolled factor, then the action. Moves
 * back to the right step when the server asks for it (`reauthentication_required`,
 * `second_factor_required`), and stays on the proof step after a wrong code.
 */
function Guarded({ why, methods: initialMethods, needsProof, action, danger, onCancel, run }: GuardedProps) {
  const { latchkey, handleSignedOut } = useApp();
  const [stage, setStage] = useState<'password' | 'proof'>('password');
  const [methods, setMethods] = useState<readonly string[]>(initialMethods);
  const [password, setPassword] = useState('');
  // The password step's failures are worded by `describeError`; the change's own by `attempt`.
  const { busy, setBusy, error, setError, run: runUnlock } = useAsyncAction();

  const attempt = async (proof: FactorProof | undefined) => {
    try {
      await run(proof ?? {});
    } catch (e) {
      if (handleSignedOut(e)) return;
      if (e instanceof LatchkeyError && e.code === 'reauthentication_required') {
        setStage('password');
        setError(describeSecondFactorError(e));
      } else if (e instanceof LatchkeyError && e.code === 'second_factor_required') {
        const given = e.details?.methods;
        if (Array.isArray(given) && given.length > 0) setMethods(given.filter((m): m is string => typeof m === 'string'));
        setStage('proof');
        setError(proof === undefined ? undefined : describeSecondFactorError(e));
      } else if (e instanceof LatchkeyError && e.code === 'invalid_code' && proof?.securityKey !== undefined) {
        setError('Your security key was not accepted. Make sure it is a key you registered with this account, then try again.');
      } else {
        setError(describeSecondFactorError(e));
      }
      setBusy(false);
    }
  };

  const submitPassword = async () => {
    const unlocked = await runUnlock(async () => {
      await latchkey.client.unlock(password);
      setPassword('');
    });
    if (!unlocked) return;
    if (needsProof && methods.length > 0) {
      setStage('proof');
      setBusy(false);
    } else {
      await attempt(undefined);
    }
  };

  const submitProof = async (choice: Choice) => {
    setBusy(true);
    setError(undefined);
    if (!('securityKey' in choice)) return attempt(choice);
    let proof: FactorProof;
    try {
      // A fresh challenge for this change; the browser binds the assertion to this origin.
      proof = await latchkey.client.twoFactor.securityKeyProof(authenticationCeremony);
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError(describeSecondFactorError(e));
      setBusy(false);
      return;
    }
    await attempt(proof);
  };

  if (stage === 'proof') {
    return (
      <SecondFactorForm
        methods={methods}
        headingLevel={2}
        title="Prove it is you"
        intro={`Changing two-step verification needs your second step too: ${proofMethodsText(methods)}.`}
        busy={busy}
        busyText="Checking and saving…"
        error={error}
        onSubmit={(choice) => void submitProof(choice)}
        onCancel={onCancel}
      />
    );
  }
  return (
    <ReauthenticateForm
      password={password}
      onPasswordChange={setPassword}
      error={error}
      busy={busy}
      busyText="Checking your password…"
      action={needsProof && methods.length > 0 ? 'Continue' : action}
      danger={danger}
      onSubmit={() => void submitPassword()}
      onCancel={onCancel}
    >
      <p>{why}</p>
      <p>
        <strong>Re-authenticate first:</strong> enter your account password.
      </p>
    </ReauthenticateForm>
  );
}

type TotpStep = { kind: 'guard' } | { kind: 'scan'; secret: string; uri: string } | { kind: 'codes'; codes: string[] };

function TotpSetup({ status, email, onCancel, onDone }: { status: TwoFactorStatus; email: string; onCancel: () => void; onDone: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const [step, setStep] = useState<TotpStep>({ kind: 'guard' });
  const done = 'The authenticator app is on. Sign-ins on new or signed-out devices will ask for its code.';
  if (step.kind === 'guard') {
    return (
      <GuardedPage
        title="Set up an authenticator app"
        why="Next you scan a QR code with the authenticator app on your phone and type the first code it shows."
        methods={methodsOf(status)}
        needsProof={status.enabled}
        action="Continue"
        onCancel={onCancel}
        run={async (proof) => {
          const setup = await latchkey.client.twoFactor.enableTotp(proof);
          setStep({ kind: 'scan', ...setup });
        }}
      />
    );
  }
  if (step.kind === 'scan') {
    return (
      <ScanAndConfirm
        secret={step.secret}
        uri={step.uri}
        onCancel={onCancel}
        onConfirmed={(codes) => (codes.length > 0 ? setStep({ kind: 'codes', codes }) : onDone(done))}
      />
    );
  }
  return <BackupCodesShown codes={step.codes} email={email} first onDone={() => onDone(done)} />;
}

function QrCode({ text, label }: { text: string; label: string }) {
  const qr = useMemo(() => qrSvgPath(text), [text]);
  return (
    <svg className="qr" viewBox={`0 0 ${qr.size} ${qr.size}`} role="img" aria-label={label} shapeRendering="crispEdges" data-testid="totp-qr">
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={qr.path} fill="#000" />
    </svg>
  );
}

function ScanAndConfirm({ secret, uri, onCancel, onConfirmed }: { secret: string; uri: string; onCancel: () => void; onConfirmed: (codes: string[]) => void }) {
  const { latchkey, handleSignedOut } = useApp();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const otp = code.replace(/\D/g, '');
    if (otp.length !== 6) return setError('Enter the 6-digit code your authenticator app shows for Latchkey.');
    setBusy(true);
    setError(undefined);
    try {
      onConfirmed(await latchkey.client.twoFactor.confirmTotp(otp));
    } catch (e) {
      if (handleSignedOut(e)) return;
      setError(
        e instanceof LatchkeyError && e.code === 'invalid_code'
          ? 'That code is not right. Enter the code the app shows now; if it keeps failing, check that the time on your phone is set automatically.'
          : describeSecondFactorError(e),
      );
      setBusy(false);
    }
  };
  return (
    <main className="narrow two-factor">
      <PageHeading>Scan this QR code</PageHeading>
      <ol className="setup-steps">
        <li>Open the authenticator app on your phone and add an account (often a “+” button).</li>
        <li>Scan this QR code with the app. If you cannot scan, enter the setup key below by hand (time-based, 6 digits, every 30 seconds).</li>
        <li>Type the 6-digit code the app now shows for Latchkey.</li>
      </ol>
      <div className="qr-block">
        <QrCode text={uri} label="QR code for your authenticator app" />
        <div className="manual">
          <p className="label">Setup key</p>
          <p className="mono totp-secret" data-testid="totp-secret" data-secret={secret}>
            {groupSecret(secret)}
          </p>
          <CopyButton text={secret} what="Setup key" label="Copy setup key" />
          <details>
            <summary>Setup link (otpauth://)</summary>
            <p className="mono totp-uri" data-testid="totp-uri">
              {uri}
            </p>
          </details>
        </div>
      </div>
      <p className="hint">Keep this key to yourself: anyone with it can make your codes. It is not shown again after setup.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onChange={setCode} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Checking the code…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Turn on
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </main>
  );
}

/** Backup codes, shown once: Download (text) and Print (PDF), then "I saved them". */
function BackupCodesShown({ codes, email, first, onDone }: { codes: string[]; email: string; first: boolean; onDone: () => void }) {
  const { latchkey } = useApp();
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();
  const download = () => {
    setError(undefined);
    downloadFile(backupCodesText(codes, email, latchkey.server), 'Latchkey backup codes.txt', 'text/plain');
    setSaved('Your browser is saving the backup codes as a text file. Keep it somewhere outside Latchkey.');
  };
  const print = async () => {
    setError(undefined);
    try {
      const pdf = await createKitPdf({
        title: 'Latchkey backup codes',
        subtitle: `For ${email} · created ${new Date().toISOString().slice(0, 10)}`,
        intro: 'Each code signs you in once, in place of your authenticator app or security key. Creating new backup codes makes all of these stop working.',
        sections: [
          { kind: 'field', label: 'Sign-in address', value: latchkey.server },
          { kind: 'field', label: 'Email address', value: email },
          { kind: 'field', label: 'Your backup codes (each works once)', value: backupCodesInColumns(codes), secret: true, prominent: true },
        ],
        footer: { heading: 'Keep it safe', items: ['Store this page with your Emergency Kit, not on this device.', 'Cross out each code when you use it.'] },
        metadata: { title: 'Latchkey backup codes', subject: 'Two-step verification backup codes' },
      });
      downloadFile(pdf, 'Latchkey backup codes.pdf', 'application/pdf');
      setSaved('Your browser is saving a PDF of the backup codes. Open it and print it; delete the file afterwards if you do not want a copy on this device.');
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <main className="narrow two-factor">
      <PageHeading>{first ? 'Save your backup codes' : 'Your new backup codes'}</PageHeading>
      <p>
        {first ? 'Two-step verification is on. ' : 'Your old backup codes no longer work. '}If you lose your phone or security key, each of these codes gets you in once.{' '}
        <strong>They are shown only this once.</strong>
      </p>
      <ol className="backup-codes mono" data-testid="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={download}>
          Download
        </button>
        <button type="button" className="secondary" onClick={() => void print()}>
          Print (PDF)
        </button>
        <CopyButton text={codes.join('\n')} what="Backup codes" label="Copy" />
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved or printed unless you press one of these buttons.'}
      </p>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={onDone}>
          I saved my backup codes
        </button>
      </div>
    </main>
  );
}

function Regenerate({ status, email, onCancel, onDone }: { status: TwoFactorStatus; email: string; onCancel: () => void; onDone: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const [codes, setCodes] = useState<string[]>();
  if (codes !== undefined) return <BackupCodesShown codes={codes} email={email} first={false} onDone={() => onDone('New backup codes are ready. The old ones no longer work.')} />;
  return (
    <GuardedPage
      title="Create new backup codes"
      why="You get 10 new backup codes. Every old backup code stops working at once, used or not."
      methods={methodsOf(status)}
      needsProof
      action="Create new codes"
      onCancel={onCancel}
      run={async (proof) => setCodes(await latchkey.client.twoFactor.regenerateBackupCodes(proof))}
    />
  );
}

type KeyStep = { kind: 'guard' } | { kind: 'codes'; codes: string[] };

function AddSecurityKey({ name, status, email, onCancel, onDone }: { name: string; status: TwoFactorStatus; email: string; onCancel: () => void; onDone: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const [step, setStep] = useState<KeyStep>({ kind: 'guard' });
  const done = `Security key “${name}” is added.`;
  if (step.kind === 'codes') return <BackupCodesShown codes={step.codes} email={email} first onDone={() => onDone(done)} />;
  return (
    <GuardedPage
      title={<>Add security key “{name}”</>}
      why="Next, your browser asks you to insert or touch your security key."
      methods={methodsOf(status)}
      needsProof={status.enabled}
      action="Continue"
      onCancel={onCancel}
      run={async (proof) => {
        const added = await latchkey.client.twoFactor.registerSecurityKey(name, registrationCeremony, proof);
        if (added.backupCodes.length > 0) setStep({ kind: 'codes', codes: added.backupCodes });
        else onDone(done);
      }}
    />
  );
}
