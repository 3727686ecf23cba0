/** Deleting the recovery code (and any unconfirmed new one): after re-authentication, it stops working at once. */
import { useApp } from '../../app-context.tsx';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { PageHeading } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

export function Delete({ onBack }: { onBack: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  return (
    <main className="narrow recovery">
      <PageHeading>Delete your recovery code</PageHeading>
      <div className="confirm">
        <p>
          Your recovery code (and any unconfirmed new one) <strong>stops working at once</strong>. Without a recovery code, if you forget your account password
          or lose your Secret Key, nobody can get you back into your account.
        </p>
        <ReauthenticateStep
          why={<p>Re-authenticate first: enter your account password to delete the code.</p>}
          action="Delete permanently"
          busyText="Checking your password…"
          danger
          onCancel={() => onBack()}
          // With two-step verification on the server asks for a proof too; the step then asks for it.
          run={async ({ proof }) => {
            set(await latchkey.client.recoveryCode.delete(proof));
            onBack('Your recovery code was deleted. It no longer works. Any printed copy can be destroyed.');
          }}
        />
      </div>
    </main>
  );
}
