/**
 * Recovery, step 2: the emailed code, checked by the server here (docs/protocol.md §14.5), so a
 * wrong code is reported on this step and the person never types a recovery code for nothing.
 * A right code gives the ticket the next step proves the recovery code with.
 */
import { useState, type FormEvent } from 'react';
import type { RecoveryTicket } from '@latchkey/client/recovery';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { ResendButton, StepList } from './RecoverParts.tsx';

const EMAIL_CODE_PATTERN = /^[0-9]{6,8}$/;

export function EmailCodeStep({
  email,
  verificationId,
  notice,
  onResent,
  onVerified,
}: {
  email: string;
  verificationId: string;
  /** Why the person is (back) here, e.g. an email check that expired. */
  notice: string | undefined;
  onResent: (verificationId: string) => void;
  onVerified: (ticket: RecoveryTicket) => void;
}) {
  const { latchkey } = useApp();
  const [code, setCode] = useState('');
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ session: false });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!EMAIL_CODE_PATTERN.test(code.trim())) return setError('The code from the email has 6 to 8 digits.', 'code');
    await run(async () => onVerified(await latchkey.client.recovery.verifyEmail({ email, emailCode: code.trim(), verificationId })));
  };
  return (
    <main className="narrow">
      <PageHeading>Check your email</PageHeading>
      <StepList current={1} />
      <p>
        If <strong>{email}</strong> has a Latchkey account with a recovery code, we sent a code to it. Enter it below. It expires after a few minutes.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field
          label="Code from the email"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          value={code}
          {...tie('code', setCode)}
          hint="6 to 8 digits."
        />
        <ErrorMessage message={error ?? notice} id={errorId} />
        <Progress text={busy ? 'Checking the code…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Continue
          </button>
          <ResendButton email={email} onResent={onResent} />
        </div>
      </form>
    </main>
  );
}
