/** New backup codes: after re-authentication and a proof, every old code stops working and the new ones are shown once. */
import { useState } from 'react';
import type { TwoStepStatus } from '@latchkey/core/wire/two-step';
import { useApp } from '../../app-context.tsx';
import { methodsOf } from './methods.ts';
import { GuardedPage } from './GuardedPage.tsx';
import { BackupCodesShown } from './BackupCodesShown.tsx';

export function Regenerate({
  status,
  email,
  onCancel,
  onDone,
}: {
  status: TwoStepStatus;
  email: string;
  onCancel: () => void;
  onDone: (notice?: string) => void;
}) {
  const { latchkey } = useApp();
  const [codes, setCodes] = useState<string[]>();
  if (codes !== undefined)
    return <BackupCodesShown codes={codes} email={email} first={false} onDone={() => onDone('New backup codes are ready. The old ones no longer work.')} />;
  return (
    <GuardedPage
      title="Create new backup codes"
      why="You get 10 new backup codes. Every old backup code stops working at once, used or not."
      methods={methodsOf(status)}
      needsProof
      action="Create new codes"
      onCancel={onCancel}
      run={async (proof) => setCodes(await latchkey.client.twoStep.regenerateBackupCodes(proof))}
    />
  );
}
