/**
 * Recovery, step 3: the recovery code, or enough share cards, proven with the ticket from the
 * emailed code. Both are checked in this browser before any request (a typo or a wrong card
 * costs nothing) and never sent: the SDK signs the ticket and opens the keyset here. A code the
 * server refuses leaves the ticket live, so the person corrects what they typed, which stays in
 * the field, and tries again without a new email.
 */
import type { FormEvent } from 'react';
import { LatchkeyError } from '@latchkey/core/errors';
import { parseRecoveryShare } from '@latchkey/core/recovery-shares';
import type { RecoverySecret, RecoveryTicket } from '@latchkey/client/recovery';
import type { RecoveryGrant } from '@latchkey/client/recovery-grant';
import { useApp } from '../../app-context.tsx';
import { describeInputError } from '../../errors.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAsyncAction } from '../../components/useAsyncAction.ts';
import { StepList } from './RecoverParts.tsx';

/** What the person typed, kept by the page so it survives a trip back to the email step. */
export interface RecoverySecretDraft {
  readonly method: 'code' | 'shares';
  readonly code: string;
  readonly shares: readonly string[];
}

export const EMPTY_DRAFT: RecoverySecretDraft = { method: 'code', code: '', shares: ['', ''] };

/** The secret the draft stands for; a share card that is not typed right is named. */
function secretOf(draft: RecoverySecretDraft): RecoverySecret {
  if (draft.method === 'code') return { recoveryCode: draft.code };
  const given = draft.shares.map((text, i) => ({ text, n: i + 1 })).filter((s) => s.text.trim() !== '');
  for (const share of given) {
    try {
      parseRecoveryShare(share.text);
    } catch (e) {
      throw new LatchkeyError('share_invalid', `Share card ${share.n}: ${describeInputError(e)}`);
    }
  }
  return { shares: given.map((s) => s.text) };
}

export function RecoveryCodeStep({
  ticket,
  draft,
  onDraft,
  onProven,
  onTicketGone,
}: {
  ticket: RecoveryTicket;
  draft: RecoverySecretDraft;
  onDraft: (draft: RecoverySecretDraft) => void;
  onProven: (grant: RecoveryGrant) => void;
  /** The ticket was used or is older than 30 minutes: a new emailed code is needed. */
  onTicketGone: () => void;
}) {
  const { latchkey } = useApp();
  const { busy, error, errorId, setError, tie, run } = useAsyncAction({ session: false, describe: describeInputError });
  // The error was about what was entered for the other method: switching leaves it behind.
  const switchTo = (next: typeof method) => {
    setError(undefined);
    onDraft({ ...draft, method: next });
  };
  const { method, code, shares } = draft;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      try {
        onProven(await latchkey.client.recovery.prove(ticket, secretOf(draft)));
      } catch (e) {
        if (e instanceof LatchkeyError && e.code === 'code_expired') return onTicketGone();
        throw e;
      }
    });
  };

  return (
    <main className="narrow">
      <PageHeading>Enter your recovery code</PageHeading>
      <StepList current={2} />
      <p>
        Your email <strong>{ticket.email}</strong> is confirmed. Now enter your recovery code, or the share cards it was split into.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>What do you have?</legend>
          <label className="check">
            <input type="radio" name="method" checked={method === 'code'} onChange={() => switchTo('code')} /> My recovery code
          </label>
          <label className="check">
            <input type="radio" name="method" checked={method === 'shares'} onChange={() => switchTo('shares')} /> Share cards (the code was split among people
            I trust)
          </label>
        </fieldset>
        {method === 'code' ? (
          <Field
            label="Recovery code"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            required
            value={code}
            {...tie('recoveryCode', (value) => onDraft({ ...draft, code: value }))}
            hint="From your Recovery Kit: R1- and 7 groups of 5 characters. Dashes, spaces and capitals do not matter. It is never sent to the server."
          />
        ) : (
          <ShareCardFields shares={shares} onChange={(next) => onDraft({ ...draft, shares: next })} />
        )}
        <ErrorMessage message={error} id={errorId} />
        <Progress text={busy ? 'Checking your recovery code…' : undefined} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Continue
          </button>
        </div>
      </form>
    </main>
  );
}

function ShareCardFields({ shares, onChange }: { shares: readonly string[]; onChange: (shares: readonly string[]) => void }) {
  return (
    <div className="share-inputs">
      <p className="hint">Type or paste the text of each card (it starts with S1-). Each card says how many are needed.</p>
      {shares.map((share, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the fields are positional (card 1, card 2, …); their position is their identity.
        <Field key={i} label={`Share card ${i + 1}`} multiline value={share} onChange={(v) => onChange(shares.map((s, j) => (j === i ? v : s)))} />
      ))}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => onChange([...shares, ''])}>
          Add another card
        </button>
        {shares.length > 2 ? (
          <button type="button" className="link" onClick={() => onChange(shares.slice(0, -1))}>
            Remove the last card
          </button>
        ) : null}
      </div>
    </div>
  );
}
