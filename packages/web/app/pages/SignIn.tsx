/**
 * Sign-in. On a browser that knows the account (its Secret Key is remembered here) only the
 * account password is asked. On a new browser: email, Secret Key and password, where the
 * email and Secret Key can be filled from the Emergency Kit's setup code (pasted text, or a
 * scanned QR code's text).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { parseSecretKey } from '@latchkey/core/secret-key';
import { parseSetupCode } from '@latchkey/core/setup-code';
import { useApp } from '../app-context.tsx';
import { describeError, describeInputError, describeSecondFactorError } from '../errors.ts';
import { forgetAccount, knownAccounts } from '../latchkey.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../components/ui.tsx';
import { AccountPasswordField } from '../components/PasswordField.tsx';
import { isCancelled, useSecondFactorPrompt } from '../components/SecondFactorPrompt.tsx';

export function SignIn({ notice }: { notice?: string | undefined }) {
  const { latchkey } = useApp();
  const [known, setKnown] = useState<string[] | undefined>();
  const [chosen, setChosen] = useState<string | 'new'>();

  useEffect(() => {
    void knownAccounts(latchkey).then(setKnown, () => setKnown([]));
  }, [latchkey]);

  if (known === undefined) return <Progress text="Loading…" />;
  const email = chosen ?? known[0] ?? 'new';
  if (email === 'new' || !known.includes(email)) return <NewBrowserSignIn notice={notice} onBack={known.length > 0 ? () => setChosen(known[0]) : undefined} />;
  return (
    <KnownBrowserSignIn
      notice={notice}
      email={email}
      others={known.filter((e) => e !== email)}
      onChoose={setChosen}
      onForget={async () => {
        await forgetAccount(latchkey, email);
        setKnown(known.filter((e) => e !== email));
        setChosen(undefined);
      }}
    />
  );
}

function useSignIn() {
  const { latchkey, unlocked, navigate } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Two-step verification: the SDK asks for the second factor (again after a wrong code).
  const secondFactor = useSecondFactorPrompt();
  const run = async (params: { email: string; password: string; secretKey?: string }) => {
    setBusy(true);
    setError(undefined);
    let asked = false;
    try {
      const account = await latchkey.client.signIn({
        ...params,
        secondFactor: (methods) => {
          asked = true;
          return secondFactor.ask(methods);
        },
      });
      secondFactor.close();
      unlocked(account);
      navigate('/', { replace: true });
    } catch (e) {
      secondFactor.close();
      if (!isCancelled(e)) setError(asked ? `${describeSecondFactorError(e)} Sign in again to retry.` : describeError(e));
      setBusy(false);
    }
  };
  return { busy, error, setError, run, prompt: secondFactor.element };
}

function KnownBrowserSignIn({ email, others, notice, onChoose, onForget }: { email: string; others: string[]; notice?: string | undefined; onChoose: (email: string) => void; onForget: () => Promise<void> }) {
  const [password, setPassword] = useState('');
  const { busy, error, run, prompt } = useSignIn();
  if (prompt) return prompt;
  return (
    <main className="narrow">
      <PageHeading takeFocus={false}>Sign in to Latchkey</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      <p>
        Signing in as <strong>{email}</strong>. This browser remembers your Secret Key, so only your account password is needed.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run({ email, password });
        }}
      >
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <AccountPasswordField autoFocus value={password} onChange={setPassword} />
        <SignInButton busy={busy} error={error} />
      </form>
      <div className="actions small">
        {others.map((other) => (
          <button key={other} type="button" className="link" onClick={() => onChoose(other)}>
            Sign in as {other}
          </button>
        ))}
        <button type="button" className="link" onClick={() => onChoose('new')}>
          Use another account
        </button>
        <button type="button" className="link" onClick={() => void onForget()}>
          Forget {email} on this browser
        </button>
        <HelpLinks />
      </div>
    </main>
  );
}

function NewBrowserSignIn({ notice, onBack }: { notice?: string | undefined; onBack: (() => void) | undefined }) {
  const { latchkey } = useApp();
  const [email, setEmail] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [password, setPassword] = useState('');
  const [setupCode, setSetupCode] = useState('');
  const [setupMessage, setSetupMessage] = useState<string>();
  const { busy, error, setError, run, prompt } = useSignIn();

  const applySetupCode = () => {
    setSetupMessage(undefined);
    try {
      const details = parseSetupCode(setupCode);
      setEmail(details.email);
      setSecretKey(details.secretKey);
      setSetupCode('');
      const sameServer = new URL(details.server).origin === new URL(latchkey.server).origin;
      setSetupMessage(
        sameServer
          ? 'Filled in your email address and Secret Key. Now type your account password.'
          : `Filled in your email address and Secret Key. Note: this kit is for ${details.server}, not this server (${latchkey.server}). Sign in there if this is not the account you meant.`,
      );
    } catch (e) {
      setSetupMessage(describeInputError(e));
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      parseSecretKey(secretKey); // catches a typo before any request
    } catch (e) {
      setError(describeError(e));
      return;
    }
    void run({ email: email.trim(), password, secretKey });
  };

  if (prompt) return prompt;
  return (
    <main className="narrow">
      <PageHeading>Sign in to Latchkey</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      <p>This browser has not been used with your account yet. You need your Emergency Kit: it has your Secret Key.</p>
      <details className="setup-code">
        <summary>Fill in from your Emergency Kit's setup code</summary>
        <p className="hint">Scan the QR code on your Emergency Kit with your phone's camera app, copy the text it shows (it starts with “latchkey-setup:”), and paste it here.</p>
        <Field label="Setup code" value={setupCode} onChange={setSetupCode} autoComplete="off" spellCheck={false} />
        <button type="button" className="secondary" onClick={applySetupCode} disabled={setupCode.trim() === ''}>
          Use setup code
        </button>
        <p role="status" aria-live="polite" className="hint">
          {setupMessage}
        </p>
      </details>
      <form onSubmit={submit}>
        <Field label="Email address" type="email" autoComplete="username" required value={email} onChange={setEmail} />
        <Field
          label="Secret Key"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          value={secretKey}
          onChange={setSecretKey}
          hint="From your Emergency Kit. It starts with L1-. Spaces, dashes and capitals do not matter."
        />
        <AccountPasswordField value={password} onChange={setPassword} />
        <SignInButton busy={busy} error={error} />
      </form>
      <div className="actions small">
        {onBack ? (
          <button type="button" className="link" onClick={onBack}>
            Back to accounts on this browser
          </button>
        ) : null}
        <HelpLinks />
      </div>
    </main>
  );
}

/** The end of both sign-in forms: what went wrong, progress, and the button. */
function SignInButton({ busy, error }: { busy: boolean; error: string | undefined }) {
  return (
    <>
      <ErrorMessage message={error} />
      <Progress text={busy ? 'Signing in… deriving your keys.' : undefined} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </>
  );
}

/** Links for someone who cannot sign in here, or has no account yet. */
function HelpLinks() {
  const { navigate } = useApp();
  return (
    <>
      <a href="/signin-help" onClick={(e) => (e.preventDefault(), navigate('/signin-help'))}>
        Having trouble signing in?
      </a>
      <a href="/signup" onClick={(e) => (e.preventDefault(), navigate('/signup'))}>
        Create an account
      </a>
    </>
  );
}
