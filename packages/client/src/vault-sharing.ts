/**
 * Sharing vaults in an organization (docs/protocol.md §22.6): the vault key, opened and checked on
 * this device, wrapped to a confirmed member's certified keyset or to a group's certified current
 * keyset, signed by the caller's keyset. Unsharing deletes the wrap; the answer says that what the
 * person saw should be rotated.
 *
 * Protects against: a server that names a keyset of its own as the recipient (only keysets the
 * pinned organization key certified get a wrap).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { parseUserId, type VaultId } from '@latchkey/core/ids';
import type { KeyWrapRecipient } from '@latchkey/core/key-wrap';
import { keysetSigner, publicKeysetRecipient } from '@latchkey/core/keyset';
import { wipe } from '@latchkey/core/bytes';
import { wrapVaultKey } from '@latchkey/core/vault-key';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { Member } from '@latchkey/core/wire/organizations';
import type { VaultShareRole } from '@latchkey/core/wire/vault-shares';
import type { ClientContext } from './context.ts';
import { certifiedGroupKeyset, fetchGroup } from './group-keys.ts';
import { findGroup, listGroups } from './groups.ts';
import { certifiedMember, fetchMembers, pinnedOrganization } from './organization-trust.ts';
import { listOrganizations } from './organizations.ts';
import { requireSession } from './sign-in.ts';
import { fetchVaults, openVaultKeyRaw, requireUnlocked } from './vaults.ts';

export type { VaultShareRole };

/** Whom to share with: a person by email or user id, or a group by name or id. */
export type ShareTarget = { readonly email: string } | { readonly userId: string } | { readonly group: string };

export interface VaultShareInfo {
  readonly shareId: string;
  readonly vaultId: VaultId;
  readonly organizationId: string;
  readonly role: VaultShareRole;
  /** Set for a share with a person. */
  readonly userId: string | null;
  readonly email: string | null;
  /** Set for a share with a group. */
  readonly groupId: string | null;
  readonly groupName: string | null;
}

export interface UnshareResult {
  /** Always true: they saw the vault's items and may have kept them; change those secrets. */
  readonly rotateSecrets: true;
  readonly message: string;
}

interface ResolvedTarget {
  readonly organizationId: string;
  readonly recipient: { readonly userId: string } | { readonly groupId: string };
  readonly label: { readonly email: string | null; readonly groupName: string | null };
}

const matchesPerson = (m: Member, target: { email: string } | { userId: string }) =>
  'email' in target ? m.email.toLowerCase() === target.email.trim().toLowerCase() : m.userId === target.userId;

/** The organizations to look in: the one given, else every organization the caller is confirmed in. */
async function candidateOrganizations(ctx: ClientContext, organizationId: string | undefined): Promise<string[]> {
  if (organizationId !== undefined) return [organizationId];
  return (await listOrganizations(ctx)).filter((o) => o.status === 'confirmed').map((o) => o.id);
}

/**
 * Finds who `target` is, in `organizationId` or else in the one organization of the caller's where
 * they are found.
 * @throws LatchkeyError `not_found`; `invalid_request` when found in several organizations.
 */
async function resolveTarget(ctx: ClientContext, target: ShareTarget, organizationId: string | undefined): Promise<ResolvedTarget> {
  const found: ResolvedTarget[] = [];
  for (const orgId of await candidateOrganizations(ctx, organizationId)) {
    if ('group' in target) {
      const group = await findGroup(ctx, orgId, target.group).catch((error: unknown) => {
        if (error instanceof LatchkeyError && error.code === 'not_found') return undefined;
        throw error;
      });
      if (group !== undefined) found.push({ organizationId: orgId, recipient: { groupId: group.id }, label: { email: null, groupName: group.name } });
    } else {
      const member = (await fetchMembers(ctx, orgId)).find((m) => matchesPerson(m, target));
      if (member !== undefined) found.push({ organizationId: orgId, recipient: { userId: member.userId }, label: { email: member.email, groupName: null } });
    }
  }
  if (found.length === 0)
    throw new LatchkeyError('not_found', 'group' in target ? `No group "${target.group}" in your organizations.` : 'No such member in your organizations.');
  if (found.length > 1) throw new LatchkeyError('invalid_request', 'They are in several of your organizations; name the organization.');
  return found[0]!;
}

/** The keyset to wrap to, as the pinned organization key certified it (never as the server names it). */
async function recipientKeyset(ctx: ClientContext, resolved: ResolvedTarget): Promise<KeyWrapRecipient> {
  const members = await fetchMembers(ctx, resolved.organizationId);
  const pinned = await pinnedOrganization(ctx, resolved.organizationId, members);
  if ('userId' in resolved.recipient) {
    const { userId } = resolved.recipient;
    const row = members.find((m) => m.userId === userId);
    const member = row === undefined ? undefined : certifiedMember(pinned, userId, row.certificate);
    if (member === undefined)
      throw new LatchkeyError('invalid_request', 'Vaults can only be shared with confirmed members (their keys are certified by the organization).');
    return publicKeysetRecipient(member.keyset);
  }
  const group = await fetchGroup(ctx, resolved.organizationId, resolved.recipient.groupId);
  return publicKeysetRecipient(certifiedGroupKeyset(pinned, group).keyset);
}

const wireRecipient = (r: ResolvedTarget['recipient']) => ('userId' in r ? { userId: parseUserId(r.userId) } : { groupId: r.groupId });

async function vaultEntry(ctx: ClientContext, vaultId: VaultId) {
  const entry = (await fetchVaults(ctx)).find((v) => v.id === vaultId);
  if (entry === undefined) throw new LatchkeyError('not_found', 'No such vault.');
  return entry;
}

/**
 * Shares a vault with a person or a group, with `role`.
 * @throws LatchkeyError `not_found`; `forbidden` (neither owner nor `manage`); `invalid_request`
 *   (a Personal vault; not a confirmed member); `already_exists`; `untrusted_key`.
 */
export async function shareVault(
  ctx: ClientContext,
  vaultId: VaultId,
  target: ShareTarget,
  role: VaultShareRole,
  options: { organizationId?: string } = {},
): Promise<VaultShareInfo> {
  const me = requireUnlocked(ctx).keyset;
  await requireSession(ctx);
  const entry = await vaultEntry(ctx, vaultId);
  if (entry.kind === 'personal') throw new LatchkeyError('invalid_request', 'A Personal vault cannot be shared; create a vault for sharing.');
  if (entry.access !== 'owner' && entry.access !== 'manage')
    throw new LatchkeyError('forbidden', 'Only the vault owner or someone who may manage it can share it.');
  const resolved = await resolveTarget(ctx, target, options.organizationId ?? entry.organizationId ?? undefined);
  const recipient = await recipientKeyset(ctx, resolved);
  const raw = await openVaultKeyRaw(ctx, entry);
  let wrap: Awaited<ReturnType<typeof wrapVaultKey>>;
  try {
    wrap = await wrapVaultKey(raw, vaultId, recipient, keysetSigner(me));
  } finally {
    wipe(raw);
  }
  const id = crypto.randomUUID();
  await ctx.api.call(endpoints.shareVault, {
    params: { vaultId },
    body: { id, organizationId: resolved.organizationId, recipient: wireRecipient(resolved.recipient), role, wrap },
  });
  return {
    shareId: id,
    vaultId,
    organizationId: resolved.organizationId,
    role,
    userId: 'userId' in resolved.recipient ? resolved.recipient.userId : null,
    email: resolved.label.email,
    groupId: 'groupId' in resolved.recipient ? resolved.recipient.groupId : null,
    groupName: resolved.label.groupName,
  };
}

/** The shares of a vault (for its owner and those who manage it), with emails and group names. */
export async function listVaultShares(ctx: ClientContext, vaultId: VaultId): Promise<VaultShareInfo[]> {
  await requireSession(ctx);
  const shares = (await ctx.api.call(endpoints.listVaultShares, { params: { vaultId } })).shares;
  const orgIds = [...new Set(shares.map((s) => s.organizationId))];
  const people = new Map<string, string>();
  const groups = new Map<string, string>();
  for (const orgId of orgIds) {
    for (const m of await fetchMembers(ctx, orgId)) people.set(m.userId, m.email);
    for (const g of await listGroups(ctx, orgId)) groups.set(g.id, g.name);
  }
  return shares.map((s) => ({
    shareId: s.id,
    vaultId,
    organizationId: s.organizationId,
    role: s.role,
    userId: s.userId,
    email: s.userId === null ? null : (people.get(s.userId) ?? null),
    groupId: s.groupId,
    groupName: s.groupId === null ? null : (groups.get(s.groupId) ?? null),
  }));
}

async function findShare(ctx: ClientContext, vaultId: VaultId, target: ShareTarget): Promise<VaultShareInfo> {
  const shares = await listVaultShares(ctx, vaultId);
  const share = shares.find((s) =>
    'email' in target
      ? s.email?.toLowerCase() === target.email.trim().toLowerCase()
      : 'userId' in target
        ? s.userId === target.userId
        : s.groupId === target.group || s.groupName?.toLowerCase() === target.group.toLowerCase(),
  );
  if (share === undefined) throw new LatchkeyError('not_found', 'This vault is not shared with them.');
  return share;
}

/** Changes the role of an existing share. */
export async function changeShareRole(ctx: ClientContext, vaultId: VaultId, target: ShareTarget, role: VaultShareRole): Promise<VaultShareInfo> {
  const share = await findShare(ctx, vaultId, target);
  await ctx.api.call(endpoints.changeShareRole, { params: { vaultId, shareId: share.shareId }, body: { role } });
  return { ...share, role };
}

/** Removes a share: its wrap is deleted at once. Rotate what they saw. */
export async function unshareVault(ctx: ClientContext, vaultId: VaultId, target: ShareTarget): Promise<UnshareResult> {
  const share = await findShare(ctx, vaultId, target);
  await ctx.api.call(endpoints.unshareVault, { params: { vaultId, shareId: share.shareId } });
  const who = share.email ?? (share.groupName === null ? 'they' : `the members of ${share.groupName}`);
  return {
    rotateSecrets: true,
    message: `Access removed. ${who === 'they' ? 'They' : who} saw this vault's items and may have kept copies: change those passwords.`,
  };
}
