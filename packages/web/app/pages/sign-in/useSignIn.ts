/**
 * Signing in through the SDK, shared by both sign-in forms: busy and error state, and the
 * two-step verification prompt the SDK asks for (again after a wrong code).
 */
import { useState } from 'react';
import type { TwoStepProof } from '@latchkey/client/client';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { useApp } from '../../app-context.tsx';
import { describeError, describePasskeyError, describeTwoStepError } from '../../errors.ts';
import { browserDeviceKeys, rememberPasskeyAccount } from '../../platform/device-key.ts';
import { passkeyAuthenticator } from '../../webauthn.ts';
import { isCancelled, useTwoStepPrompt } from '../../components/TwoStepPrompt.tsx';
import { failingField, useFormError } from '../../components/form-error.ts';

export function useSignIn() {
  const { latchkey, unlocked, navigate } = useApp();
  const [busy, setBusy] = useState(false);
  const { error, errorId, setError, tie } = useFormError();
  const twoStep = useTwoStepPrompt();
  /** Signs in with `signIn`, answering the two-step prompt the SDK may ask for on the way. */
  const attempt = async (
    signIn: (twoStep: (methods: readonly string[]) => Promise<TwoStepProof>) => Promise<AccountProfile>,
    describe: (error: unknown) => string,
  ) => {
    setBusy(true);
    setError(undefined);
    let asked = false;
    try {
      const account = await signIn((methods) => {
        asked = true;
        return twoStep.ask(methods);
      });
      twoStep.close();
      unlocked(account);
      navigate('/', { replace: true });
    } catch (e) {
      twoStep.close();
      if (!isCancelled(e)) setError(asked ? `${describeTwoStepError(e)} Sign in again to retry.` : describe(e), asked ? undefined : failingField(e));
      setBusy(false);
    }
  };
  const run = (params: { email: string; password: string; secretKey?: string }) =>
    attempt((ask) => latchkey.client.signIn({ ...params, twoStep: ask }), describeError);
  /** A passkey account on this browser: the passkey, then this browser's device key opens the bundle (§24.10). */
  const runPasskey = (email: string) =>
    attempt(async (ask) => {
      const account = await latchkey.client.unlockWithPasskey({ email, authenticator: passkeyAuthenticator, deviceKeys: browserDeviceKeys, twoStep: ask });
      await rememberPasskeyAccount(latchkey.server, email);
      return account;
    }, describePasskeyError);
  return { busy, error, errorId, setError, tie, run, runPasskey, prompt: twoStep.element };
}
