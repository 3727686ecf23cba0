/**
 * Vault shares (§22.6, §22.9): one share's role and unshare, and the form sharing a vault with
 * a confirmed member or a group of one organization. Used by the organization page (every
 * vault the person may share) and the vault's own share page (that one vault).
 */
import { useState } from 'react';
import type { GroupSummary, OrganizationMember, VaultShareInfo, VaultShareRole } from '@latchkey/client/client';
import type { Vault } from '@latchkey/client/vaults';
import { useApp } from '../../app-context.tsx';
import { Choice, plainOptions } from './Choice.tsx';
import { type Act, ROTATE } from './use-action.ts';
import { ActionButton } from './ActionButton.tsx';

const SHARE_ROLES = plainOptions<VaultShareRole>(['view', 'edit', 'manage']);

const shareTarget = (s: VaultShareInfo) => (s.userId ? { userId: s.userId } : { group: s.groupId ?? '' });
const shareeName = (s: VaultShareInfo) => s.email ?? `group ${s.groupName ?? ''}`;

/** The shares of some vaults, each with its role and an Unshare button. */
export function ShareList({ vaults, shares, busy, act }: { vaults: readonly Vault[]; shares: Record<string, VaultShareInfo[]>; busy: boolean; act: Act }) {
  const { latchkey } = useApp();
  const sharing = latchkey.client.vaults;
  const rows = vaults.flatMap((v) => (shares[v.id] ?? []).map((s) => ({ v, s })));
  if (rows.length === 0) return <p>Not shared with anyone yet.</p>;
  return (
    <ul aria-label="Vault shares">
      {rows.map(({ v, s }) => {
        const who = shareeName(s);
        return (
          <li key={s.shareId}>
            {v.name} → {who}: {s.role}{' '}
            <Choice
              label={`Role of ${who} in ${v.name}`}
              value={s.role}
              options={SHARE_ROLES}
              disabled={busy}
              onChange={(next) =>
                void act(async () => {
                  await sharing.changeShareRole(v.id, shareTarget(s), next);
                  return `${who} can now ${next} ${v.name}.`;
                })
              }
            />{' '}
            <ActionButton
              className="secondary"
              busy={busy}
              act={act}
              run={async () => {
                await sharing.unshare(v.id, shareTarget(s));
                return `${v.name} is no longer shared with ${who}. ${ROTATE}`;
              }}
            >
              Unshare {v.name} from {who}
            </ActionButton>
          </li>
        );
      })}
    </ul>
  );
}

/** Shares one of `vaults` with a confirmed member (not oneself) or a group of the organization. */
export function ShareForm(props: {
  organizationId: string;
  vaults: readonly Vault[];
  members: readonly OrganizationMember[];
  groups: readonly GroupSummary[];
  busy: boolean;
  act: Act;
}) {
  const { latchkey } = useApp();
  const { organizationId, vaults, busy, act } = props;
  const targets = [
    ...props.members.filter((m) => m.status === 'confirmed' && !m.isYou).map((m) => ({ value: `user:${m.userId}`, label: m.email })),
    ...props.groups.map((g) => ({ value: `group:${g.id}`, label: `group ${g.name}` })),
  ];
  const [vaultId, setVaultId] = useState('');
  const [target, setTarget] = useState('');
  const [role, setRole] = useState<VaultShareRole>('view');
  const chosenVault = vaults.find((v) => v.id === vaultId) ?? vaults[0];
  const chosenTarget = targets.find((t) => t.value === target) ?? targets[0];
  if (chosenVault === undefined) return <p>Create a vault on the Items page to share it here.</p>;
  if (chosenTarget === undefined) return <p>Nobody to share with yet: confirm a member or create a group first.</p>;
  return (
    <form
      aria-label="Share a vault"
      onSubmit={(e) => {
        e.preventDefault();
        const to = chosenTarget.value.startsWith('user:') ? { userId: chosenTarget.value.slice(5) } : { group: chosenTarget.value.slice(6) };
        void act(async () => {
          await latchkey.client.vaults.share(chosenVault.id, to, role, { organizationId });
          return `${chosenVault.name} is shared with ${chosenTarget.label} to ${role}.`;
        });
      }}
    >
      {vaults.length > 1 ? (
        <Choice label="Vault" value={chosenVault.id} options={vaults.map((v) => ({ value: v.id, label: v.name }))} onChange={setVaultId} />
      ) : null}{' '}
      <Choice label="With" value={chosenTarget.value} options={targets} onChange={setTarget} />{' '}
      <Choice label="Share role" value={role} options={SHARE_ROLES} onChange={setRole} />{' '}
      <button type="submit" disabled={busy}>
        Share {vaults.length > 1 ? 'vault' : chosenVault.name}
      </button>
    </form>
  );
}
