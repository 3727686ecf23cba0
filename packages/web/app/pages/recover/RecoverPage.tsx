/**
 * "Use recovery code" (`/recover`), for a signed-out browser, one step per server
 * step (docs/protocol.md §14.5), each with its own errors:
 *
 *   email ─▶ emailed code (checked: ticket) ─▶ recovery code or share cards (proven: grant)
 *         ─▶ new password twice ─▶ new Secret Key
 *
 * A wrong recovery code is corrected on its step with the same ticket; what the person typed
 * for it is kept here, so it survives a trip back for a new emailed code (a ticket or grant
 * older than 30 minutes). Recovery does not sign in.
 */
import { useEffect, useRef, useState } from 'react';
import type { SecretKey } from '@latchkey/core/secret-key';
import type { RecoveryTicket } from '@latchkey/client/recovery';
import type { RecoveryGrant } from '@latchkey/client/recovery-grant';
import { EmailStep } from './EmailStep.tsx';
import { EmailCodeStep } from './EmailCodeStep.tsx';
import { EMPTY_DRAFT, RecoveryCodeStep, type RecoverySecretDraft } from './RecoveryCodeStep.tsx';
import { PasswordStep } from './PasswordStep.tsx';
import { DoneStep } from './DoneStep.tsx';

type Step =
  | { kind: 'email' }
  | { kind: 'email-code'; email: string; verificationId: string; notice?: string }
  | { kind: 'recovery-code'; email: string; verificationId: string; ticket: RecoveryTicket }
  | { kind: 'password'; email: string; verificationId: string; grant: RecoveryGrant }
  | { kind: 'done'; email: string; secretKey: SecretKey; signedOutSessions: number };

const TICKET_GONE =
  'Checking your email was more than 30 minutes ago, so it has to be done again. Ask for a new code and enter it; your recovery code stays filled in.';
const GRANT_GONE =
  'Your recovery code was accepted more than 30 minutes ago, so it has to be checked again. Ask for a new email code; your recovery code stays filled in.';

export function RecoverPage() {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  const [draft, setDraft] = useState<RecoverySecretDraft>(EMPTY_DRAFT);
  // The grant holds the opened keyset: wipe it when the page goes away unused.
  const grant = useRef<RecoveryGrant | undefined>(undefined);
  useEffect(() => () => grant.current?.discard(), []);
  const backToEmailCode = (from: { email: string; verificationId: string }, notice: string) => {
    grant.current?.discard();
    setStep({ kind: 'email-code', email: from.email, verificationId: from.verificationId, notice });
  };

  switch (step.kind) {
    case 'email':
      return <EmailStep onSent={(email, verificationId) => setStep({ kind: 'email-code', email, verificationId })} />;
    case 'email-code':
      return (
        <EmailCodeStep
          email={step.email}
          verificationId={step.verificationId}
          notice={step.notice}
          onResent={(verificationId) => setStep({ ...step, verificationId, notice: undefined })}
          onVerified={(ticket) => setStep({ kind: 'recovery-code', email: step.email, verificationId: step.verificationId, ticket })}
        />
      );
    case 'recovery-code':
      return (
        <RecoveryCodeStep
          ticket={step.ticket}
          draft={draft}
          onDraft={setDraft}
          onTicketGone={() => backToEmailCode(step, TICKET_GONE)}
          onProven={(proven) => {
            grant.current = proven;
            setStep({ kind: 'password', email: step.email, verificationId: step.verificationId, grant: proven });
          }}
        />
      );
    case 'password':
      return (
        <PasswordStep
          grant={step.grant}
          onGrantGone={() => backToEmailCode(step, GRANT_GONE)}
          onDone={(done) => {
            setDraft(EMPTY_DRAFT);
            setStep({ kind: 'done', email: step.email, ...done });
          }}
        />
      );
    case 'done':
      return <DoneStep email={step.email} secretKey={step.secretKey} signedOutSessions={step.signedOutSessions} />;
  }
}
