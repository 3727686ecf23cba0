/**
 * Sign-up with a passkey (docs/protocol.md §24.9), after the email step: the emailed code and
 * the person's name; then the recovery code, shown and typed back (the server refuses a passkey
 * account without one: it is the account's only self-service recovery); then the browser creates
 * the passkey (resident key, user verification required) and this browser's device key, and the
 * SDK makes the account. There is no account password and no Secret Key to keep.
 */
import { useRef, useState, type FormEvent } from 'react';
import { lastGroupOf, type RecoveryCode } from '@latchkey/core/recovery-code';
import { useApp } from '../../app-context.tsx';
import { describePasskeyError } from '../../errors.ts';
import { downloadRecoveryKit } from '../../kits.ts';
import { rememberPasskeyAccount, browserDeviceKeys } from '../../platform/device-key.ts';
import { passkeyAuthenticator } from '../../webauthn.ts';
import { CopyButton, ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useDownload } from '../../components/useDownload.ts';
import { useRecoveryCodeField } from '../../components/useCodeField.ts';

/** The SDK waits on this while the recovery code is shown: resolved with what was typed back. */
interface Pending {
  readonly code: RecoveryCode;
  readonly answer: (typed: string) => void;
}

export function PasskeySignUp({ email, onBack }: { email: string; onBack: () => void }) {
  const { latchkey, unlocked, navigate } = useApp();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [pending, setPending] = useState<Pending>();
  const typed = useRecoveryCodeField();
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ session: false, describe: describePasskeyError });
  const [creating, setCreating] = useState(false);
  // Past the code step the emailed code is spent: a failure after it needs a new code.
  const codeAccepted = useRef(false);
  const {
    saved,
    error: saveError,
    run: save,
  } = useDownload(async (as: 'pdf' | 'text') => {
    if (pending === undefined) return '';
    await downloadRecoveryKit({ email, signInAddress: latchkey.server, recoveryCode: pending.code }, as);
    return as === 'pdf'
      ? 'Your browser is saving the Recovery Kit PDF. Print it, then keep it with your important papers.'
      : 'Your browser is saving the Recovery Kit as a text file.';
  });

  const start = async (event: FormEvent) => {
    event.preventDefault();
    codeAccepted.current = false;
    await run(async () => {
      try {
        await latchkey.client.signUpWithPasskey({
          email,
          name: name.trim(),
          code: code.trim(),
          authenticator: passkeyAuthenticator,
          deviceKeys: browserDeviceKeys,
          // Shown here; the SDK creates the passkey and the account only once it is typed back.
          confirmRecoveryCode: (recoveryCode) => {
            codeAccepted.current = true;
            return new Promise<string>((answer) => setPending({ code: recoveryCode, answer }));
          },
        });
      } finally {
        setPending(undefined);
        setCreating(false);
      }
      await rememberPasskeyAccount(latchkey.server, email);
      const account = await latchkey.client.whoami();
      unlocked(account);
      navigate('/', { replace: true });
    });
  };

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    if (pending === undefined) return;
    setError(undefined);
    const parsed = typed.parsed((message) => setError(message, 'recoveryCode'));
    if (parsed === undefined) return;
    // Compared here first, so a typo costs nothing and says exactly what is wrong.
    if (parsed !== pending.code) return setError('That is not the code shown above. Check the copy you stored, character by character.', 'recoveryCode');
    setCreating(true);
    pending.answer(parsed);
  };

  if (pending !== undefined) {
    const last = lastGroupOf(pending.code);
    return (
      <main className="narrow recovery">
        <PageHeading>Store your recovery code</PageHeading>
        <p>
          Your account will have no password: you unlock it with a passkey on this browser.{' '}
          <strong>This recovery code is your only way back on your own</strong> if you lose this device or its passkey. Latchkey cannot reset it for you, and it
          is shown only this once.
        </p>
        <p className="secret-key recovery-code" data-testid="recovery-code">
          {pending.code.slice(0, pending.code.length - last.length)}
          <mark>{last}</mark>
        </p>
        <div className="actions">
          <CopyButton text={pending.code} what="Recovery code" />
          <button type="button" className="secondary" onClick={() => void save('text')}>
            Save as text file
          </button>
          <button type="button" className="secondary" onClick={() => void save('pdf')}>
            Print Recovery Kit (PDF)
          </button>
        </div>
        <p role="status" aria-live="polite" className="hint">
          {saved ?? 'Nothing is saved or printed unless you press one of these buttons.'}
        </p>
        <ErrorMessage message={saveError} />
        <form onSubmit={confirm}>
          <Field
            label="Type the recovery code back"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            required
            value={typed.text}
            {...tie('recoveryCode', typed.setText)}
            hint="From the copy you stored. Dashes, spaces and capitals do not matter."
          />
          <ErrorMessage message={error} id={errorId} />
          <Progress text={creating ? 'Creating your passkey and account… follow your browser’s prompt.' : undefined} />
          <div className="actions">
            <button type="submit" disabled={creating}>
              Create passkey and account
            </button>
          </div>
        </form>
      </main>
    );
  }

  return (
    <main className="narrow">
      <PageHeading>Check your email</PageHeading>
      <p>
        We sent a code to <strong>{email}</strong>. Enter it below with your name. Next you get a recovery code to store, then your browser creates a passkey
        for Latchkey: you unlock with it (fingerprint, face or device PIN) instead of a password.
      </p>
      <form onSubmit={(e) => void start(e)}>
        <Field
          label="Code from the email"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6,8}"
          required
          value={code}
          {...tie('code', setCode)}
          hint="6 to 8 digits."
        />
        <Field label="Your name" autoComplete="name" required maxLength={200} value={name} onChange={setName} />
        <ErrorMessage message={error} id={errorId}>
          {codeAccepted.current && !busy ? <p>Nothing was created. To try again, choose “Use a different email” and ask for a new code.</p> : null}
        </ErrorMessage>
        <Progress text={busy ? 'Checking the code…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Continue
          </button>
          <button type="button" className="secondary" onClick={onBack} disabled={busy}>
            Use a different email
          </button>
        </div>
      </form>
    </main>
  );
}
