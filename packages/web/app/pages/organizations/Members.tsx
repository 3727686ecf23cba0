/**
 * Members of one organization (§22.3, §22.4): confirming after comparing fingerprints (the
 * organizer types what the member reads out; the SDK compares it and refuses a mismatch),
 * suspending, reinstating and removing; roles, transfer and a team's two-step reset
 * (`TeamAdmin.tsx`, §22.10). A waiting member sees their own fingerprint here.
 */
import { useEffect, useState } from 'react';
import type { MembershipEndedResult, OrganizationKind, OrganizationMember, OrganizationRole } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { Field } from '../../components/ui.tsx';
import { MemberAdministration } from './TeamAdmin.tsx';
import { mayActOn } from './team-roles.ts';
import { type Act, ROTATE } from './use-action.ts';
import { ActionButton } from './ActionButton.tsx';

const statusText = (m: OrganizationMember) =>
  m.status === 'accepted' ? 'waiting to be confirmed' : m.status === 'suspended' ? 'suspended (reinstate, then confirm again)' : m.status;

/** What ending a membership did, including groups this browser could not re-key. */
function endedMessage(what: string, ended: MembershipEndedResult, groupName: (id: string) => string): string {
  const left = ended.groupsToRekey.length > 0 ? ` Groups still to re-key by one of their members: ${ended.groupsToRekey.map(groupName).join(', ')}.` : '';
  return `${what}, with every access they had. ${ROTATE}${left}`;
}

export function Members(props: {
  organizationId: string;
  members: OrganizationMember[];
  admin: boolean;
  kind: OrganizationKind;
  myRole: OrganizationRole;
  groupName: (groupId: string) => string;
  busy: boolean;
  act: Act;
  onRefresh: () => void;
}) {
  const { latchkey } = useApp();
  const organizations = latchkey.client.organizations;
  const { organizationId, members, admin, kind, myRole, groupName, busy, act, onRefresh } = props;
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ul aria-label="Members">
        {members.map((m) => (
          <li key={m.userId} data-email={m.email}>
            <strong>{m.email}</strong> {m.isYou ? '(you) ' : ''}— {m.role}, {statusText(m)}
            {admin && m.status === 'accepted' ? (
              <ConfirmMember
                member={m}
                busy={busy}
                onConfirm={(fingerprint) =>
                  act(async () => {
                    await organizations.confirm(organizationId, m.userId, fingerprint);
                    return `${m.email} is confirmed.`;
                  })
                }
              />
            ) : null}
            {admin && !m.isYou && mayActOn(myRole, m.role) ? (
              <span className="actions">
                {m.status === 'suspended' ? (
                  <ActionButton
                    className="secondary"
                    busy={busy}
                    act={act}
                    run={async () => {
                      await organizations.reinstate(organizationId, m.userId);
                      return `${m.email} is reinstated and waits to be confirmed again: compare their fingerprint once more.`;
                    }}
                  >
                    Reinstate {m.email}
                  </ActionButton>
                ) : (
                  <ActionButton
                    className="secondary"
                    busy={busy}
                    act={act}
                    run={async () => endedMessage(`${m.email} is suspended`, await organizations.suspend(organizationId, m.userId), groupName)}
                  >
                    Suspend {m.email}
                  </ActionButton>
                )}
                <ActionButton
                  className="secondary danger"
                  busy={busy}
                  act={act}
                  run={async () => endedMessage(`${m.email} was removed`, await organizations.remove(organizationId, m.userId), groupName)}
                >
                  Remove {m.email}
                </ActionButton>
              </span>
            ) : null}
            {admin ? <MemberAdministration organizationId={organizationId} kind={kind} myRole={myRole} member={m} busy={busy} act={act} /> : null}
          </li>
        ))}
      </ul>
      {admin ? (
        <button type="button" className="secondary" disabled={busy} onClick={onRefresh}>
          Refresh members
        </button>
      ) : null}
    </section>
  );
}

/** The organizer types what the member reads out; the SDK compares it with what it computed and refuses a mismatch. */
function ConfirmMember({ member, busy, onConfirm }: { member: OrganizationMember; busy: boolean; onConfirm: (fingerprint: string) => Promise<void> }) {
  const [heard, setHeard] = useState('');
  if (member.fingerprint === null) {
    return <p role="alert">The acceptance of {member.email} does not verify for this organization's key: do not confirm them.</p>;
  }
  return (
    <form
      aria-label={`Confirm ${member.email}`}
      onSubmit={(e) => {
        e.preventDefault();
        void onConfirm(heard);
      }}
    >
      <p>
        Fingerprint here:{' '}
        <span className="fingerprint" data-testid="member-fingerprint">
          {member.fingerprint}
        </span>
      </p>
      <Field
        label={`Fingerprint ${member.email} sees`}
        value={heard}
        onChange={setHeard}
        hint="Ask them to read the fingerprint on their screen (by phone or in person, not by email) and type it here. It must match."
        autoComplete="off"
      />
      <button type="submit" disabled={busy || heard.trim() === ''}>
        Confirm {member.email}
      </button>
    </form>
  );
}

/** A member waiting for confirmation: their own fingerprint, to read to the organizer. */
export function MyFingerprint({ organizationId }: { organizationId: string }) {
  const { latchkey } = useApp();
  const [fingerprint, setFingerprint] = useState<string>();
  useEffect(() => {
    latchkey.client.organizations.myFingerprint(organizationId).then(setFingerprint, () => undefined);
  }, [latchkey, organizationId]);
  return (
    <section aria-label="Your fingerprint">
      <p>You are waiting to be confirmed. Read your fingerprint to the organizer:</p>
      <p className="fingerprint" data-testid="my-fingerprint">
        {fingerprint ?? '…'}
      </p>
    </section>
  );
}
