/** The share cards just made: each saved as a PDF card or a text file only on a click, and forgotten when the page is left. */
import { useState } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { RecoveryShare } from '@latchkey/core/recovery-shares';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { downloadShareCard } from '../../kits.ts';
import { ErrorMessage } from '../../components/ui.tsx';

export function ShareCards({ account, shares, onDone }: { account: AccountProfile; shares: readonly RecoveryShare[]; onDone: () => void }) {
  const { latchkey } = useApp();
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<string>();
  const save = async (share: RecoveryShare, as: 'pdf' | 'text') => {
    setError(undefined);
    try {
      await downloadShareCard({ email: account.email, signInAddress: latchkey.server, share }, as);
      setSaved(`Your browser is saving share ${share.index} of ${share.total}.`);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <>
      <p className="notice">
        {shares.length} cards made; any {shares[0]?.threshold} of them rebuild your recovery code. Save each card and give it to a different person or keep it
        in a different place. Nothing is saved unless you press a button.
      </p>
      <ol className="share-list">
        {shares.map((share) => (
          <li key={share.index}>
            <div className="share-head">
              <strong>
                Share {share.index} of {share.total}
              </strong>
              <div className="actions">
                <button type="button" className="secondary" onClick={() => void save(share, 'pdf')} aria-label={`Download share ${share.index} card (PDF)`}>
                  Card (PDF)
                </button>
                <button type="button" className="secondary" onClick={() => void save(share, 'text')} aria-label={`Save share ${share.index} as text file`}>
                  Text file
                </button>
              </div>
            </div>
            <code className="share-text" data-testid="share-text">
              {share.text}
            </code>
          </li>
        ))}
      </ol>
      <p role="status" aria-live="polite" className="hint">
        {saved}
      </p>
      <ErrorMessage message={error} />
      <p className="hint">When you leave this page the cards are forgotten; making cards again gives a new set that does not mix with this one.</p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </>
  );
}
