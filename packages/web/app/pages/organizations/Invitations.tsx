/** Invitations of one organization (§22.3): invite by email with a role, resend, revoke. */
import { useState } from 'react';
import type { InvitationSummary, OrganizationKind, OrganizationRole } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { formatDateTime } from '../../dates.ts';
import { Field } from '../../components/ui.tsx';
import { Choice, type ChoiceOption } from './Choice.tsx';
import type { Act } from './use-action.ts';
import { ActionButton } from './ActionButton.tsx';

/** The roles one can be invited as, by kind (a family has organizers, a team owners and admins). */
const INVITABLE: Record<OrganizationKind, readonly ChoiceOption<OrganizationRole>[]> = {
  family: [
    { value: 'member', label: 'member' },
    { value: 'organizer', label: 'organizer' },
  ],
  team: [
    { value: 'member', label: 'member' },
    { value: 'admin', label: 'admin' },
    { value: 'recovery_admin', label: 'admin with recovery powers' },
  ],
};

export function Invitations(props: { organizationId: string; kind: OrganizationKind; invitations: InvitationSummary[]; busy: boolean; act: Act }) {
  const { latchkey } = useApp();
  const invitations = latchkey.client.invitations;
  const { organizationId, kind, busy, act } = props;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrganizationRole>('member');
  const pending = props.invitations.filter((i) => i.status === 'pending');
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <form
        aria-label="Invite"
        onSubmit={(e) => {
          e.preventDefault();
          const to = email.trim();
          void act(async () => {
            await invitations.create(organizationId, to, role);
            setEmail('');
            return `Invitation sent to ${to}.`;
          });
        }}
      >
        <Field label="Email to invite" type="email" value={email} onChange={setEmail} required />
        <Choice label="Role" value={role} options={INVITABLE[kind]} onChange={setRole} />{' '}
        <button type="submit" disabled={busy || email.trim() === ''}>
          Invite
        </button>
      </form>
      <ul aria-label="Pending invitations">
        {pending.map((i) => (
          <li key={i.id}>
            {i.email} as {i.role}, until {formatDateTime(i.expiresAt)}{' '}
            <ActionButton
              className="secondary"
              busy={busy}
              act={act}
              run={async () => {
                await invitations.resend(organizationId, i.id);
                return `Sent again to ${i.email}; the earlier link no longer works.`;
              }}
            >
              Resend to {i.email}
            </ActionButton>{' '}
            <ActionButton
              className="secondary"
              busy={busy}
              act={act}
              run={async () => {
                await invitations.revoke(organizationId, i.id);
                return `The invitation to ${i.email} was revoked.`;
              }}
            >
              Revoke for {i.email}
            </ActionButton>
          </li>
        ))}
      </ul>
    </section>
  );
}
