/**
 * A page of its own for a change to two-step verification: its heading, then the
 * re-authentication step (the password, and a proof by an enrolled factor where the change
 * needs one, so a stolen unlocked session alone cannot weaken two-step verification).
 */
import type { ReactNode } from 'react';
import type { FactorProof } from '@latchkey/client/two-step';
import { describeTwoStepError } from '../../errors.ts';
import { PageHeading } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

export function GuardedPage({
  title,
  why,
  methods,
  needsProof,
  action,
  danger,
  onCancel,
  run,
}: {
  title: ReactNode;
  why: ReactNode;
  methods: readonly string[];
  needsProof: boolean;
  action: string;
  danger?: boolean;
  onCancel: () => void;
  run: (proof: FactorProof) => Promise<void>;
}) {
  return (
    <main className="narrow two-step">
      <PageHeading>{title}</PageHeading>
      <ReauthenticateStep
        why={
          <>
            <p>{why}</p>
            <p>
              <strong>Re-authenticate first:</strong> enter your account password.
            </p>
          </>
        }
        action={action}
        busyText="Checking your password…"
        danger={danger}
        proofMethods={needsProof ? methods : undefined}
        proofReason="Changing two-step verification needs your second step too"
        describe={describeTwoStepError}
        onCancel={onCancel}
        run={({ proof }) => run(proof)}
      />
    </main>
  );
}
