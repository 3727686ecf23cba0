/**
 * Opening a group's keyset on a member's device (docs/protocol.md §22.5): the version's group
 * certificate must verify under the pinned organization key, the sealed keyset must be the one it
 * certifies, and this member's wrap must be signed by the organization key for exactly this
 * group, version, keyset and member.
 *
 * Protects against: a server that hands a member a group keyset of its own (planted group key),
 * an old version's wrap passed off as the current one, a version older than one this device
 * opened (`rollback_detected`), or a wrap moved between groups or members.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { keysetRecipient, type Keyset } from '@latchkey/core/keyset';
import { verifyGroupCertificate, type CertifiedGroupKeyset } from '@latchkey/core/keyset-certificate';
import { openSharedKeyset } from '@latchkey/core/shared-keyset';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { Group } from '@latchkey/core/wire/groups';
import type { ClientContext } from './context.ts';
import { updateStore } from './local-store.ts';
import type { PinnedOrganization } from './organization-trust.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

export async function fetchGroup(ctx: ClientContext, organizationId: string, groupId: string): Promise<Group> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.getGroup, { params: { organizationId, groupId } });
}

/**
 * The current version of a group as the organization certified it.
 * @throws LatchkeyError `untrusted_key` when the certificate does not verify for this group and version.
 */
export function certifiedGroupKeyset(pinned: PinnedOrganization, group: Group): CertifiedGroupKeyset {
  return verifyGroupCertificate(group.certificate, pinned.organizationId, group.id, pinned.signer, group.keyVersion);
}

export interface OpenedGroup {
  readonly groupId: string;
  readonly keyVersion: number;
  readonly keyset: Keyset;
}

/**
 * Opens the current version of `group` with this member's wrap.
 * @throws LatchkeyError `forbidden` when the caller holds no wrap of it (not a member);
 *   `untrusted_key`; `decryption_failed`.
 */
export async function openGroup(ctx: ClientContext, pinned: PinnedOrganization, group: Group): Promise<OpenedGroup> {
  const me = requireUnlocked(ctx).keyset;
  if (group.keyWrap === undefined) throw new LatchkeyError('forbidden', 'You are not a member of this group, so you cannot open its key.');
  const certified = certifiedGroupKeyset(pinned, group);
  const keyset = await openSharedKeyset(
    group.keyset,
    group.keyWrap,
    { kind: 'group', id: group.id, keyVersion: certified.keyVersion },
    certified.keyset,
    keysetRecipient(me),
    me.encryption.privateKey,
    (id: string) => (id === pinned.signer.keysetId ? pinned.signer : undefined),
  );
  await checkAndRecordGroupVersion(ctx, group.id, certified.keyVersion);
  return { groupId: group.id, keyVersion: certified.keyVersion, keyset };
}

/**
 * Refuses a group key version lower than one this device has opened (a server handing out the
 * version from before a removal as the current one), then records the new high-water mark.
 * @throws LatchkeyError `rollback_detected`.
 */
export async function checkAndRecordGroupVersion(ctx: ClientContext, groupId: string, keyVersion: number): Promise<void> {
  const keysetId = requireUnlocked(ctx).keyset.id;
  const seen = (await ctx.store.read()).groupVersions?.[keysetId]?.[groupId] ?? 0;
  if (keyVersion < seen)
    throw new LatchkeyError('rollback_detected', `The server returned version ${keyVersion} of a group key this device has seen at version ${seen}.`);
  if (keyVersion === seen) return;
  await updateStore(ctx.store, (s) => {
    const mine = { ...s.groupVersions?.[keysetId] };
    mine[groupId] = Math.max(mine[groupId] ?? 0, keyVersion);
    s.groupVersions = { ...s.groupVersions, [keysetId]: mine };
  });
}
