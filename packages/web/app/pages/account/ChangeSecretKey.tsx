/**
 * Changing the Secret Key: re-authenticate with the account password (the SDK derives the new
 * keys from it, so it unlocks inside the change), then the new key is shown once. Every other
 * session is signed out.
 */
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { describeCredentialsChangeError } from '../../errors.ts';
import { PageHeading } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

export function ChangeSecretKey({ onCancel, onChanged }: { onCancel: () => void; onChanged: (secretKey: SecretKey, signedOutSessions: number) => void }) {
  const { latchkey } = useApp();
  return (
    <main className="narrow account-page">
      <PageHeading>Change Secret Key</PageHeading>
      <div className="confirm">
        <ReauthenticateStep
          why={
            <>
              <p>
                This browser makes a new Secret Key. <strong>Your current Emergency Kit stops working at once</strong>, and every other device is signed out and
                needs the new Secret Key. Your password, items and vaults stay the same.
              </p>
              <p>Re-authenticate first: enter your account password.</p>
            </>
          }
          action="Change Secret Key"
          busyText="Making your new Secret Key…"
          danger
          unlockFirst={false}
          describe={describeCredentialsChangeError}
          onCancel={onCancel}
          // With two-step verification on the server asks for a proof too; the step then asks for it.
          run={async ({ password, proof }) => {
            const { secretKey, signedOutSessions } = await latchkey.client.account.changeSecretKey(password, proof);
            onChanged(secretKey, signedOutSessions);
          }}
        />
      </div>
    </main>
  );
}
