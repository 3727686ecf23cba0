/**
 * "Having trouble signing in?" (`/signin-help`) and "Use recovery code" (`/recover`), for a
 * signed-out browser (SPEC §2.2):
 *
 *   email ─▶ emailed code ─▶ recovery code (or k share cards) ─▶ new password twice ─▶ new Secret Key
 *
 * The recovery code and the share cards are checked in this browser before any request (a typo
 * costs nothing) and never sent: the SDK proves possession by a signature and unwraps the keyset
 * here. Recovery does not sign in: the last step shows the new Secret Key with the Emergency Kit
 * download, then the person signs in with the new credentials.
 *
 * Each attempt with a recovery code uses up the emailed code, so after a wrong recovery code a
 * new email code is sent and asked for together with the code.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';
import { parseRecoveryCode, type RecoveryCode } from '@latchkey/core/recovery-code';
import { combineRecoveryShares, parseRecoveryShare } from '@latchkey/core/recovery-shares';
import type { SecretKey } from '@latchkey/core/secret-key';
import { createEmergencyKitPdf } from '@latchkey/client/emergency-kit';
import { useApp } from '../app-context.tsx';
import { describeError, describeInputError, errorCode } from '../errors.ts';
import { downloadFile } from '../download.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../components/ui.tsx';
import { NewPasswordFields } from '../components/NewPasswordFields.tsx';
import { useNewPassword } from '../components/useNewPassword.ts';
import { useAsyncAction } from '../components/useAsyncAction.ts';

function Link({ to, children }: { to: string; children: ReactNode }) {
  const { navigate } = useApp();
  return (
    <a href={to} onClick={(e) => (e.preventDefault(), navigate(to))}>
      {children}
    </a>
  );
}

/** The options when signing in does not work. */
export function SignInHelp() {
  const { navigate } = useApp();
  return (
    <main className="narrow">
      <PageHeading>Having trouble signing in?</PageHeading>
      <section className="help-option">
        <h2>Forgot your account password, or lost your Secret Key?</h2>
        <p>
          If you set up a recovery code, use it with access to your email to choose a new account password. You get a new Secret Key, and everything in your vaults stays as it is.
        </p>
        <button type="button" onClick={() => navigate('/recover')}>
          Use recovery code
        </button>
      </section>
      <section className="help-option">
        <h2>Only the Secret Key is missing?</h2>
        <p>Your Secret Key is on your Emergency Kit, and every browser or device where you signed in before remembers it. Signing in there only asks for your password.</p>
      </section>
      <section className="help-option">
        <h2>No recovery code?</h2>
        <p>
          Nobody can reset your password for you: not even whoever runs this server can read your data. If your account belongs to a family or team, an organizer or administrator may be able
          to help.
        </p>
      </section>
      <p>
        <Link to="/">Back to sign in</Link>
      </p>
    </main>
  );
}

type Step =
  | { kind: 'email' }
  | { kind: 'email-code'; email: string; verificationId: string; error?: string }
  | { kind: 'recovery-code'; email: string; verificationId: string; emailCode: string | undefined; error?: string; notice?: string }
  | { kind: 'password'; email: string; verificationId: string; emailCode: string; recoveryCode: RecoveryCode; error?: string }
  | { kind: 'done'; email: string; secretKey: SecretKey; signedOutSessions: number };

/** Failures that mean the emailed code was wrong or is gone. */
const EMAIL_CODE_ERRORS: ReadonlySet<ErrorCode> = new Set(['invalid_code', 'code_expired', 'code_used', 'too_many_attempts']);
/** Failures about the recovery code, which come after the emailed code was used. */
const RECOVERY_CODE_ERRORS: ReadonlySet<ErrorCode> = new Set(['invalid_recovery_code', 'recovery_locked', 'no_recovery_code']);

export function Recover() {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  const setVerification = (verificationId: string) => setStep((s) => ('verificationId' in s ? { ...s, verificationId } : s));
  switch (step.kind) {
    case 'email':
      return <EmailStep onSent={(email, verificationId) => setStep({ kind: 'email-code', email, verificationId })} />;
    case 'email-code':
      return <EmailCodeStep step={step} onResent={(verificationId) => setStep({ ...step, verificationId, error: undefined })} onNext={(emailCode) => setStep({ kind: 'recovery-code', email: step.email, verificationId: step.verificationId, emailCode })} />;
    case 'recovery-code':
      return (
        <RecoveryCodeStep
          step={step}
          onResent={setVerification}
          onBack={() => setStep({ kind: 'email-code', email: step.email, verificationId: step.verificationId })}
          onNext={(recoveryCode, emailCode) => setStep({ kind: 'password', email: step.email, verificationId: step.verificationId, emailCode, recoveryCode })}
        />
      );
    case 'password':
      return <PasswordStep step={step} onStep={setStep} />;
    case 'done':
      return <DoneStep email={step.email} secretKey={step.secretKey} signedOutSessions={step.signedOutSessions} />;
  }
}

function EmailStep({ onSent }: { onSent: (email: string, verificationId: string) => void }) {
  const { latchkey } = useApp();
  const [email, setEmail] = useState('');
  const { busy, error, run } = useAsyncAction({ session: false });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const { verificationId } = await latchkey.client.recovery.start(email.trim());
      onSent(email.trim(), verificationId);
    });
  };
  return (
    <main className="narrow">
      <PageHeading>Recover your account</PageHeading>
      <StepList current={0} />
      <p>You need your recovery code (or enough share cards) and access to your email. First, we email you a code to prove the address is yours.</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email address of your account" type="email" autoComplete="username" required value={email} onChange={setEmail} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Sending a code…' : undefined} />
        <button type="submit" disabled={busy}>
          Email me a code
        </button>
      </form>
      <p>
        <Link to="/">Back to sign in</Link>
      </p>
    </main>
  );
}

function StepList({ current }: { current: number }) {
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
function ResendButton({ email, onResent }: { email: string; onResent: (verificationId: string) => void }) {
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

const EMAIL_CODE_PATTERN = /^[0-9]{6,8}$/;

function EmailCodeStep({ step, onResent, onNext }: { step: Extract<Step, { kind: 'email-code' }>; onResent: (verificationId: string) => void; onNext: (emailCode: string) => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!EMAIL_CODE_PATTERN.test(code.trim())) return setError('The code from the email has 6 to 8 digits.');
    onNext(code.trim());
  };
  return (
    <main className="narrow">
      <PageHeading>Check your email</PageHeading>
      <StepList current={1} />
      <p>
        If <strong>{step.email}</strong> has a Latchkey account with a recovery code, we sent a code to it. Enter it below. It expires after a few minutes.
      </p>
      <form onSubmit={submit}>
        <Field label="Code from the email" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={setCode} hint="6 to 8 digits." />
        <ErrorMessage message={error ?? step.error} />
        <div className="actions">
          <button type="submit">Continue</button>
          <ResendButton email={step.email} onResent={onResent} />
        </div>
      </form>
    </main>
  );
}

function RecoveryCodeStep({ step, onResent, onBack, onNext }: { step: Extract<Step, { kind: 'recovery-code' }>; onResent: (verificationId: string) => void; onBack: () => void; onNext: (code: RecoveryCode, emailCode: string) => void }) {
  const [method, setMethod] = useState<'code' | 'shares'>('code');
  const [code, setCode] = useState('');
  const [shares, setShares] = useState<string[]>(['', '']);
  const [emailCode, setEmailCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const needsEmailCode = step.emailCode === undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (needsEmailCode && !EMAIL_CODE_PATTERN.test(emailCode.trim())) return setError('Enter the new code from the email: 6 to 8 digits.');
    setBusy(true);
    try {
      // Checked here, before any request: a typo or a wrong card is reported at once, naming the card.
      const given = shares.map((text, i) => ({ text, n: i + 1 })).filter((s) => s.text.trim() !== '');
      if (method === 'shares') {
        for (const share of given) {
          try {
            parseRecoveryShare(share.text);
          } catch (e) {
            setBusy(false);
            return setError(`Share card ${share.n}: ${describeInputError(e)}`);
          }
        }
      }
      const parsed = method === 'code' ? parseRecoveryCode(code) : await combineRecoveryShares(given.map((s) => s.text));
      onNext(parsed, step.emailCode ?? emailCode.trim());
    } catch (e) {
      setError(describeInputError(e));
      setBusy(false);
    }
  };

  return (
    <main className="narrow">
      <PageHeading>Enter your recovery code</PageHeading>
      <StepList current={2} />
      {step.notice ? (
        <p className="notice" role="status">
          {step.notice}
        </p>
      ) : null}
      <ErrorMessage message={step.error} />
      <form onSubmit={(e) => void submit(e)}>
        {needsEmailCode ? (
          <>
            <Field label="New code from the email" inputMode="numeric" autoComplete="one-time-code" required value={emailCode} onChange={setEmailCode} hint={`Sent to ${step.email}. Each try needs a new code.`} />
            <div className="actions">
              <ResendButton email={step.email} onResent={onResent} />
            </div>
          </>
        ) : null}
        <fieldset>
          <legend>What do you have?</legend>
          <label className="check">
            <input type="radio" name="method" checked={method === 'code'} onChange={() => setMethod('code')} /> My recovery code
          </label>
          <label className="check">
            <input type="radio" name="method" checked={method === 'shares'} onChange={() => setMethod('shares')} /> Share cards (the code was split among people I trust)
          </label>
        </fieldset>
        {method === 'code' ? (
          <Field
            label="Recovery code"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            required
            value={code}
            onChange={setCode}
            hint="From your Recovery Kit: R1- and 7 groups of 5 characters. Dashes, spaces and capitals do not matter. It is never sent to the server."
          />
        ) : (
          <div className="share-inputs">
            <p className="hint">Type or paste the text of each card (it starts with S1-). Each card says how many are needed.</p>
            {shares.map((share, i) => (
              <Field key={i} label={`Share card ${i + 1}`} multiline value={share} onChange={(v) => setShares(shares.map((s, j) => (j === i ? v : s)))} />
            ))}
            <div className="actions">
              <button type="button" className="secondary" onClick={() => setShares([...shares, ''])}>
                Add another card
              </button>
              {shares.length > 2 ? (
                <button type="button" className="link" onClick={() => setShares(shares.slice(0, -1))}>
                  Remove the last card
                </button>
              ) : null}
            </div>
          </div>
        )}
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Checking…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Continue
          </button>
          {!needsEmailCode ? (
            <button type="button" className="secondary" onClick={onBack} disabled={busy}>
              Back
            </button>
          ) : null}
        </div>
      </form>
    </main>
  );
}

function PasswordStep({ step, onStep }: { step: Extract<Step, { kind: 'password' }>; onStep: (step: Step) => void }) {
  const { latchkey } = useApp();
  const newPassword = useNewPassword();
  const { password } = newPassword;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(step.error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem);
    setBusy(true);
    try {
      const result = await latchkey.client.recovery.complete({ email: step.email, emailCode: step.emailCode, recoveryCode: step.recoveryCode, newPassword: password, verificationId: step.verificationId });
      newPassword.clear();
      onStep({ kind: 'done', email: step.email, secretKey: result.secretKey, signedOutSessions: result.signedOutSessions });
    } catch (e) {
      const code = errorCode(e);
      const base = { email: step.email, verificationId: step.verificationId };
      if (code !== undefined && EMAIL_CODE_ERRORS.has(code)) {
        onStep({ kind: 'email-code', ...base, error: describeError(e) });
      } else if (code !== undefined && RECOVERY_CODE_ERRORS.has(code)) {
        // The emailed code was used by this attempt: send a new one for the next try (not when locked).
        if (code === 'recovery_locked') return onStep({ kind: 'recovery-code', ...base, emailCode: step.emailCode, error: describeError(e) });
        const resent = await latchkey.client.recovery.start(step.email).catch(() => undefined);
        onStep({
          kind: 'recovery-code',
          ...(resent ? { email: step.email, verificationId: resent.verificationId } : base),
          emailCode: undefined,
          error: describeError(e),
          ...(resent ? { notice: `For your security each try needs a new email code. We sent one to ${step.email}.` } : {}),
        });
      } else {
        setError(e instanceof LatchkeyError ? describeInputError(e) : describeError(e));
        setBusy(false);
      }
    }
  };

  return (
    <main className="narrow">
      <PageHeading>Choose a new account password</PageHeading>
      <StepList current={3} />
      <p>
        Your recovery code is ready to use. Choose a new account password for <strong>{step.email}</strong>. This browser then makes a new Secret Key; the old password and Secret Key stop
        working, and every device is signed out.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <input type="email" autoComplete="username" value={step.email} readOnly hidden />
        <NewPasswordFields label="New account password" emptyHint="At least 8 characters." value={newPassword} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Recovering your account… making your new keys. This takes a few seconds.' : undefined} />
        <button type="submit" disabled={busy}>
          Recover my account
        </button>
      </form>
    </main>
  );
}

function DoneStep({ email, secretKey, signedOutSessions }: { email: string; secretKey: SecretKey; signedOutSessions: number }) {
  const { latchkey, navigate } = useApp();
  const [downloaded, setDownloaded] = useState(false);
  const [error, setError] = useState<string>();
  const download = async () => {
    setError(undefined);
    try {
      downloadFile(await createEmergencyKitPdf({ signInAddress: latchkey.server, email, secretKey }), 'Latchkey Emergency Kit.pdf', 'application/pdf');
      setDownloaded(true);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const sessions = signedOutSessions === 1 ? '1 session was' : `${signedOutSessions} sessions were`;
  return (
    <main className="narrow">
      <PageHeading>Your account is recovered</PageHeading>
      <p>You have a new account password and this new Secret Key:</p>
      <p className="secret-key" aria-label="New Secret Key">
        {secretKey}
      </p>
      <p>Your old Secret Key no longer works. Download your new Emergency Kit and print it or store it safely; throw away the old one.</p>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {downloaded ? 'Your browser is saving the Emergency Kit. Print it or store it safely.' : 'Nothing is saved until you press the download button.'}
      </p>
      <div className="explain">
        <p>
          <strong>Every session and device was signed out</strong> ({sessions} ended). Sign in again on each of them with your new password and new Secret Key. If you did not do this
          recovery, someone has your recovery code and access to your email: sign in and replace your recovery code at once.
        </p>
        <p>
          <strong>Your recovery code still works.</strong> It is reusable and stays valid after this recovery. After signing in, you may replace it on the Recovery code page.
        </p>
        <p>Two-step verification, if you use it, is still on and will be asked for when you sign in.</p>
      </div>
      <button type="button" className={downloaded ? '' : 'secondary'} onClick={() => navigate('/', { replace: true })}>
        Sign in with your new password
      </button>
    </main>
  );
}
