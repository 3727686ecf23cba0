/** Adding a security key: re-authenticate (and prove it is you if two-step is on), then the browser's registration ceremony. */
import { useState } from 'react';
import type { TwoStepStatus } from '@latchkey/core/wire/two-step';
import { useApp } from '../../app-context.tsx';
import { registrationCeremony } from '../../webauthn.ts';
import { methodsOf } from './methods.ts';
import { GuardedPage } from './GuardedPage.tsx';
import { BackupCodesShown } from './BackupCodesShown.tsx';

export function AddSecurityKey({
  name,
  status,
  email,
  onCancel,
  onDone,
}: {
  name: string;
  status: TwoStepStatus;
  email: string;
  onCancel: () => void;
  onDone: (notice?: string) => void;
}) {
  const { latchkey } = useApp();
  const [codes, setCodes] = useState<string[]>();
  const done = `Security key “${name}” is added.`;
  if (codes !== undefined) return <BackupCodesShown codes={codes} email={email} first onDone={() => onDone(done)} />;
  return (
    <GuardedPage
      title={<>Add security key “{name}”</>}
      why="Next, your browser asks you to insert or touch your security key."
      methods={methodsOf(status)}
      needsProof={status.enabled}
      action="Continue"
      onCancel={onCancel}
      run={async (proof) => {
        const added = await latchkey.client.twoStep.registerSecurityKey(name, registrationCeremony, proof);
        if (added.backupCodes.length > 0) setCodes(added.backupCodes);
        else onDone(done);
      }}
    />
  );
}
