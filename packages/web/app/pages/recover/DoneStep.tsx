/**
 * Recovery, the end: the new Secret Key and the Emergency Kit the person chooses to download.
 * Recovery does not sign in; this browser remembers the new Secret Key for the next sign-in.
 */
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { downloadEmergencyKit } from '../../kits.ts';
import { ErrorMessage, PageHeading } from '../../components/ui.tsx';
import { useDownload } from '../../components/useDownload.ts';

export function DoneStep({ email, secretKey, signedOutSessions }: { email: string; secretKey: SecretKey; signedOutSessions: number }) {
  const { latchkey, navigate } = useApp();
  const {
    saved,
    error,
    run: download,
  } = useDownload(async () => {
    await downloadEmergencyKit({ signInAddress: latchkey.server, email, secretKey });
    return 'Your browser is saving the Emergency Kit. Print it or store it safely.';
  });
  const sessions = signedOutSessions === 1 ? '1 session was' : `${signedOutSessions} sessions were`;
  return (
    <main className="narrow">
      <PageHeading>Your account is recovered</PageHeading>
      <p>You have a new account password and this new Secret Key:</p>
      <p className="secret-key" role="note" aria-label="New Secret Key">
        {secretKey}
      </p>
      <p>Your old Secret Key no longer works. Download your new Emergency Kit and print it or store it safely; throw away the old one.</p>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved until you press the download button.'}
      </p>
      <div className="explain">
        <p>
          <strong>Every session and device was signed out</strong> ({sessions} ended). Sign in again on each of them with your new password and new Secret Key.
          If you did not do this recovery, someone has your recovery code and access to your email: sign in and replace your recovery code at once.
        </p>
        <p>
          <strong>Your recovery code still works.</strong> It is reusable and stays valid after this recovery. After signing in, you may replace it on the
          Recovery code page.
        </p>
        <p>Two-step verification, if you use it, is still on and will be asked for when you sign in.</p>
      </div>
      <button type="button" className={saved !== undefined ? '' : 'secondary'} onClick={() => navigate('/', { replace: true })}>
        Sign in with your new password
      </button>
    </main>
  );
}
