/**
 * Splitting the recovery code into share cards, all in this browser: how many cards and how
 * many rebuild the code, then the cards (`ShareCards`). A typed code is tested first, since
 * cards made from a code that does not work would be worse than none.
 */
import { useState, type FormEvent } from 'react';
import type { AccountProfile } from '@latchkey/core/wire/auth';
import type { RecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode, type RecoveryShare } from '@latchkey/core/recovery-shares';
import { useApp } from '../../app-context.tsx';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { useRecoveryCodeField } from '../../components/useCodeField.ts';
import { ShareCards } from './ShareCards.tsx';

export function Split({ account, code: known, onBack }: { account: AccountProfile; code: RecoveryCode | undefined; onBack: () => void }) {
  const { latchkey } = useApp();
  const typed = useRecoveryCodeField();
  const [total, setTotal] = useState('5');
  const [threshold, setThreshold] = useState('3');
  const { busy, error, setError, run } = useAsyncAction();
  const [shares, setShares] = useState<RecoveryShare[]>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setShares(undefined);
    const n = Number(total);
    const k = Number(threshold);
    if (!Number.isInteger(n) || !Number.isInteger(k) || k < 2 || n < k || n > 20) {
      return setError('Choose between 2 and 20 cards, and at least 2 but no more than that many needed to rebuild the code.');
    }
    const code = known ?? typed.parsed(setError);
    if (code === undefined) return;
    await run(
      async () => {
        // Shares of a code that does not work would be worse than none: test it first (nothing secret is sent).
        if (known === undefined && !(await latchkey.client.recoveryCode.check(code))) {
          setError('This code does not work for your account, so cards made from it would not either. Type your current recovery code.');
          return;
        }
        setShares(await splitRecoveryCode(code, { total: n, threshold: k }));
      },
      { idleAfter: true },
    );
  };

  return (
    <main className="narrow recovery">
      <PageHeading>Split into shares</PageHeading>
      <p>
        Make share cards for people you trust, for example family members. Any chosen number of them together rebuild your recovery code; fewer reveal nothing
        about it. Everything happens in this browser: the cards are never sent anywhere. A wrong or altered card is detected when the cards are combined.
      </p>
      {shares === undefined ? (
        <form onSubmit={(e) => void submit(e)}>
          {known === undefined ? (
            <Field
              label="Your recovery code"
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="characters"
              required
              value={typed.text}
              onChange={typed.setText}
              hint="From your Recovery Kit. It is tested first."
            />
          ) : (
            <p className="hint">Splitting the recovery code you just confirmed.</p>
          )}
          <div className="field-pair">
            <Field label="Number of cards" type="number" inputMode="numeric" min={2} max={20} required value={total} onChange={setTotal} />
            <Field
              label="Cards needed to rebuild the code"
              type="number"
              inputMode="numeric"
              min={2}
              max={20}
              required
              value={threshold}
              onChange={setThreshold}
            />
          </div>
          <ErrorMessage message={error} />
          <Progress text={busy ? 'Making share cards…' : undefined} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Make share cards
            </button>
            <button type="button" className="secondary" onClick={onBack} disabled={busy}>
              Back
            </button>
          </div>
        </form>
      ) : (
        <ShareCards account={account} shares={shares} onDone={onBack} />
      )}
    </main>
  );
}
