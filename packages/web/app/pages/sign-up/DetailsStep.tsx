/** Sign-up, step 2: the emailed code, the person's name and the account password they choose. */
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useNewPassword } from '../../components/useNewPassword.ts';
import { useAsyncAction } from '../../components/useAsyncAction.ts';

export function DetailsStep({
  email,
  onBack,
  onCreated,
}: {
  email: string;
  onBack: () => void;
  onCreated: (done: { name: string; secretKey: SecretKey; account: AccountProfile }) => void;
}) {
  const { latchkey } = useApp();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const newPassword = useNewPassword({ userInputs: [email, name] });
  const { password } = newPassword;
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ session: false });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem, newPassword.problemField());
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
        <NewPasswordFields
          label="Account password"
          emptyHint={`At least ${MIN_PASSWORD_LENGTH} characters. Latchkey cannot reset it for you, so choose one you will remember.`}
          value={newPassword}
          tie={tie}
        />
        <ErrorMessage message={error} id={errorId} />
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
