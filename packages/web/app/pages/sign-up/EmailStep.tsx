/** Sign-up, step 1: the email address, where a code is sent. */
import { useState, type FormEvent } from 'react';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';

export function EmailStep({ onSent }: { onSent: (email: string) => void }) {
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
