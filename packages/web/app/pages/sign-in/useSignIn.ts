/**
 * Signing in through the SDK, shared by both sign-in forms: busy and error state, and the
 * two-step verification prompt the SDK asks for (again after a wrong code). `onWrongSecretKey`,
 * when given, takes `wrong_secret_key` instead of an error message (a remembered Secret Key that
 * was changed elsewhere: the form asks for the new one).
 */
import { useState } from 'react';
import type { TwoStepProof } from '@latchkey/client/client';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { useApp } from '../../app-context.tsx';
import { describeError, describePasskeyError, describeTwoStepError, errorCode } from '../../errors.ts';
import { browserDeviceKeys, rememberPasskeyAccount } from '../../platform/device-key.ts';
import { passkeyAuthenticator } from '../../webauthn.ts';
import { isCancelled, useTwoStepPrompt } from '../../components/TwoStepPrompt.tsx';
import { failingField, useFormError } from '../../components/form-error.ts';

export function useSignIn({ onWrongSecretKey }: { onWrongSecretKey?: (password: string) => void } = {}) {
  const { latchkey, unlocked, navigate } = useApp();
  const [busy, setBusy] = useState(false);
  const { error, errorId, setError, tie } = useFormError();
  const twoStep = useTwoStepPrompt();
  /** Signs in with `signIn`, answering the two-step prompt the SDK may ask for on the way. */
  const attempt = async (
    signIn: (twoStep: (methods: readonly string[]) => Promise<TwoStepProof>) => Promise<AccountProfile>,
    describe: (error: unknown) => string,
    onWrongKey?: () => void,
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
      if (!asked && onWrongKey && errorCode(e) === 'wrong_secret_key') return onWrongKey();
      if (!isCancelled(e)) setError(asked ? `${describeTwoStepError(e)} Sign in again to retry.` : describe(e), asked ? undefined : failingField(e));
      setBusy(false);
    }
  };
  const run = (params: { email: string; password: string; secretKey?: string }) =>
    attempt(
      (ask) => latchkey.client.signIn({ ...params, twoStep: ask }),
      describeError,
      onWrongSecretKey ? () => onWrongSecretKey(params.password) : undefined,
    );
  /** A passkey account on this browser: the passkey, then this browser's device key opens the bundle (§24.10). */
  const runPasskey = (email: string) =>
    attempt(async (ask) => {
      const account = await latchkey.client.unlockWithPasskey({ email, authenticator: passkeyAuthenticator, deviceKeys: browserDeviceKeys, twoStep: ask });
      await rememberPasskeyAccount(latchkey.server, email);
      return account;
    }, describePasskeyError);
  return { busy, error, errorId, setError, tie, run, runPasskey, prompt: twoStep.element };
}
