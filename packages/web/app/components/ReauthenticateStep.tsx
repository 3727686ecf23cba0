/**
 * "Re-authenticate first": the one step before every sensitive change while signed in. The
 * account password proves the owner is at the keyboard (the server wants a fresh unlock);
 * where the change also needs a proof by an enrolled two-step method (an app code, a backup code,
 * or a security key on a fresh challenge), that is asked next; then the change runs.
 *
 * When the server asks again (`reauthentication_required`, `second_factor_required` with the
 * methods it accepts), the step moves back to the password or on to the proof, so a change
 * that the server guards more strictly than the page expected still completes. After a wrong
 * code it stays on the proof step. The password lives in this step's state only until the
 * change is made (or, when the SDK unlocks first, until the unlock).
 */
import { useState, type ReactNode } from 'react';
import type { FactorProof } from '@latchkey/client/two-step';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../app-context.tsx';
import { describeError } from '../errors.ts';
import { authenticationCeremony } from '../webauthn.ts';
import { ErrorMessage, Progress } from './ui.tsx';
import { AccountPasswordField } from './PasswordField.tsx';
import { failingField, useFormError } from './form-error.ts';
import { TwoStepForm, proofMethodsText, type Choice } from './TwoStepPrompt.tsx';

/** Account passwords were never shorter (8 characters until the rule became 10, protocol.md §9: older accounts may still have 8 or 9). */
const SHORTEST_ACCOUNT_PASSWORD = 8;

export interface ReauthenticateStepProps {
  /** Why the password is asked, shown above the field. */
  why: ReactNode;
  /** The button that makes the change ("Continue" is shown instead while a proof step follows). */
  action: string;
  busyText: string;
  danger?: boolean | undefined;
  /**
   * The account's two-step methods when the change needs a proof up front. Without them a
   * proof is asked only if the server asks for one.
   */
  proofMethods?: readonly string[] | undefined;
  /** What the proof step says about the change, before the methods it lists. */
  proofReason?: string | undefined;
  /**
   * `true` (default): the SDK unlocks with the password, then `run` makes the change. `false`:
   * `run` gets the password and re-authenticates with it itself (e.g. changing the Secret Key,
   * which derives the new keys from it), so the keys are derived once.
   */
  unlockFirst?: boolean | undefined;
  /** Words for a failure of the change; `describeError` unless given. */
  describe?: ((error: unknown) => string) | undefined;
  onCancel: () => void;
  /** Makes the change. `password` is empty unless `unlockFirst` is false; `proof` is `{}` when none was asked. */
  run: (credentials: { password: string; proof: FactorProof }) => Promise<void>;
}

export function ReauthenticateStep({
  why,
  action,
  busyText,
  danger,
  proofMethods,
  proofReason,
  unlockFirst = true,
  describe = describeError,
  onCancel,
  run,
}: ReauthenticateStepProps) {
  const { latchkey, handleSignedOut } = useApp();
  const [stage, setStage] = useState<'password' | 'proof'>('password');
  const [methods, setMethods] = useState<readonly string[]>(proofMethods ?? []);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const { error, errorId, setError, tie } = useFormError();
  // Asked right after the password when the change needs a proof and the account has a method.
  const proofFirst = proofMethods !== undefined && methods.length > 0;

  /** Runs the change; on failure moves to the step the server asks for and says why. */
  const attempt = async (proof: FactorProof | undefined) => {
    try {
      await run({ password: unlockFirst ? '' : password, proof: proof ?? {} });
      setPassword('');
    } catch (e) {
      setBusy(false);
      if (handleSignedOut(e)) return;
      const code = e instanceof LatchkeyError ? e.code : undefined;
      if (code === 'reauthentication_required') {
        setStage('password');
        setError(describe(e));
      } else if (code === 'second_factor_required') {
        const given = (e as LatchkeyError).details?.methods;
        if (Array.isArray(given) && given.length > 0) setMethods(given.filter((m): m is string => typeof m === 'string'));
        setStage('proof');
        setError(proof === undefined ? undefined : describe(e));
      } else if (code === 'invalid_code' && proof?.securityKey !== undefined) {
        setError('Your security key was not accepted. Make sure it is a key you registered with this account, then try again.');
      } else {
        setError(describe(e), stage === 'password' ? failingField(e) : undefined);
      }
    }
  };

  const submitPassword = async () => {
    setError(undefined);
    // Sign-up never accepts a shorter password, so a shorter one cannot be the current one.
    if (password.length < SHORTEST_ACCOUNT_PASSWORD) {
      return setError(`That is not your current account password: account passwords have at least ${SHORTEST_ACCOUNT_PASSWORD} characters.`, 'password');
    }
    setBusy(true);
    if (unlockFirst) {
      try {
        await latchkey.client.unlock(password);
        setPassword('');
      } catch (e) {
        setBusy(false);
        if (!handleSignedOut(e)) setError(describeError(e), failingField(e));
        return;
      }
    }
    if (proofFirst) {
      setStage('proof');
      setBusy(false);
    } else {
      await attempt(undefined);
    }
  };

  const submitProof = async (choice: Choice) => {
    setBusy(true);
    setError(undefined);
    if (!('securityKey' in choice)) return attempt(choice);
    let proof: FactorProof;
    try {
      // A fresh challenge for this change; the browser binds the assertion to this origin.
      proof = await latchkey.client.twoStep.securityKeyProof(authenticationCeremony);
    } catch (e) {
      setBusy(false);
      if (!handleSignedOut(e)) setError(describe(e));
      return;
    }
    await attempt(proof);
  };

  if (stage === 'proof') {
    return (
      <TwoStepForm
        methods={methods}
        headingLevel={2}
        title="Prove it is you"
        intro={`${proofReason ?? 'This change needs your second step too'}: ${proofMethodsText(methods)}.`}
        busy={busy}
        busyText="Checking and saving…"
        error={error}
        onSubmit={(choice) => void submitProof(choice)}
        onCancel={onCancel}
      />
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submitPassword();
      }}
      aria-label="Re-authenticate"
    >
      {why}
      <AccountPasswordField autoFocus value={password} {...tie('password', setPassword)} />
      <ErrorMessage message={error} id={errorId} />
      <Progress text={busy ? busyText : undefined} />
      <div className="actions">
        <button type="submit" className={danger ? 'danger' : ''} disabled={busy}>
          {proofFirst ? 'Continue' : action}
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
