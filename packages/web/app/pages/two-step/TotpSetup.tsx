/** Setting up the authenticator app: re-authenticate (and prove it is you if two-step is on) → scan → first code → backup codes. */
import { useState } from 'react';
import type { TwoStepStatus } from '@latchkey/core/wire/two-step';
import { useApp } from '../../app-context.tsx';
import { methodsOf } from './methods.ts';
import { GuardedPage } from './GuardedPage.tsx';
import { ScanAndConfirm } from './ScanAndConfirm.tsx';
import { drawQrCode, type DrawnQrCode } from './QrCode.tsx';
import { BackupCodesShown } from './BackupCodesShown.tsx';

type TotpStep = { kind: 'guard' } | { kind: 'scan'; secret: string; uri: string; qr: DrawnQrCode } | { kind: 'codes'; codes: string[] };

export function TotpSetup({
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
  const [step, setStep] = useState<TotpStep>({ kind: 'guard' });
  const done = 'The authenticator app is on. Sign-ins on new or signed-out devices will ask for its code.';
  switch (step.kind) {
    case 'guard':
      return (
        <GuardedPage
          title="Set up an authenticator app"
          why="Next you scan a QR code with the authenticator app on your phone and type the first code it shows."
          methods={methodsOf(status)}
          needsProof={status.enabled}
          action="Continue"
          onCancel={onCancel}
          run={async (proof) => {
            const setup = await latchkey.client.twoStep.enableTotp(proof);
            // Drawn before the step shows, so the QR code appears with its page.
            setStep({ kind: 'scan', ...setup, qr: await drawQrCode(setup.uri) });
          }}
        />
      );
    case 'scan':
      return (
        <ScanAndConfirm
          secret={step.secret}
          uri={step.uri}
          qr={step.qr}
          onCancel={onCancel}
          onConfirmed={(codes) => (codes.length > 0 ? setStep({ kind: 'codes', codes }) : onDone(done))}
        />
      );
    case 'codes':
      return <BackupCodesShown codes={step.codes} email={email} first onDone={() => onDone(done)} />;
  }
}
