/**
 * Sign-in on a new browser: email, Secret Key and password, where the email and Secret Key can
 * be filled from the Emergency Kit's setup code (pasted text, or a scanned QR code's text).
 * With `staleKey`, the same form on a browser whose remembered Secret Key was refused: "Enter
 * your new Secret Key", the email and the password already typed filled in; signing in with the
 * new key makes the browser remember it instead.
 */
import { useState, type FormEvent } from 'react';
import { parseSecretKey } from '@latchkey/core/secret-key';
import { parseSetupCode } from '@latchkey/core/setup-code';
import { useApp } from '../../app-context.tsx';
import { describeError, describeInputError } from '../../errors.ts';
import { Field, PageHeading } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { useSignIn } from './useSignIn.ts';
import { HelpLinks, SignInButton } from './SignInParts.tsx';

export function NewBrowserSignIn({
  notice,
  onBack,
  staleKey,
}: {
  notice?: string | undefined;
  onBack: (() => void) | undefined;
  staleKey?: { email: string; password: string } | undefined;
}) {
  const { latchkey } = useApp();
  const [email, setEmail] = useState(staleKey?.email ?? '');
  const [secretKey, setSecretKey] = useState('');
  const [password, setPassword] = useState(staleKey?.password ?? '');
  const [setupCode, setSetupCode] = useState('');
  const [setupMessage, setSetupMessage] = useState<string>();
  const { busy, error, errorId, setError, tie, run, runPasskey, prompt } = useSignIn();

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
      setError(describeError(e), 'secretKey');
      return;
    }
    void run({ email: email.trim(), password, secretKey });
  };

  if (prompt) return prompt;
  return (
    <main className="narrow">
      <PageHeading>{staleKey ? 'Enter your new Secret Key' : 'Sign in to Latchkey'}</PageHeading>
      {notice ? <p className="notice">{notice}</p> : null}
      {staleKey ? (
        <p className="notice" role="status">
          The Secret Key this browser remembers for <strong>{staleKey.email}</strong> no longer works: it was changed on another device, or the account was
          recovered. Enter the new Secret Key from your latest Emergency Kit (or fill it in from the kit's setup code). This browser then remembers the new one.
        </p>
      ) : (
        <p>This browser has not been used with your account yet. You need your Emergency Kit: it has your Secret Key.</p>
      )}
      <details className="setup-code">
        <summary>Fill in from your Emergency Kit's setup code</summary>
        <p className="hint">
          Scan the QR code on your Emergency Kit with your phone's camera app, copy the text it shows (it starts with “latchkey-setup:”), and paste it here.
        </p>
        <Field label="Setup code" value={setupCode} onChange={setSetupCode} autoComplete="off" spellCheck={false} />
        <button type="button" className="secondary" onClick={applySetupCode} disabled={setupCode.trim() === ''}>
          Use setup code
        </button>
        <p role="status" aria-live="polite" className="hint">
          {setupMessage}
        </p>
      </details>
      <form onSubmit={submit}>
        <Field label="Email address" type="email" autoComplete="username" required value={email} {...tie('email', setEmail)} />
        <Field
          label="Secret Key"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          value={secretKey}
          {...tie('secretKey', setSecretKey)}
          hint="From your Emergency Kit. It starts with L1-. Spaces, dashes and capitals do not matter."
        />
        <AccountPasswordField value={password} {...tie('password', setPassword)} />
        <SignInButton busy={busy} error={error} errorId={errorId} />
      </form>
      <p className="hint">A passkey account has no password: enter its email address above, then use your passkey on a device you trusted.</p>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => {
          setError(undefined);
          if (email.trim() === '') return setError('Enter your email address first.', 'email');
          void runPasskey(email.trim());
        }}
      >
        Use a passkey instead
      </button>
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
