/**
 * Setting up or replacing the recovery code: re-authenticate → the code shown once → "I stored
 * it" → confirm by re-entering it → done. Until confirmation the new code is pending and does
 * not work; the previous code (if any) keeps working, so stopping changes nothing.
 */
import { useState } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { RecoveryCode } from '@latchkey/core/recovery-code';
import { useApp } from '../../app-context.tsx';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { PageHeading } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';
import { ShowCode } from './ShowCode.tsx';
import { ConfirmCode } from './ConfirmCode.tsx';

type SetupStep = { kind: 'reauth' } | { kind: 'show'; code: RecoveryCode } | { kind: 'confirm'; code: RecoveryCode } | { kind: 'done'; code: RecoveryCode };

export function Setup({
  account,
  hadActive: hadActiveAtStart,
  onCancel,
  onSplit,
  onFinish,
}: {
  account: AccountProfile;
  hadActive: boolean;
  onCancel: () => void;
  onSplit: (code: RecoveryCode) => void;
  onFinish: (notice?: string) => void;
}) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const [step, setStep] = useState<SetupStep>({ kind: 'reauth' });
  // Fixed when setup starts: the status changes under us (pending, then active).
  const [hadActive] = useState(hadActiveAtStart);
  const keepsOld = hadActive
    ? 'Until you confirm the new code, your current recovery code keeps working. If you stop now, nothing changes: your current code stays valid and the new one never works.'
    : 'The new code does not work until you confirm it. If you stop before confirming, you will still have no recovery code.';

  switch (step.kind) {
    case 'reauth':
      return (
        <main className="narrow recovery">
          <PageHeading>{hadActive ? 'Replace your recovery code' : 'Set up a recovery code'}</PageHeading>
          <ReauthenticateStep
            why={
              <p>
                <strong>Re-authenticate first:</strong> enter your account password. Then this browser makes a new recovery code and shows it once.{' '}
                {hadActive ? 'Your current code keeps working until you confirm the new one.' : ''}
              </p>
            }
            action="Continue"
            busyText="Checking your password and making a new code…"
            onCancel={onCancel}
            // With two-step verification on the server asks for a proof too; the step then asks for it.
            run={async ({ proof }) => {
              const created = await latchkey.client.recoveryCode.create(proof);
              set(created.status);
              setStep({ kind: 'show', code: created.recoveryCode });
            }}
          />
        </main>
      );
    case 'show':
      return (
        <ShowCode account={account} code={step.code} keepsOld={keepsOld} onStored={() => setStep({ kind: 'confirm', code: step.code })} onCancel={onCancel} />
      );
    case 'confirm':
      return (
        <ConfirmCode
          code={step.code}
          keepsOld={keepsOld}
          onBack={() => setStep({ kind: 'show', code: step.code })}
          onCancel={onCancel}
          onConfirmed={() => setStep({ kind: 'done', code: step.code })}
        />
      );
    case 'done':
      return (
        <main className="narrow recovery">
          <PageHeading>Your recovery code is ready</PageHeading>
          <p className="notice" role="status">
            Confirmed. This is now your recovery code{hadActive ? ' and your previous code no longer works' : ''}.
          </p>
          <p>It stays valid after you use it. You can check it here at any time, or split it into share cards for people you trust.</p>
          <div className="actions">
            <button type="button" onClick={() => onFinish('Your recovery code is set up and confirmed.')}>
              Done
            </button>
            <button type="button" className="secondary" onClick={() => onSplit(step.code)}>
              Split into shares
            </button>
          </div>
        </main>
      );
  }
}
