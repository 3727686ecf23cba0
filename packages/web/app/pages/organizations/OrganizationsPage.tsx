/**
 * Families and teams (§22): the caller's organizations and creating one; one organization's
 * members (confirming after comparing fingerprints), invitations, groups, vault sharing and log.
 */
import { useCallback, useEffect, useState } from 'react';
import type {
  GroupSummary,
  InvitationSummary,
  OrganizationMember,
  OrganizationRole,
  OrganizationSummary,
  VaultShareInfo,
  VaultShareRole,
} from '@latchkey/client/client';
import type { Vault } from '@latchkey/client/vaults';
import type { OrganizationEvent } from '@latchkey/core/wire/organizations';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { formatDateTime } from '../../dates.ts';
import { ErrorMessage, Field, PageHeading, Progress } from '../../components/ui.tsx';

const ROTATE = 'What they could see they may have kept: change those passwords and secrets.';

function useAction() {
  const { handleSignedOut } = useApp();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, status, busy, run, setError };
}

export function OrganizationsPage() {
  const { path } = useApp();
  const id = /^\/organizations\/([0-9a-f-]{36})/.exec(path)?.[1];
  return id === undefined ? <OrganizationList /> : <OrganizationView key={id} organizationId={id} />;
}

function OrganizationList() {
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

function OrganizationView({ organizationId }: { organizationId: string }) {
  const { latchkey, handleSignedOut } = useApp();
  const client = latchkey.client;
  const [data, setData] = useState<Loaded>();
  const { error, status, busy, run, setError } = useAction();

  const load = useCallback(async () => {
    try {
      const organization = await client.organizations.find(organizationId);
      const admin = manages(organization.role) && organization.status === 'confirmed';
      const members = organization.status === 'confirmed' ? await client.organizations.members(organizationId) : [];
      const invitations = admin ? await client.invitations.list(organizationId) : [];
      const groups = organization.status === 'confirmed' ? await client.groups.list(organizationId) : [];
      const log = admin ? await client.organizations.log(organizationId) : [];
      const vaults = (await client.vaults.list()).filter((v) => v.kind === 'shared' && (v.access === 'owner' || v.access === 'manage'));
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

  const act = (action: () => Promise<string | undefined>) =>
    run(async () => {
      const message = await action();
      await load();
      return message;
    });

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
  const admin = manages(organization.role) && organization.status === 'confirmed';
  const emailOf = (userId: string) => data.members.find((m) => m.userId === userId)?.email ?? userId;
  const confirmed = data.members.filter((m) => m.status === 'confirmed');

  return (
    <main>
      <PageHeading>{organization.name}</PageHeading>
      <p>
        A {organization.kind}; you are {organization.role}.
      </p>
      <ErrorMessage message={error} />
      {status ? <p role="status">{status}</p> : null}
      {organization.status === 'accepted' ? <MyFingerprint organizationId={organizationId} /> : null}

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <ul aria-label="Members">
          {data.members.map((m) => (
            <li key={m.userId} data-email={m.email}>
              <strong>{m.email}</strong> {m.isYou ? '(you) ' : ''}— {m.role}, {m.status === 'accepted' ? 'waiting to be confirmed' : m.status}
              {admin && m.status === 'accepted' ? (
                <ConfirmMember
                  member={m}
                  busy={busy}
                  onConfirm={(fp) =>
                    act(async () => {
                      await client.organizations.confirm(organizationId, m.userId, fp);
                      return `${m.email} is confirmed.`;
                    })
                  }
                />
              ) : null}
              {admin && !m.isYou ? (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await client.organizations.remove(organizationId, m.userId);
                      return `${m.email} was removed, with every access they had. ${ROTATE}`;
                    })
                  }
                >
                  Remove {m.email}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      {admin ? <Invitations organizationId={organizationId} invitations={data.invitations} busy={busy} act={act} /> : null}

      {organization.status === 'confirmed' ? (
        <Groups organizationId={organizationId} groups={data.groups} confirmed={confirmed} admin={admin} emailOf={emailOf} busy={busy} act={act} />
      ) : null}

      {organization.status === 'confirmed' ? (
        <Sharing organizationId={organizationId} vaults={data.vaults} shares={data.shares} confirmed={confirmed} groups={data.groups} busy={busy} act={act} />
      ) : null}

      {admin ? (
        <section aria-labelledby="log-heading">
          <h2 id="log-heading">Organization log</h2>
          <ul aria-label="Organization log">
            {data.log.map((e) => (
              <li key={e.id}>
                {formatDateTime(e.createdAt)}: {e.type.replaceAll('_', ' ')}
                {e.actorUserId ? ` by ${emailOf(e.actorUserId)}` : ''}
                {e.subjectUserId ? ` (${emailOf(e.subjectUserId)})` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}

type Act = (action: () => Promise<string | undefined>) => Promise<void>;

function MyFingerprint({ organizationId }: { organizationId: string }) {
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

function Invitations({ organizationId, invitations, busy, act }: { organizationId: string; invitations: InvitationSummary[]; busy: boolean; act: Act }) {
  const { latchkey } = useApp();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrganizationRole>('member');
  const pending = invitations.filter((i) => i.status === 'pending');
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <form
        aria-label="Invite"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await latchkey.client.invitations.create(organizationId, email.trim(), role);
            setEmail('');
            return `Invitation sent to ${email.trim()}.`;
          });
        }}
      >
        <Field label="Email to invite" type="email" value={email} onChange={setEmail} required />
        <label>
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as OrganizationRole)}>
            <option value="member">member</option>
            <option value="organizer">organizer</option>
            <option value="admin">admin</option>
          </select>
        </label>{' '}
        <button type="submit" disabled={busy || email.trim() === ''}>
          Invite
        </button>
      </form>
      <ul aria-label="Pending invitations">
        {pending.map((i) => (
          <li key={i.id}>
            {i.email} as {i.role}, until {formatDateTime(i.expiresAt)}{' '}
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await latchkey.client.invitations.resend(organizationId, i.id);
                  return `Sent again to ${i.email}; the earlier link no longer works.`;
                })
              }
            >
              Resend to {i.email}
            </button>{' '}
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await latchkey.client.invitations.revoke(organizationId, i.id);
                  return `The invitation to ${i.email} was revoked.`;
                })
              }
            >
              Revoke for {i.email}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Groups(props: {
  organizationId: string;
  groups: GroupSummary[];
  confirmed: OrganizationMember[];
  admin: boolean;
  emailOf: (userId: string) => string;
  busy: boolean;
  act: Act;
}) {
  const { latchkey } = useApp();
  const { organizationId, groups, confirmed, admin, emailOf, busy, act } = props;
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  return (
    <section aria-labelledby="groups-heading">
      <h2 id="groups-heading">Groups</h2>
      <ul aria-label="Groups">
        {groups.map((g) => {
          const candidates = confirmed.filter((m) => !g.members.includes(m.userId));
          const chosen = adding[g.id] ?? candidates[0]?.userId ?? '';
          return (
            <li key={g.id}>
              <strong>{g.name}</strong>: {g.members.map(emailOf).join(', ')}
              {admin ? (
                <>
                  {g.members.map((userId) => (
                    <button
                      key={userId}
                      type="button"
                      className="secondary"
                      disabled={busy}
                      onClick={() =>
                        void act(async () => {
                          await latchkey.client.groups.remove(organizationId, g.id, userId);
                          return `${emailOf(userId)} left ${g.name}; the group was re-keyed. ${ROTATE}`;
                        })
                      }
                    >
                      Remove {emailOf(userId)} from {g.name}
                    </button>
                  ))}
                  {candidates.length > 0 ? (
                    <span>
                      <label>
                        Add to {g.name}{' '}
                        <select value={chosen} onChange={(e) => setAdding({ ...adding, [g.id]: e.target.value })}>
                          {candidates.map((m) => (
                            <option key={m.userId} value={m.userId}>
                              {m.email}
                            </option>
                          ))}
                        </select>
                      </label>{' '}
                      <button
                        type="button"
                        disabled={busy}
                        onClick={() =>
                          void act(async () => {
                            await latchkey.client.groups.add(organizationId, g.id, chosen);
                            return `${emailOf(chosen)} is in ${g.name}.`;
                          })
                        }
                      >
                        Add
                      </button>
                    </span>
                  ) : null}
                </>
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
            void act(async () => {
              await latchkey.client.groups.create(organizationId, name.trim(), []);
              setName('');
              return `Group ${name.trim()} created, with you in it.`;
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

function Sharing(props: {
  organizationId: string;
  vaults: Vault[];
  shares: Record<string, VaultShareInfo[]>;
  confirmed: OrganizationMember[];
  groups: GroupSummary[];
  busy: boolean;
  act: Act;
}) {
  const { latchkey } = useApp();
  const { organizationId, vaults, shares, confirmed, groups, busy, act } = props;
  const targets = [
    ...confirmed.filter((m) => !m.isYou).map((m) => ({ value: `user:${m.userId}`, label: m.email })),
    ...groups.map((g) => ({ value: `group:${g.id}`, label: `group ${g.name}` })),
  ];
  const [vaultId, setVaultId] = useState('');
  const [target, setTarget] = useState('');
  const [role, setRole] = useState<VaultShareRole>('view');
  const chosenVault = vaultId || vaults[0]?.id || '';
  const chosenTarget = target || targets[0]?.value || '';
  const toTarget = (value: string) => (value.startsWith('user:') ? { userId: value.slice(5) } : { group: value.slice(6) });
  const shareTarget = (s: VaultShareInfo) => (s.userId ? { userId: s.userId } : { group: s.groupId ?? '' });
  return (
    <section aria-labelledby="sharing-heading">
      <h2 id="sharing-heading">Shared vaults</h2>
      {vaults.length === 0 ? <p>Create a vault on the Items page to share it here.</p> : null}
      <ul aria-label="Vault shares">
        {vaults.flatMap((v) =>
          (shares[v.id] ?? []).map((s) => {
            const who = s.email ?? `group ${s.groupName ?? ''}`;
            return (
              <li key={s.shareId}>
                {v.name} → {who}: {s.role}{' '}
                <label>
                  Role of {who} in {v.name}{' '}
                  <select
                    value={s.role}
                    disabled={busy}
                    onChange={(e) => {
                      const next = e.target.value as VaultShareRole;
                      void act(async () => {
                        await latchkey.client.vaults.changeShareRole(v.id, shareTarget(s), next);
                        return `${who} can now ${next} ${v.name}.`;
                      });
                    }}
                  >
                    <option value="view">view</option>
                    <option value="edit">edit</option>
                    <option value="manage">manage</option>
                  </select>
                </label>{' '}
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await latchkey.client.vaults.unshare(v.id, shareTarget(s));
                      return `${v.name} is no longer shared with ${who}. ${ROTATE}`;
                    })
                  }
                >
                  Unshare {v.name} from {who}
                </button>
              </li>
            );
          }),
        )}
      </ul>
      {vaults.length > 0 && targets.length > 0 ? (
        <form
          aria-label="Share a vault"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await latchkey.client.vaults.share(chosenVault as Vault['id'], toTarget(chosenTarget), role, { organizationId });
              return 'Shared.';
            });
          }}
        >
          <label>
            Vault{' '}
            <select value={chosenVault} onChange={(e) => setVaultId(e.target.value)}>
              {vaults.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            With{' '}
            <select value={chosenTarget} onChange={(e) => setTarget(e.target.value)}>
              {targets.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Share role{' '}
            <select value={role} onChange={(e) => setRole(e.target.value as VaultShareRole)}>
              <option value="view">view</option>
              <option value="edit">edit</option>
              <option value="manage">manage</option>
            </select>
          </label>{' '}
          <button type="submit" disabled={busy}>
            Share vault
          </button>
        </form>
      ) : null}
    </section>
  );
}
