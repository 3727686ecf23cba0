/** Sign-up, step 1: the email address, where a code is sent. */
import { useState, type FormEvent } from 'react';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { browserSupportsWebAuthn } from '../../webauthn.ts';

/** How the new account is unlocked: an account password and Secret Key, or a passkey (§24.9). */
export type SignUpMethod = 'password' | 'passkey';

export function EmailStep({ onSent }: { onSent: (email: string, method: SignUpMethod) => void }) {
  const { latchkey, navigate } = useApp();
  const [email, setEmail] = useState('');
  const { busy, error, run } = useAsyncAction({ session: false });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Which of the two buttons sent the form.
    const method: SignUpMethod = ((event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value === 'passkey' ? 'passkey' : 'password';
    await run(
      async () => {
        await latchkey.client.signup.start(email.trim());
        onSent(email.trim(), method);
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
        <div className="actions">
          <button type="submit" value="password" disabled={busy}>
            Send me a code
          </button>
          {browserSupportsWebAuthn() ? (
            <button type="submit" value="passkey" className="secondary" disabled={busy}>
              Sign up with a passkey
            </button>
          ) : null}
        </div>
        <p className="hint">
          With a passkey you unlock with your fingerprint, face or device PIN on this browser, and there is no password to remember; you store a recovery code
          instead.
        </p>
      </form>
      <p>
        Already have an account?{' '}
        <a
          href="/signin"
          onClick={(e) => {
            e.preventDefault();
            navigate('/signin');
          }}
        >
          Sign in
        </a>
      </p>
    </main>
  );
}
