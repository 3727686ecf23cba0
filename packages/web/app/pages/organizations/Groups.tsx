/**
 * Groups of one organization (§22.5): create (with the creator in it, since adding and
 * re-keying need the current group key), add and remove members (removal re-keys), delete.
 */
import { useState } from 'react';
import type { GroupSummary, OrganizationMember } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { Field } from '../../components/ui.tsx';
import { Choice } from './Choice.tsx';
import { type Act, ROTATE } from './use-action.ts';
import { ActionButton } from './ActionButton.tsx';

export function Groups(props: {
  organizationId: string;
  groups: GroupSummary[];
  confirmed: OrganizationMember[];
  admin: boolean;
  emailOf: (userId: string) => string;
  busy: boolean;
  act: Act;
}) {
  const { latchkey } = useApp();
  const groups = latchkey.client.groups;
  const { organizationId, confirmed, admin, emailOf, busy, act } = props;
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <ul aria-label="Groups">
        {props.groups.map((g) => {
          const candidates = confirmed.filter((m) => !g.members.includes(m.userId));
          const chosen = adding[g.id] ?? candidates[0]?.userId ?? '';
          return (
            <li key={g.id}>
              <strong>{g.name}</strong>: {g.members.map(emailOf).join(', ')}
              {admin ? (
                <span className="actions">
                  {g.members.map((userId) => (
                    <ActionButton
                      key={userId}
                      className="secondary"
                      busy={busy}
                      act={act}
                      run={async () => {
                        await groups.remove(organizationId, g.id, userId);
                        return `${emailOf(userId)} left ${g.name}; the group was re-keyed. ${ROTATE}`;
                      }}
                    >
                      Remove {emailOf(userId)} from {g.name}
                    </ActionButton>
                  ))}
                  {candidates.length > 0 ? (
                    <>
                      <Choice
                        label={`Person to add to ${g.name}`}
                        value={chosen}
                        options={candidates.map((m) => ({ value: m.userId, label: m.email }))}
                        onChange={(userId) => setAdding({ ...adding, [g.id]: userId })}
                      />{' '}
                      <ActionButton
                        busy={busy}
                        act={act}
                        run={async () => {
                          await groups.add(organizationId, g.id, chosen);
                          return `${emailOf(chosen)} is in ${g.name}.`;
                        }}
                      >
                        Add to {g.name}
                      </ActionButton>
                    </>
                  ) : null}
                  <ActionButton
                    className="secondary danger"
                    busy={busy}
                    act={act}
                    run={async () => {
                      await groups.delete(organizationId, g.id);
                      return `Group ${g.name} was deleted, with the vault access it gave. ${ROTATE}`;
                    }}
                  >
                    Delete group {g.name}
                  </ActionButton>
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
      {admin ? (
        <form
          aria-label="New group"
          onSubmit={(e) => {
            e.preventDefault();
            const groupName = name.trim();
            void act(async () => {
              await groups.create(organizationId, groupName, []);
              setName('');
              return `Group ${groupName} created, with you in it.`;
            });
          }}
        >
          <Field label="New group name" value={name} onChange={setName} required maxLength={200} />
          <button type="submit" disabled={busy || name.trim() === ''}>
            Create group
          </button>
        </form>
      ) : null}
    </section>
  );
}
