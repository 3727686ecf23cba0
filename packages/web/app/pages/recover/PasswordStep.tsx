/**
 * Recovery, step 4: reached only once the recovery code is proven. The new account password
 * goes to the grant, which makes the new Secret Key in this browser and sets both. A password
 * refused here (too short, not repeated) costs nothing: the grant stays usable.
 */
import type { FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';
import type { SecretKey } from '@latchkey/core/secret-key';
import type { RecoveryGrant } from '@latchkey/client/recovery-grant';
import { outcomeUnknown } from '@latchkey/client/http';
import { describeError, describeInputError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useNewPassword } from '../../components/useNewPassword.ts';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { StepList } from './RecoverParts.tsx';

/** The final request got no answer: the grant is spent, and the recovery may have happened. */
const UNKNOWN_OUTCOME =
  'The server did not answer the last step, so this browser cannot tell whether your account was recovered. Sign in with your new password on this browser: it remembers the new Secret Key it made. If that fails, start the recovery again.';

export function PasswordStep({
  grant,
  onDone,
  onGrantGone,
}: {
  grant: RecoveryGrant;
  onDone: (done: { secretKey: SecretKey; signedOutSessions: number }) => void;
  /** The grant is older than 30 minutes or was used: the recovery code must be proven again. */
  onGrantGone: () => void;
}) {
  const newPassword = useNewPassword({ userInputs: [grant.email] });
  const { password } = newPassword;
  const describe = (e: unknown) => (grant.spent && outcomeUnknown(e) ? UNKNOWN_OUTCOME : e instanceof LatchkeyError ? describeInputError(e) : describeError(e));
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ session: false, describe });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem, newPassword.problemField());
    await run(async () => {
      try {
        const result = await grant.setCredentials(password);
        newPassword.clear();
        onDone(result);
      } catch (e) {
        if (e instanceof LatchkeyError && e.code === 'code_expired' && !grant.spent) return onGrantGone();
        throw e;
      }
    });
  };

  return (
    <main className="narrow">
      <PageHeading>Choose a new account password</PageHeading>
      <StepList current={3} />
      <p>
        Your recovery code is right. Choose a new account password for <strong>{grant.email}</strong>. This browser then makes a new Secret Key; the old
        password and Secret Key stop working, and every device is signed out.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <input type="email" autoComplete="username" value={grant.email} readOnly hidden />
        <NewPasswordFields label="New account password" emptyHint={`At least ${MIN_PASSWORD_LENGTH} characters.`} value={newPassword} tie={tie} />
        <ErrorMessage message={error} id={errorId} />
        <Progress text={busy ? 'Recovering your account… making your new keys. This takes a few seconds.' : undefined} />
        <button type="submit" disabled={busy || grant.spent}>
          Recover my account
        </button>
      </form>
    </main>
  );
}
