/** Setup's last step: the person types the whole code from the copy they kept, which confirms it on the server. */
import type { FormEvent } from 'react';
import type { RecoveryCode } from '@latchkey/core/recovery-code';
import { useApp } from '../../app-context.tsx';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useRecoveryCodeField } from '../../components/useCodeField.ts';

export function ConfirmCode({
  code,
  keepsOld,
  onBack,
  onCancel,
  onConfirmed,
}: {
  code: RecoveryCode;
  keepsOld: string;
  onBack: () => void;
  onCancel: () => void;
  onConfirmed: () => void;
}) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const typed = useRecoveryCodeField();
  const { busy, error, setError, run } = useAsyncAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const parsed = typed.parsed(setError);
    if (parsed === undefined) return;
    // Compared here first: a mismatch costs no request and tells the person exactly what is wrong.
    if (parsed !== code) return setError('That is not the code you were shown. Check the copy you stored, character by character.');
    await run(async () => {
      set(await latchkey.client.recoveryCode.confirm(parsed));
      onConfirmed();
    });
  };
  return (
    <main className="narrow recovery">
      <PageHeading>Confirm your recovery code</PageHeading>
      <p>
        Show that you stored it: type the whole code from the copy you kept (your Recovery Kit, text file or paper). On the Recovery Kit the last group is
        highlighted and printed on its own, so you can check you reached the end. Dashes, spaces and capitals do not matter.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field
          label="Recovery code"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          value={typed.text}
          onChange={typed.setText}
          hint="Starts with R1-, then 7 groups of 5 characters."
        />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Confirming…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Confirm and finish setup
          </button>
          <button type="button" className="secondary" onClick={onBack} disabled={busy}>
            Show the code again
          </button>
          <button type="button" className="link" onClick={onCancel} disabled={busy}>
            Stop setup
          </button>
        </div>
      </form>
      <p className="hint">{keepsOld}</p>
    </main>
  );
}
