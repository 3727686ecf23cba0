/** Recovery, step 1: the account's email address, where a code is sent. */
import { useState, type FormEvent } from 'react';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { AppLink, StepList } from './RecoverParts.tsx';

export function EmailStep({ onSent }: { onSent: (email: string, verificationId: string) => void }) {
  const { latchkey } = useApp();
  const [email, setEmail] = useState('');
  const { busy, error, errorId, tie, run } = useAsyncAction({ session: false });
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
        <Field label="Email address of your account" type="email" autoComplete="username" required value={email} {...tie('email', setEmail)} />
        <ErrorMessage message={error} id={errorId} />
        <Progress text={busy ? 'Sending a code…' : undefined} />
        <button type="submit" disabled={busy}>
          Email me a code
        </button>
      </form>
      <p>
        <AppLink to="/">Back to sign in</AppLink>
      </p>
    </main>
  );
}
