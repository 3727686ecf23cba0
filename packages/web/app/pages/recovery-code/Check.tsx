/** "Check my code": tests a typed code without changing anything (the code is never sent; this browser proves it has it). */
import { useState, type FormEvent } from 'react';
import { useApp } from '../../app-context.tsx';
import { useRecoveryStatus } from '../../recovery-status.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useRecoveryCodeField } from '../../components/useCodeField.ts';

export function Check({ onBack }: { onBack: (notice?: string) => void }) {
  const { latchkey } = useApp();
  const { refresh } = useRecoveryStatus();
  const typed = useRecoveryCodeField();
  const { busy, error, setError, run } = useAsyncAction();
  const [result, setResult] = useState<boolean>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    const parsed = typed.parsed(setError);
    if (parsed === undefined) return;
    await run(
      async () => {
        const valid = await latchkey.client.recoveryCode.check(parsed);
        setResult(valid);
        if (valid) void refresh();
      },
      { idleAfter: true },
    );
  };
  return (
    <main className="narrow recovery">
      <PageHeading>Check my recovery code</PageHeading>
      <p>
        Type the code from your Recovery Kit to test that it works. This only tests it: nothing about your account changes, and the code is never sent (this
        browser proves it has it).
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <Field
          label="Recovery code"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          value={typed.text}
          onChange={(v) => {
            typed.setText(v);
            setResult(undefined);
          }}
        />
        <ErrorMessage message={error} />
        <Progress text={busy ? 'Checking…' : undefined} />
        {result === true ? (
          <p className="notice ok" role="status">
            <strong>This code works.</strong> Keep it where you found it.
          </p>
        ) : null}
        {result === false ? (
          <div className="error" role="alert">
            <p>
              <strong>This code does not work for your account.</strong> It may be an old code that was replaced, or a new one that was never confirmed. If you
              cannot find your current code, replace it now while you can still sign in.
            </p>
          </div>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Check
          </button>
          <button type="button" className="secondary" onClick={() => onBack()} disabled={busy}>
            Back
          </button>
        </div>
      </form>
    </main>
  );
}
