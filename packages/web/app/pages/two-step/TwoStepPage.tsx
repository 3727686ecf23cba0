/**
 * Two-step verification (docs/protocol.md §16): status; the authenticator app (re-authenticate → QR code,
 * `otpauth://` URI and the secret as text → first code → backup codes shown once → done);
 * security keys (register with a name, list, remove); backup codes (remaining count, a prompt
 * to regenerate when few remain, regenerate); turning the authenticator app off.
 *
 * Every change starts with the account password (the server wants an unlock within the last
 * few minutes). Removing a factor, turning the app off, and adding a factor while two-step
 * verification is on also need a proof by an enrolled factor (an app code, a backup code, or a
 * security key on a fresh challenge), so a stolen unlocked session alone cannot weaken it. The
 * TOTP secret and backup codes live only in this page's state while shown; they are saved only
 * when the person presses Download or Print.
 */
import { useEffect, useState } from 'react';
import type { TwoStepStatus } from '@latchkey/core/wire/two-step';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { methodsOf } from './methods.ts';
import { GuardedPage } from './GuardedPage.tsx';
import { Overview } from './Overview.tsx';
import { TotpSetup } from './TotpSetup.tsx';
import { AddSecurityKey } from './AddSecurityKey.tsx';
import { Regenerate } from './Regenerate.tsx';

export type Mode =
  | { kind: 'overview'; notice?: string }
  | { kind: 'totp-setup' }
  | { kind: 'totp-disable' }
  | { kind: 'key-add'; name: string }
  | { kind: 'key-remove'; id: string; name: string }
  | { kind: 'regenerate' };

export function TwoStepPage() {
  const { latchkey, phase, handleSignedOut } = useApp();
  const [status, setStatus] = useState<TwoStepStatus>();
  const [loadError, setLoadError] = useState<string>();
  const [mode, setMode] = useState<Mode>({ kind: 'overview' });

  const refresh = async () => {
    try {
      setStatus(await latchkey.client.twoStep.status());
      setLoadError(undefined);
    } catch (e) {
      if (!handleSignedOut(e)) setLoadError(describeError(e));
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once per SDK instance; `refresh` is a new function on every render.
  useEffect(() => {
    void refresh();
  }, [latchkey]);

  if (phase.kind !== 'unlocked') return null;
  const email = phase.account.email;
  const back = (notice?: string) => {
    setMode({ kind: 'overview', ...(notice ? { notice } : {}) });
    void refresh();
  };
  if (status === undefined) {
    return (
      <main className="narrow two-step">
        <PageHeading>Two-step verification</PageHeading>
        {loadError ? <ErrorMessage message={loadError} /> : <Progress text="Loading…" />}
      </main>
    );
  }

  switch (mode.kind) {
    case 'totp-setup':
      return <TotpSetup status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'totp-disable':
      return (
        <GuardedPage
          title="Turn off the authenticator app"
          why={
            status.securityKeys.length > 0
              ? 'Your security keys and backup codes keep working. Sign-ins will no longer accept codes from the app.'
              : 'This turns two-step verification off: signing in will need only your password and Secret Key, and your backup codes stop working.'
          }
          methods={methodsOf(status)}
          needsProof
          action="Turn off"
          danger
          onCancel={() => back()}
          run={async (proof) => {
            await latchkey.client.twoStep.disableTotp(proof);
            back('The authenticator app is turned off.');
          }}
        />
      );
    case 'key-add':
      return <AddSecurityKey name={mode.name} status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'key-remove':
      return (
        <GuardedPage
          title={<>Remove security key “{mode.name}”</>}
          why={
            status.totp || status.securityKeys.length > 1
              ? 'The key will no longer work for signing in.'
              : 'This is your only two-step method: removing it turns two-step verification off, and your backup codes stop working.'
          }
          methods={methodsOf(status)}
          needsProof
          action="Remove key"
          danger
          onCancel={() => back()}
          run={async (proof) => {
            await latchkey.client.twoStep.removeSecurityKey(mode.id, proof);
            back(`Security key “${mode.name}” was removed.`);
          }}
        />
      );
    case 'regenerate':
      return <Regenerate status={status} email={email} onCancel={() => back()} onDone={back} />;
    case 'overview':
      return <Overview status={status} notice={mode.notice} onMode={setMode} />;
  }
}
