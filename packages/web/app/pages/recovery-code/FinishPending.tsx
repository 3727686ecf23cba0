/** A code was created but never confirmed: say exactly what works, and let them finish if they kept it. */
import type { FormEvent } from 'react';
import { LatchkeyError } from '@latchkey/core/errors';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { ErrorMessage, Field, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useRecoveryCodeField } from '../../components/useCodeField.ts';

export function FinishPending({ hasActive }: { hasActive: boolean }) {
  const { latchkey } = useApp();
  const { set } = useRecoveryStatus();
  const code = useRecoveryCodeField();
  const { busy, error, setError, run } = useAsyncAction({ describe: pendingConfirmError });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const parsed = code.parsed(setError);
    if (parsed === undefined) return;
    await run(
      async () => {
        set(await latchkey.client.recoveryCode.confirm(parsed));
        code.clear();
      },
      { idleAfter: true },
    );
  };
  return (
    <section className="pending" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Unfinished setup</h2>
      <p>
        A new recovery code was created but never confirmed, so <strong>it does not work</strong>.{' '}
        {hasActive ? 'Your current recovery code still works.' : 'You have no working recovery code yet.'} If you stored the new code, enter it here to make it
        your recovery code. If you did not, set up a new one.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="The new code you stored" autoComplete="off" spellCheck={false} autoCapitalize="characters" value={code.text} onChange={code.setText} />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Confirming…' : undefined} />
        <div className="actions">
          <button type="submit" className="secondary" disabled={busy || code.text.trim() === ''}>
            Confirm this code
          </button>
        </div>
      </form>
    </section>
  );
}

function pendingConfirmError(e: unknown): string {
  if (e instanceof LatchkeyError && e.code === 'invalid_recovery_code') {
    return 'That is not the new, unconfirmed code. If it is your current code, it already works; otherwise check the copy you stored.';
  }
  return describeError(e);
}
