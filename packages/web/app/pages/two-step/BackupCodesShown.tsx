/** Backup codes, shown once: Download (text) and Print (PDF), each only on a click, then "I saved them". */
import { useApp } from '../../app-context.tsx';
import { downloadBackupCodes } from '../../kits.ts';
import { CopyButton, ErrorMessage, PageHeading } from '../../components/ui.tsx';
import { useDownload } from '../../components/useDownload.ts';

export function BackupCodesShown({ codes, email, first, onDone }: { codes: string[]; email: string; first: boolean; onDone: () => void }) {
  const { latchkey } = useApp();
  const {
    saved,
    error,
    run: save,
  } = useDownload(async (as: 'pdf' | 'text') => {
    await downloadBackupCodes({ codes, email, signInAddress: latchkey.server }, as);
    return as === 'pdf'
      ? 'Your browser is saving a PDF of the backup codes. Open it and print it; delete the file afterwards if you do not want a copy on this device.'
      : 'Your browser is saving the backup codes as a text file. Keep it somewhere outside Latchkey.';
  });
  return (
    <main className="narrow two-step">
      <PageHeading>{first ? 'Save your backup codes' : 'Your new backup codes'}</PageHeading>
      <p>
        {first ? 'Two-step verification is on. ' : 'Your old backup codes no longer work. '}If you lose your phone or security key, each of these codes gets you
        in once. <strong>They are shown only this once.</strong>
      </p>
      <ol className="backup-codes mono" data-testid="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void save('text')}>
          Download
        </button>
        <button type="button" className="secondary" onClick={() => void save('pdf')}>
          Print (PDF)
        </button>
        <CopyButton text={codes.join('\n')} what="Backup codes" label="Copy" />
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved or printed unless you press one of these buttons.'}
      </p>
      <ErrorMessage message={error} />
      <div className="actions">
        <button type="button" onClick={onDone}>
          I saved my backup codes
        </button>
      </div>
    </main>
  );
}
