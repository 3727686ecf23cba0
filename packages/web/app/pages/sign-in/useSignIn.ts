/**
 * Signing in through the SDK, shared by both sign-in forms: busy and error state, and the
 * two-step verification prompt the SDK asks for (again after a wrong code).
 */
import { useState } from 'react';
import { useApp } from '../../app-context.tsx';
import { describeError, describeTwoStepError } from '../../errors.ts';
import { isCancelled, useTwoStepPrompt } from '../../components/TwoStepPrompt.tsx';
import { failingField, useFormError } from '../../components/form-error.ts';

export function useSignIn() {
  const { latchkey, unlocked, navigate } = useApp();
  const [busy, setBusy] = useState(false);
  const { error, errorId, setError, tie } = useFormError();
  const twoStep = useTwoStepPrompt();
  const run = async (params: { email: string; password: string; secretKey?: string }) => {
    setBusy(true);
    setError(undefined);
    let asked = false;
    try {
      const account = await latchkey.client.signIn({
        ...params,
        twoStep: (methods) => {
          asked = true;
          return twoStep.ask(methods);
        },
      });
      twoStep.close();
      unlocked(account);
      navigate('/', { replace: true });
    } catch (e) {
      twoStep.close();
      if (!isCancelled(e)) setError(asked ? `${describeTwoStepError(e)} Sign in again to retry.` : describeError(e), asked ? undefined : failingField(e));
      setBusy(false);
    }
  };
  return { busy, error, errorId, setError, tie, run, prompt: twoStep.element };
}
