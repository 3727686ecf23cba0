/**
 * The new Secret Key, shown once after the change, with the new Emergency Kit as a download the
 * person asks for. The displayed copy lives only in this page's state.
 */
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { SecretKey } from '@latchkey/core/secret-key';
import { useApp } from '../../app-context.tsx';
import { downloadEmergencyKit } from '../../kits.ts';
import { ErrorMessage, PageHeading } from '../../components/ui.tsx';
import { useDownload } from '../../components/useDownload.ts';
import { otherSessionsText } from './other-sessions-text.ts';

export function NewSecretKey({
  account,
  secretKey,
  signedOutSessions,
  onDone,
}: {
  account: AccountProfile;
  secretKey: SecretKey;
  signedOutSessions: number;
  onDone: () => void;
}) {
  const { latchkey } = useApp();
  const {
    saved,
    error,
    run: download,
  } = useDownload(async () => {
    await downloadEmergencyKit({ signInAddress: latchkey.server, email: account.email, name: account.name, secretKey });
    return 'Your browser is saving the new Emergency Kit. Print it or store it safely.';
  });
  const downloaded = saved !== undefined;

  return (
    <main className="narrow account-page">
      <PageHeading>Your new Secret Key</PageHeading>
      <p className="notice" role="status">
        Secret Key changed; {otherSessionsText(signedOutSessions)}.
      </p>
      <p>This is your new Secret Key:</p>
      <p className="secret-key" role="note" aria-label="New Secret Key" data-testid="new-secret-key">
        {secretKey}
      </p>
      <div className="explain">
        <p>
          <strong>Your old Emergency Kit no longer works.</strong> Destroy printed copies and delete saved ones: the Secret Key on them is not accepted any
          more.
        </p>
        <p>
          <strong>When you need the new one:</strong> to sign in on any other device or browser. This browser remembers it, so here you only type your password.
        </p>
        <p>
          <strong>Keep it safe:</strong> download your new Emergency Kit and print it or store it somewhere only you can reach. Never write your password on a
          saved copy.
        </p>
      </div>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={() => void download()}>
          Download Emergency Kit (PDF)
        </button>
        <button type="button" className={downloaded ? '' : 'secondary'} onClick={onDone}>
          {downloaded ? 'Done' : 'Done without downloading'}
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved until you press the download button.'}
      </p>
    </main>
  );
}
