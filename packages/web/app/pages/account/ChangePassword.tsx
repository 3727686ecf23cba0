/**
 * Changing the account password: the current one (it re-authenticates: the SDK unlocks with it
 * before re-wrapping the same keyset) and the new one twice, in one form. Every other session
 * is signed out.
 */
import { useState, type FormEvent } from 'react';
import { useApp } from '../../app-context.tsx';
import { describeCredentialsChangeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useNewPassword } from '../../components/useNewPassword.ts';

export function ChangePassword({ onCancel, onChanged }: { onCancel: () => void; onChanged: (signedOutSessions: number) => void }) {
  const { latchkey } = useApp();
  const [current, setCurrent] = useState('');
  const newPassword = useNewPassword();
  const { busy, error, setError, run } = useAsyncAction({ describe: describeCredentialsChangeError });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem);
    if (newPassword.password === current) return setError('The new password is the same as your current one. Choose a different password.');
    await run(async () => {
      const { signedOutSessions } = await latchkey.client.account.changePassword(current, newPassword.password);
      setCurrent('');
      newPassword.clear();
      onChanged(signedOutSessions);
    });
  };

  return (
    <main className="narrow account-page">
      <PageHeading>Change account password</PageHeading>
      <p>Re-authenticate first: enter your current account password, then choose the new one. Every other device is signed out and needs the new password.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Change account password">
        <AccountPasswordField autoFocus value={current} onChange={setCurrent} hint="Your current password." />
        <NewPasswordFields label="New account password" emptyHint="At least 8 characters. A few unrelated words are easy to remember and hard to guess." value={newPassword} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Changing your password…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Change password
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </main>
  );
}
