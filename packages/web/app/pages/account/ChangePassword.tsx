/**
 * Changing the account password: the current one (it re-authenticates: the SDK unlocks with it
 * before re-wrapping the same keyset) and the new one twice, in one form. With two-step
 * verification on, the server also wants a proof by an enrolled factor: the page then asks for
 * it and sends the change again. Every other session is signed out.
 */
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import type { FactorProof } from '@latchkey/client/two-step';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { authenticationCeremony } from '../../webauthn.ts';
import { TwoStepForm, proofMethodsText, type Choice } from '../../components/TwoStepPrompt.tsx';
import { describeCredentialsChangeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { AccountPasswordField } from '../../components/PasswordField.tsx';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useNewPassword } from '../../components/useNewPassword.ts';

export function ChangePassword({ onCancel, onChanged }: { onCancel: () => void; onChanged: (signedOutSessions: number) => void }) {
  const { latchkey, phase } = useApp();
  const [current, setCurrent] = useState('');
  const newPassword = useNewPassword({ userInputs: phase.kind === 'unlocked' ? [phase.account.email, phase.account.name] : [] });
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ describe: describeCredentialsChangeError });
  /** Set once the server asked for a two-step proof: the methods it accepts. */
  const [proofMethods, setProofMethods] = useState<readonly string[]>();

  const change = (proof: () => Promise<FactorProof>) =>
    run(
      async () => {
        try {
          const { signedOutSessions } = await latchkey.client.account.changePassword(current, newPassword.password, await proof());
          setCurrent('');
          newPassword.clear();
          onChanged(signedOutSessions);
        } catch (e) {
          const methods = e instanceof LatchkeyError && e.code === 'second_factor_required' ? e.details?.methods : undefined;
          if (proofMethods === undefined && Array.isArray(methods) && methods.length > 0)
            return setProofMethods(methods.filter((m): m is string => typeof m === 'string'));
          throw e;
        }
      },
      { idleAfter: true },
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = newPassword.problem();
    if (problem !== undefined) return setError(problem, newPassword.problemField());
    if (newPassword.password === current) return setError('The new password is the same as your current one. Choose a different password.', 'newPassword');
    await change(async () => ({}));
  };

  const submitProof = (choice: Choice) =>
    // A security key signs a fresh challenge for this change; codes go as typed.
    change(async () => ('securityKey' in choice ? latchkey.client.twoStep.securityKeyProof(authenticationCeremony) : choice));

  if (proofMethods !== undefined) {
    return (
      <main className="narrow account-page">
        <PageHeading>Change account password</PageHeading>
        <TwoStepForm
          methods={proofMethods}
          headingLevel={2}
          title="Prove it is you"
          intro={`Two-step verification is on, so changing your password needs your second step too: ${proofMethodsText(proofMethods)}.`}
          busy={busy}
          busyText="Changing your password…"
          error={error}
          onSubmit={(choice) => void submitProof(choice)}
          onCancel={onCancel}
        />
      </main>
    );
  }

  return (
    <main className="narrow account-page">
      <PageHeading>Change account password</PageHeading>
      <p>Re-authenticate first: enter your current account password, then choose the new one. Every other device is signed out and needs the new password.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Change account password">
        <AccountPasswordField autoFocus value={current} {...tie('password', setCurrent)} hint="Your current password." />
        <NewPasswordFields
          label="New account password"
          emptyHint={`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words are easy to remember and hard to guess.`}
          value={newPassword}
          tie={tie}
        />
        <ErrorMessage message={error} id={errorId} />
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
