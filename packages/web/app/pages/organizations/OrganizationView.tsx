/**
 * One organization: loads what the caller may see (members and groups once confirmed;
 * invitations and the log for organizers, owners and admins; the shares of the vaults they may
 * share) and reloads it after every action.
 */
import { useCallback, useEffect, useState } from 'react';
import type { GroupSummary, InvitationSummary, OrganizationMember, OrganizationRole, OrganizationSummary, VaultShareInfo } from '@latchkey/client/client';
import type { Vault } from '@latchkey/client/vaults';
import type { OrganizationEvent } from '@latchkey/core/wire/organizations';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { Groups } from './Groups.tsx';
import { Invitations } from './Invitations.tsx';
import { Members, MyFingerprint } from './Members.tsx';
import { OrganizationLog } from './OrganizationLog.tsx';
import { ShareForm, ShareList } from './Sharing.tsx';
import { shareable } from './shareable.ts';
import { type Act, useAction } from './use-action.ts';

interface Loaded {
  organization: OrganizationSummary;
  members: OrganizationMember[];
  invitations: InvitationSummary[];
  groups: GroupSummary[];
  vaults: Vault[];
  shares: Record<string, VaultShareInfo[]>;
  log: OrganizationEvent[];
}

const manages = (role: OrganizationRole) => role !== 'member';

export function OrganizationView({ organizationId }: { organizationId: string }) {
  const { latchkey, handleSignedOut } = useApp();
  const client = latchkey.client;
  const [data, setData] = useState<Loaded>();
  const { error, status, busy, run, setError } = useAction();

  const load = useCallback(async () => {
    try {
      const organization = await client.organizations.find(organizationId);
      const confirmed = organization.status === 'confirmed';
      const admin = manages(organization.role) && confirmed;
      const members = confirmed ? await client.organizations.members(organizationId) : [];
      const invitations = admin ? await client.invitations.list(organizationId) : [];
      const groups = confirmed ? await client.groups.list(organizationId) : [];
      const log = admin ? await client.organizations.log(organizationId) : [];
      const vaults = confirmed ? shareable(await client.vaults.list()) : [];
      const shares: Record<string, VaultShareInfo[]> = {};
      for (const v of vaults) shares[v.id] = (await client.vaults.shares(v.id)).filter((s) => s.organizationId === organizationId);
      setData({ organization, members, invitations, groups, vaults, shares, log });
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  }, [client, organizationId, handleSignedOut, setError]);

  useEffect(() => {
    void load();
  }, [load]);

  const act: Act = (action, describe) =>
    run(async () => {
      const message = await action();
      await load();
      return message;
    }, describe);

  if (data === undefined) {
    return (
      <main>
        <PageHeading>Organization</PageHeading>
        <ErrorMessage message={error} />
        {error === undefined ? <Progress text="Loading the organization…" /> : null}
      </main>
    );
  }
  const { organization } = data;
  const confirmed = organization.status === 'confirmed';
  const admin = manages(organization.role) && confirmed;
  const emailOf = (userId: string) => data.members.find((m) => m.userId === userId)?.email ?? userId;
  const groupName = (groupId: string) => data.groups.find((g) => g.id === groupId)?.name ?? groupId;

  return (
    <main>
      <PageHeading>{organization.name}</PageHeading>
      <p>
        A {organization.kind}; you are {organization.role}
        {organization.status === 'suspended' ? ', suspended: you have no access to its vaults until an organizer reinstates and confirms you' : ''}.
      </p>
      <ErrorMessage message={error} />
      {status ? <p role="status">{status}</p> : null}
      {organization.status === 'accepted' ? <MyFingerprint organizationId={organizationId} /> : null}
      {confirmed ? (
        <Members
          organizationId={organizationId}
          members={data.members}
          admin={admin}
          kind={organization.kind}
          myRole={organization.role}
          groupName={groupName}
          busy={busy}
          act={act}
          onRefresh={() =>
            void run(async () => {
              await load();
              return undefined;
            })
          }
        />
      ) : null}
      {admin ? <Invitations organizationId={organizationId} kind={organization.kind} invitations={data.invitations} busy={busy} act={act} /> : null}
      {confirmed ? (
        <Groups
          organizationId={organizationId}
          groups={data.groups}
          confirmed={data.members.filter((m) => m.status === 'confirmed')}
          admin={admin}
          emailOf={emailOf}
          busy={busy}
          act={act}
        />
      ) : null}
      {confirmed ? (
        <section aria-labelledby="sharing-heading">
          <h2 id="sharing-heading">Shared vaults</h2>
          <ShareList vaults={data.vaults} shares={data.shares} busy={busy} act={act} />
          <ShareForm organizationId={organizationId} vaults={data.vaults} members={data.members} groups={data.groups} busy={busy} act={act} />
        </section>
      ) : null}
      {admin ? <OrganizationLog events={data.log} /> : null}
    </main>
  );
}
