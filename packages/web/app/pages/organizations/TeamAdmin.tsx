/**
 * Administering one member (§22.10): their role (organizers and owners), a transfer of the
 * organization to them with an optional stepping down, and a team's reset of their two-step
 * verification. Each offered only where the server would allow it (`team-roles.ts`); transfer
 * and reset ask first and say what they do.
 */
import { useState } from 'react';
import type { OrganizationKind, OrganizationMember, OrganizationRole } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeRoleChangeError, describeTwoStepResetError } from '../../errors.ts';
import { Choice } from './Choice.tsx';
import { mayChangeRoleOf, mayResetTwoStepOf, mayTransferTo, ROLE_OPTIONS, STEPPED_DOWN_ROLE, TOP_ROLE, withArticle } from './team-roles.ts';
import type { Act } from './use-action.ts';
import { ActionButton } from './ActionButton.tsx';

const KEY_HOLDING: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin'];

/** What a role change did, including the organization key it gave or took. */
function roleChangedMessage(email: string, from: OrganizationRole, to: OrganizationRole): string {
  const done = `${email} is now ${withArticle(to)}.`;
  if (!KEY_HOLDING.includes(from) && KEY_HOLDING.includes(to)) return `${done} They were given the organization key, for the keys you confirmed as theirs.`;
  if (KEY_HOLDING.includes(from) && !KEY_HOLDING.includes(to))
    return `${done} They no longer get the organization key, though a device of theirs may keep the one it already opened.`;
  return done;
}

interface Props {
  organizationId: string;
  kind: OrganizationKind;
  myRole: OrganizationRole;
  member: OrganizationMember;
  busy: boolean;
  act: Act;
}

export function MemberAdministration(props: Props) {
  const { kind, myRole, member } = props;
  const role = mayChangeRoleOf(myRole, member);
  const transfer = mayTransferTo(kind, myRole, member);
  const reset = mayResetTwoStepOf(kind, myRole, member);
  if (!role && !transfer && !reset) return null;
  return (
    <div className="member-administration">
      {role ? <MemberRole {...props} /> : null}
      {transfer ? <TransferOrganization {...props} /> : null}
      {reset ? <ResetTwoStep {...props} /> : null}
    </div>
  );
}

function MemberRole({ organizationId, kind, member, busy, act }: Props) {
  const { latchkey } = useApp();
  return (
    <Choice
      label={`Role of ${member.email}`}
      value={member.role}
      options={ROLE_OPTIONS[kind]}
      disabled={busy}
      onChange={(next) =>
        void act(async () => {
          const changed = await latchkey.client.organizations.changeRole(organizationId, member.userId, next);
          return roleChangedMessage(member.email, changed.previousRole, changed.role);
        }, describeRoleChangeError)
      }
    />
  );
}

function TransferOrganization({ organizationId, kind, member, busy, act }: Props) {
  const { latchkey } = useApp();
  const [asking, setAsking] = useState(false);
  const [stepDown, setStepDown] = useState(false);
  const top = TOP_ROLE[kind];
  const steppedDown = STEPPED_DOWN_ROLE[kind];
  if (!asking)
    return (
      <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(true)}>
        Transfer to {member.email}
      </button>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: a question, one choice and two buttons; a fieldset would be read as a form to fill in.
    <div className="confirm" role="group" aria-label={`Transfer to ${member.email}`}>
      <p>
        Make {member.email} {withArticle(top)} of this {kind}? They may then do everything you can: change roles, remove anyone (you too) and transfer it again.
      </p>
      <label className="check">
        <input type="checkbox" checked={stepDown} onChange={(e) => setStepDown(e.target.checked)} /> Step down to {steppedDown} myself, in the same step
      </label>
      <div className="actions">
        <ActionButton
          busy={busy}
          act={act}
          describe={describeRoleChangeError}
          run={async () => {
            const done = await latchkey.client.organizations.transferOwnership(organizationId, member.userId, { stepDown });
            setAsking(false);
            const you = done.yourRole === top ? '' : ` You are now ${withArticle(done.yourRole)}.`;
            return `${member.email} is now ${withArticle(done.role)} of this ${kind}; they were emailed.${you}`;
          }}
        >
          Make {member.email} {top}
        </ActionButton>
        {/* biome-ignore lint/a11y/noAutofocus: focus moves into the question just asked, onto the safe choice. */}
        <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)} autoFocus>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ResetTwoStep({ organizationId, member, busy, act }: Props) {
  const { latchkey } = useApp();
  const [asking, setAsking] = useState(false);
  const what = `Reset two-step verification of ${member.email}`;
  if (!asking)
    return (
      <button type="button" className="secondary danger" disabled={busy} onClick={() => setAsking(true)}>
        {what}
      </button>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: a question and two buttons, not form fields.
    <div className="confirm" role="group" aria-label={what}>
      <p>
        <strong>Reset the two-step verification of {member.email}?</strong>
      </p>
      <p>
        It removes their authenticator app, security keys and backup codes, and signs them out on every device. Until they set it up again, their account
        password and Secret Key alone sign in.
      </p>
      <p>It does not change their password, Secret Key, recovery code, vaults or items, and it gives you no access to their account.</p>
      <p>
        {member.email} and every owner of the team are emailed that you did it. At most once a day per member: do it only when they asked, for example after
        losing their phone.
      </p>
      <div className="actions">
        <ActionButton
          className="danger"
          busy={busy}
          act={act}
          describe={describeTwoStepResetError}
          run={async () => {
            const { sessionsEnded } = await latchkey.client.organizations.resetTwoStep(organizationId, member.userId);
            setAsking(false);
            const sessions = sessionsEnded === 1 ? '1 session' : `${sessionsEnded} sessions`;
            return `The two-step verification of ${member.email} was removed and ${sessions} of theirs ended. They and every owner were emailed; ask them to set it up again.`;
          }}
        >
          Reset two-step verification
        </ActionButton>
        {/* biome-ignore lint/a11y/noAutofocus: focus moves into the question just asked, onto the safe choice. */}
        <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)} autoFocus>
          Keep it
        </button>
      </div>
    </div>
  );
}
