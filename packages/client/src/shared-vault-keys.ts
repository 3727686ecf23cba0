/**
 * Keys of vaults shared with the caller in an organization (docs/protocol.md §22.6). A share's
 * vault key is wrapped either to the caller's keyset or to a group keyset the caller holds, and is
 * signed by the sharer's keyset. Before use the client checks, in order: the organization key
 * (pinned by the caller's own acceptance), the sharer's member certificate under it, the group's
 * certificate and the caller's organization-signed wrap of the group key (for a group share), and
 * the wrap's signature for this vault and this recipient. Then the vault key is pinned like any other.
 *
 * Protects against: a planted shared vault (no certified member signed its wrap), a wrap swapped
 * for one of the server's making or moved from another vault, and a substituted group key.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import type { TrustedSignerLookup } from '@latchkey/core/key-wrap';
import { keysetRecipient, type Keyset } from '@latchkey/core/keyset';
import { wipe } from '@latchkey/core/bytes';
import { unwrapVaultKey } from '@latchkey/core/vault-key';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { Member } from '@latchkey/core/wire/organizations';
import type { SharedVault } from '@latchkey/core/wire/vault-shares';
import type { ClientContext } from './context.ts';
import { fetchGroup, openGroup, type OpenedGroup } from './group-keys.ts';
import { certifiedMembers, fetchMembers, memberSigners, pinnedOrganization, type PinnedOrganization } from './organization-trust.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

/** One way a shared vault reaches the caller: directly, or through a group. */
export type SharedVaultShare = SharedVault;

export async function fetchSharedVaults(ctx: ClientContext): Promise<SharedVaultShare[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listSharedVaults)).vaults;
}

/**
 * What one operation learns while opening several shared vaults: each organization's pin, member
 * list and the signers its certificates vouch for, each group's opened keyset. Fetched and
 * verified once per operation (checking every member's certificate again for each of 200 vaults
 * made listing them take seconds), trusted only after verification.
 */
export interface ShareOpening {
  readonly organizations: Map<string, Promise<{ pinned: PinnedOrganization; members: Member[]; trust: TrustedSignerLookup }>>;
  readonly groups: Map<string, Promise<OpenedGroup>>;
}

export const newShareOpening = (): ShareOpening => ({ organizations: new Map(), groups: new Map() });

/** Wipes the group keysets an opening held. */
export async function closeShareOpening(opening: ShareOpening): Promise<void> {
  for (const pending of opening.groups.values()) {
    const group = await pending.catch(() => undefined);
    if (group !== undefined) wipeKeyset(group.keyset);
  }
  opening.groups.clear();
}

export function wipeKeyset(keyset: Keyset): void {
  wipe(keyset.symmetricKey);
  wipe(keyset.encryption.privateKey);
  wipe(keyset.signing.secretKey);
}

export function organizationOf(ctx: ClientContext, opening: ShareOpening, organizationId: string) {
  let pending = opening.organizations.get(organizationId);
  if (pending === undefined) {
    pending = (async () => {
      const members = await fetchMembers(ctx, organizationId);
      const pinned = await pinnedOrganization(ctx, organizationId, members);
      return { pinned, members, trust: memberSigners(requireUnlocked(ctx).keyset, certifiedMembers(pinned, members)) };
    })();
    opening.organizations.set(organizationId, pending);
  }
  return pending;
}

export function groupOf(ctx: ClientContext, opening: ShareOpening, pinned: PinnedOrganization, groupId: string): Promise<OpenedGroup> {
  let pending = opening.groups.get(groupId);
  if (pending === undefined) {
    pending = (async () => openGroup(ctx, pinned, await fetchGroup(ctx, pinned.organizationId, groupId)))();
    opening.groups.set(groupId, pending);
  }
  return pending;
}

/**
 * Opens a shared vault's key from the first share that verifies: a direct one first, else through a group.
 * @throws LatchkeyError `untrusted_key`, `decryption_failed` (the first share's error when none opens).
 */
export async function openSharedVaultKey(ctx: ClientContext, vaultId: string, shares: readonly SharedVaultShare[], opening: ShareOpening): Promise<Uint8Array> {
  const me = requireUnlocked(ctx).keyset;
  const ordered = [...shares].sort((a, b) => Number(a.groupId !== null) - Number(b.groupId !== null));
  let firstError: unknown;
  for (const share of ordered) {
    try {
      const { pinned, trust } = await organizationOf(ctx, opening, share.organizationId);
      if (share.groupId === null) return await unwrapVaultKey(share.wrap, vaultId, keysetRecipient(me), me.encryption.privateKey, trust);
      const group = await groupOf(ctx, opening, pinned, share.groupId);
      if (group.keyVersion !== share.groupKeyVersion)
        throw new LatchkeyError('untrusted_key', 'This vault key is wrapped to another version of the group key than the current one.');
      return await unwrapVaultKey(share.wrap, vaultId, keysetRecipient(group.keyset), group.keyset.encryption.privateKey, trust);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError ?? new LatchkeyError('not_found', 'No such vault.');
}
