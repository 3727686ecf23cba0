/**
 * Sign-up, step 3: the new Secret Key with an explanation, and the Emergency Kit the person
 * chooses to download. Nothing is saved to disk unless they press the button. Leaving before
 * the kit was downloaded asks once (useLeaveGuard.ts): the Secret Key is shown only here.
 */
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { downloadEmergencyKit } from '../../kits.ts';
import { CopyButton, ErrorMessage, PageHeading } from '../../components/ui.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { useLeaveGuard } from '../../components/useLeaveGuard.ts';

const LEAVE_WITHOUT_KIT =
  'You have not downloaded your Emergency Kit. Without it (or your Secret Key written down) you cannot sign in on another device. Leave anyway?';

export function SecretKeyStep({ email, name, secretKey, account }: { email: string; name: string; secretKey: SecretKey; account: AccountProfile }) {
  const { latchkey, unlocked, navigate } = useApp();
  const {
    saved,
    error,
    run: download,
  } = useDownload(async () => {
    await downloadEmergencyKit({ signInAddress: latchkey.server, email, name, secretKey });
    return 'Your browser is saving the Emergency Kit. Print it or store it safely.';
  });
  const downloaded = saved !== undefined;
  const mayLeave = useLeaveGuard(!downloaded, LEAVE_WITHOUT_KIT);

  return (
    <main className="narrow">
      <PageHeading>Your Secret Key</PageHeading>
      <p>Your account is ready. This is your Secret Key:</p>
      <p className="secret-key" role="note" aria-label="Secret Key">
        {secretKey}
      </p>
      <p>
        <CopyButton text={secretKey} what="Secret Key" label="Copy Secret Key" />
      </p>
      <div className="explain">
        <p>
          <strong>What it is:</strong> a long random key made in this browser. Together with your account password it encrypts everything in your account.
          Latchkey's server never sees it, so nobody can look it up or reset it for you.
        </p>
        <p>
          <strong>When you need it:</strong> to sign in on a new device or browser. This browser remembers it, so here you only type your password.
        </p>
        <p>
          <strong>Keep it safe:</strong> download your Emergency Kit, a PDF with your Secret Key and a setup code, and print it or store it somewhere only you
          can reach. Never write your password on a saved copy.
        </p>
      </div>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
        <button
          type="button"
          className={downloaded ? '' : 'secondary'}
          onClick={() => {
            if (!mayLeave()) return;
            unlocked(account);
            navigate('/', { replace: true });
          }}
        >
          Continue to my vault
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved until you press the download button.'}
      </p>
    </main>
  );
}
