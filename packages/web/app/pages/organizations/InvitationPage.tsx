/**
 * Accepting an invitation from the emailed link: shows the organization, signs the acceptance
 * (the SDK), then shows the member's own fingerprint to read to the organizer, who confirms.
 */
import { useEffect, useState } from 'react';
import type { InvitationDescription } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { forgetPendingInvitation } from './pending-invitation.ts';

export function InvitationPage({ code, onDone }: { code: string; onDone: () => void }) {
  const { latchkey, handleSignedOut, navigate } = useApp();
  const [invitation, setInvitation] = useState<InvitationDescription>();
  const [fingerprint, setFingerprint] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    latchkey.client.invitations.describe(code).then(setInvitation, (e: unknown) => {
      if (!handleSignedOut(e)) setError(describeError(e));
    });
  }, [latchkey, code, handleSignedOut]);

  const finish = (to: string) => {
    forgetPendingInvitation();
    onDone();
    navigate(to);
  };

  const accept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const accepted = await latchkey.client.invitations.accept(code);
      setFingerprint(accepted.fingerprint);
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <PageHeading>Invitation</PageHeading>
      <ErrorMessage message={error} />
      {error !== undefined && invitation === undefined ? (
        <button type="button" className="secondary" onClick={() => finish('/')}>
          Go to your items
        </button>
      ) : null}
      {invitation === undefined && error === undefined ? <Progress text="Reading the invitation…" /> : null}
      {invitation !== undefined && fingerprint === undefined ? (
        <section>
          <p>
            {invitation.invitedBy} invites you to the {invitation.kind} <strong>{invitation.name}</strong> as {invitation.role}.
          </p>
          <button type="button" disabled={busy} onClick={() => void accept()}>
            Accept invitation
          </button>{' '}
          <button type="button" className="secondary" disabled={busy} onClick={() => finish('/')}>
            Not now
          </button>
        </section>
      ) : null}
      {fingerprint !== undefined ? (
        <section aria-label="Your fingerprint">
          <p>
            You accepted. Read this fingerprint to the person who invited you; they compare it with what they see before confirming you. Until then you get no
            shared vaults.
          </p>
          <p className="fingerprint" data-testid="my-fingerprint">
            {fingerprint}
          </p>
          <button type="button" onClick={() => finish('/organizations')}>
            Go to organizations
          </button>
        </section>
      ) : null}
    </main>
  );
}
