/**
 * `/vaults/<id>/share`, reached from the Items page's Share: one vault's shares (role, unshare)
 * and the form sharing it with a member or group of one of the caller's organizations.
 */
import { useCallback, useEffect, useState } from 'react';
import type { GroupSummary, OrganizationMember, OrganizationSummary, VaultShareInfo } from '@latchkey/client/client';
import type { Vault } from '@latchkey/client/vaults';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { Choice } from './Choice.tsx';
import { ShareForm, ShareList } from './Sharing.tsx';
import { shareable } from './shareable.ts';
import { useAction } from './use-action.ts';

interface Loaded {
  vault: Vault | undefined;
  shares: VaultShareInfo[];
  organizations: OrganizationSummary[];
}

export function VaultSharePage({ vaultId }: { vaultId: string }) {
  const { latchkey, navigate, handleSignedOut } = useApp();
  const client = latchkey.client;
  const [data, setData] = useState<Loaded>();
  const [organizationId, setOrganizationId] = useState('');
  const [people, setPeople] = useState<{ members: OrganizationMember[]; groups: GroupSummary[] }>();
  const { error, status, busy, run, setError } = useAction();

  const load = useCallback(async () => {
    try {
      const vault = shareable(await client.vaults.list()).find((v) => v.id === vaultId);
      const shares = vault ? await client.vaults.shares(vault.id) : [];
      const organizations = (await client.organizations.list()).filter((o) => o.status === 'confirmed');
      setData({ vault, shares, organizations });
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  }, [client, vaultId, handleSignedOut, setError]);

  useEffect(() => {
    void load();
  }, [load]);

  // The vault's own organization when it already has one; else the one chosen.
  const chosen = data?.vault?.organizationId ?? (organizationId || data?.organizations[0]?.id);
  useEffect(() => {
    if (chosen === undefined) return;
    setPeople(undefined);
    Promise.all([client.organizations.members(chosen), client.groups.list(chosen)]).then(
      ([members, groups]) => setPeople({ members, groups }),
      (e: unknown) => {
        if (!handleSignedOut(e)) setError(describeError(e));
      },
    );
  }, [client, chosen, handleSignedOut, setError]);

  const act = (action: () => Promise<string | undefined>) =>
    run(async () => {
      const message = await action();
      await load();
      return message;
    });

  const back = (
    <p className="back-link">
      <a
        href="/"
        onClick={(e) => {
          e.preventDefault();
          navigate('/');
        }}
      >
        ← All items
      </a>
    </p>
  );
  if (data === undefined) {
    return (
      <main>
        <PageHeading>Share a vault</PageHeading>
        <ErrorMessage message={error} />
        {error === undefined ? <Progress text="Loading the vault…" /> : null}
      </main>
    );
  }
  const { vault } = data;
  if (vault === undefined) {
    return (
      <main>
        <PageHeading>Share a vault</PageHeading>
        {back}
        <p>You cannot share this vault: only a vault you created (not your Personal vault) or one shared with you to manage can be shared.</p>
      </main>
    );
  }
  return (
    <main>
      <PageHeading>Share {vault.name}</PageHeading>
      {back}
      <ErrorMessage message={error} />
      {status ? <p role="status">{status}</p> : null}
      <ShareList vaults={[vault]} shares={{ [vault.id]: data.shares }} busy={busy} act={act} />
      {data.organizations.length === 0 ? (
        <p>Share with the people of a family or team: create one or accept an invitation on the Organizations page first.</p>
      ) : (
        <>
          {data.organizations.length > 1 && vault.organizationId === null ? (
            <Choice
              label="Organization"
              value={chosen ?? ''}
              options={data.organizations.map((o) => ({ value: o.id, label: o.name }))}
              onChange={setOrganizationId}
            />
          ) : null}
          {people === undefined || chosen === undefined ? (
            <Progress text="Loading the people you can share with…" />
          ) : (
            <ShareForm key={chosen} organizationId={chosen} vaults={[vault]} members={people.members} groups={people.groups} busy={busy} act={act} />
          )}
        </>
      )}
    </main>
  );
}
