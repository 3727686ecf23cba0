/**
 * Sign-up in three steps: the email address (we send a code), the code with name and account
 * password, then the new Secret Key with an explanation and an Emergency Kit the person
 * chooses to download. Nothing is saved to disk unless they press the button.
 */
import { useState, type FormEvent } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../app-context.tsx';
import { describeError } from '../errors.ts';
import { downloadEmergencyKit } from '../emergency-kit.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../components/ui.tsx';
import { NewPasswordFields } from '../components/NewPasswordFields.tsx';
import { useNewPassword } from '../components/useNewPassword.ts';
import { useAsyncAction } from '../components/useAsyncAction.ts';

type Step = { kind: 'email' } | { kind: 'details'; email: string } | { kind: 'secret-key'; email: string; name: string; secretKey: SecretKey; account: AccountProfile };

export function SignUp() {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  if (step.kind === 'email') return <EmailStep onSent={(email) => setStep({ kind: 'details', email })} />;
  if (step.kind === 'details') return <DetailsStep email={step.email} onBack={() => setStep({ kind: 'email' })} onCreated={(done) => setStep({ kind: 'secret-key', email: step.email, ...done })} />;
  return <SecretKeyStep email={step.email} name={step.name} secretKey={step.secretKey} account={step.account} />;
}

function EmailStep({ onSent }: { onSent: (email: string) => void }) {
  const { latchkey, navigate } = useApp();
  const [email, setEmail] = useState('');
  const { busy, error, run } = useAsyncAction({ session: false });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      async () => {
        await latchkey.client.signup.start(email.trim());
        onSent(email.trim());
      },
      { idleAfter: true },
    );
  };
  return (
    <main className="narrow">
      <PageHeading>Create your Latchkey account</PageHeading>
      <p>Everything you keep in Latchkey is encrypted in this browser before it is sent. First, we check your email address.</p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email address" type="email" autoComplete="email" required value={email} onChange={setEmail} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Sending a code…' : undefined} />
        <button type="submit" disabled={busy}>
          Send me a code
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <a href="/signin" onClick={(e) => (e.preventDefault(), navigate('/signin'))}>
          Sign in
        </a>
      </p>
    </main>
  );
}

function DetailsStep({ email, onBack, onCreated }: { email: string; onBack: () => void; onCreated: (done: { name: string; secretKey: SecretKey; account: AccountProfile }) => void }) {
  const { latchkey } = useApp();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const newPassword = useNewPassword();
  const { password } = newPassword;
  const { busy, error, setError, run } = useAsyncAction({ session: false });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem);
    await run(async () => {
      const { secretKey } = await latchkey.client.signup.complete({ email, name: name.trim(), code: code.trim(), password });
      const account = await latchkey.client.whoami();
      onCreated({ name: name.trim(), secretKey, account });
    });
  };

  return (
    <main className="narrow">
      <PageHeading>Check your email</PageHeading>
      <p>
        We sent a code to <strong>{email}</strong>. Enter it below, with your name and the account password you want to use.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Code from the email" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6,8}" required value={code} onChange={setCode} hint="6 to 8 digits." />
        <Field label="Your name" autoComplete="name" required maxLength={200} value={name} onChange={setName} />
        <NewPasswordFields label="Account password" emptyHint="At least 8 characters. Latchkey cannot reset it for you, so choose one you will remember." value={newPassword} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Creating your account and encryption keys… this takes a few seconds.' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Create account
          </button>
          <button type="button" className="secondary" onClick={onBack} disabled={busy}>
            Use a different email
          </button>
        </div>
      </form>
    </main>
  );
}

function SecretKeyStep({ email, name, secretKey, account }: { email: string; name: string; secretKey: SecretKey; account: AccountProfile }) {
  const { latchkey, unlocked, navigate } = useApp();
  const [downloaded, setDownloaded] = useState(false);
  const [error, setError] = useState<string>();

  const download = async () => {
    setError(undefined);
    try {
      await downloadEmergencyKit({ signInAddress: latchkey.server, email, name, secretKey });
      setDownloaded(true);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <main className="narrow">
      <PageHeading>Your Secret Key</PageHeading>
      <p>Your account is ready. This is your Secret Key:</p>
      <p className="secret-key" aria-label="Secret Key">
        {secretKey}
      </p>
      <div className="explain">
        <p>
          <strong>What it is:</strong> a long random key made in this browser. Together with your account password it encrypts everything in your account. Latchkey's server never sees it, so
          nobody can look it up or reset it for you.
        </p>
        <p>
          <strong>When you need it:</strong> to sign in on a new device or browser. This browser remembers it, so here you only type your password.
        </p>
        <p>
          <strong>Keep it safe:</strong> download your Emergency Kit, a PDF with your Secret Key and a setup code, and print it or store it somewhere only you can reach. Never write your
          password on a saved copy.
        </p>
      </div>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
        <button
          type="button"
          className={downloaded ? '' : 'secondary'}
          onClick={() => {
            unlocked(account);
            navigate('/', { replace: true });
          }}
        >
          Continue to my vault
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {downloaded ? 'Your browser is saving the Emergency Kit. Print it or store it safely.' : 'Nothing is saved until you press the download button.'}
      </p>
    </main>
  );
}
