/**
 * The new recovery code, shown once: copy, save as text, print the Recovery Kit (each only on
 * a click), then "I stored it". The last group is highlighted: the kit prints it on its own.
 */
import type { AccountProfile } from '@latchkey/core/wire/auth';
import { lastGroupOf, type RecoveryCode } from '@latchkey/core/recovery-code';
import { useApp } from '../../app-context.tsx';
import { downloadRecoveryKit } from '../../kits.ts';
import { CopyButton, ErrorMessage, PageHeading } from '../../components/ui.tsx';
import { useDownload } from '../../components/useDownload.ts';

function CodeDisplay({ code }: { code: RecoveryCode }) {
  const last = lastGroupOf(code);
  return (
    <p className="secret-key recovery-code" data-testid="recovery-code">
      {code.slice(0, code.length - last.length)}
      <mark>{last}</mark>
    </p>
  );
}

export function ShowCode({
  account,
  code,
  keepsOld,
  onStored,
  onCancel,
}: {
  account: AccountProfile;
  code: RecoveryCode;
  keepsOld: string;
  onStored: () => void;
  onCancel: () => void;
}) {
  const { latchkey } = useApp();
  const {
    saved,
    error,
    run: save,
  } = useDownload(async (as: 'pdf' | 'text') => {
    await downloadRecoveryKit({ email: account.email, signInAddress: latchkey.server, recoveryCode: code }, as);
    return as === 'pdf'
      ? 'Your browser is saving the Recovery Kit PDF. Open it and print it; delete the file afterwards if you do not want a copy on this device.'
      : 'Your browser is saving the Recovery Kit as a text file. Keep it somewhere outside Latchkey.';
  });
  return (
    <main className="narrow recovery">
      <PageHeading>Store your recovery code</PageHeading>
      <p>
        This is your new recovery code. <strong>It is shown only this once</strong>: Latchkey does not keep a copy it could show you again.
      </p>
      <CodeDisplay code={code} />
      <p className="hint">You can select and copy the text. The last group is highlighted: the Recovery Kit prints it on its own too.</p>
      <div className="actions">
        <CopyButton text={code} what="Recovery code" />
        <button type="button" className="secondary" onClick={() => void save('text')}>
          Save as text file
        </button>
        <button type="button" className="secondary" onClick={() => void save('pdf')}>
          Print Recovery Kit (PDF)
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {saved ?? 'Nothing is saved or printed unless you press one of these buttons.'}
      </p>
      <ErrorMessage message={error} />
      <div className="explain">
        <p>
          <strong>Where to keep it:</strong> print the Recovery Kit, or write the code down, and keep it with your important papers. Do not keep it inside
          Latchkey: you need it exactly when you cannot get in.
        </p>
        <p>
          <strong>Not working yet:</strong> {keepsOld}
        </p>
      </div>
      <div className="actions">
        <button type="button" onClick={onStored}>
          I stored it
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Stop setup
        </button>
      </div>
    </main>
  );
}
