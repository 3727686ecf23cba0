/** The caller's families and teams, and the form creating one (the SDK makes its keyset here). */
import { useEffect, useState } from 'react';
import type { OrganizationSummary } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';
import { useAction } from './use-action.ts';

export function OrganizationList() {
  const { latchkey, navigate, handleSignedOut } = useApp();
  const [organizations, setOrganizations] = useState<OrganizationSummary[]>();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'family' | 'team'>('family');
  const { error, status, busy, run, setError } = useAction();

  useEffect(() => {
    latchkey.client.organizations.list().then(setOrganizations, (e: unknown) => {
      if (!handleSignedOut(e)) setError(describeError(e));
    });
  }, [latchkey, handleSignedOut, setError]);

  return (
    <main>
      <PageHeading>Organizations</PageHeading>
      <ErrorMessage message={error} />
      {status ? <p role="status">{status}</p> : null}
      {organizations === undefined ? (
        <Progress text="Loading organizations…" />
      ) : organizations.length === 0 ? (
        <p>You are in no family or team yet.</p>
      ) : (
        <ul aria-label="Your organizations">
          {organizations.map((o) => (
            <li key={o.id}>
              <a
                href={`/organizations/${o.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/organizations/${o.id}`);
                }}
              >
                {o.name}
              </a>{' '}
              ({o.kind}, you are {o.role}
              {o.status === 'accepted' ? ', waiting to be confirmed' : o.status === 'suspended' ? ', suspended' : ''})
            </li>
          ))}
        </ul>
      )}
      <form
        aria-label="New organization"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const created = await latchkey.client.organizations.create({ name: name.trim(), kind });
            navigate(`/organizations/${created.id}`);
            return undefined;
          });
        }}
      >
        <h2>New organization</h2>
        <fieldset>
          <legend>Kind</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'family'} onChange={() => setKind('family')} /> Family
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'team'} onChange={() => setKind('team')} /> Team
          </label>
        </fieldset>
        <Field label="Name" value={name} onChange={setName} required maxLength={200} />
        <button type="submit" disabled={busy || name.trim() === ''}>
          Create organization
        </button>
      </form>
    </main>
  );
}
