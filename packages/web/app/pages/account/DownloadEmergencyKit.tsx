/**
 * The Emergency Kit again, from Account (issue 15 item 8): after the account password, the SDK
 * hands back the kit's details with this browser's Secret Key, which the re-authentication has
 * just shown to be the current one, and the PDF is saved (the person's click). Nothing changes
 * on the account: the old kit, if it still exists, has the same Secret Key.
 */
import { useApp } from '../../app-context.tsx';
import { describeCredentialsChangeError } from '../../errors.ts';
import { downloadEmergencyKit } from '../../kits.ts';
import { PageHeading } from '../../components/ui.tsx';
import { ReauthenticateStep } from '../../components/ReauthenticateStep.tsx';

export function DownloadEmergencyKit({ onCancel, onSaved }: { onCancel: () => void; onSaved: () => void }) {
  const { latchkey } = useApp();
  return (
    <main className="narrow account-page">
      <PageHeading>Download your Emergency Kit</PageHeading>
      <div className="confirm">
        <ReauthenticateStep
          why={
            <>
              <p>
                A new copy of your Emergency Kit, with your current Secret Key: a PDF to print or store somewhere only you can reach. Your Secret Key does not
                change.
              </p>
              <p>Enter your account password first.</p>
            </>
          }
          action="Download Emergency Kit (PDF)"
          busyText="Making your Emergency Kit…"
          unlockFirst={false}
          describe={describeCredentialsChangeError}
          onCancel={onCancel}
          run={async ({ password }) => {
            await downloadEmergencyKit(await latchkey.client.account.emergencyKit(password));
            onSaved();
          }}
        />
      </div>
    </main>
  );
}
