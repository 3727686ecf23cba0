/**
 * The Recovery Group and escrowed vault keys on the client (docs/protocol.md §22.8).
 *
 * - **The group**: created with the organization by its creator's client (version 1 wrapped to
 *   the creator); for an organization made before it existed, by the next client of a confirmed
 *   organizer, owner or recovery admin that lists its vaults, wrapped to every confirmed holder
 *   the organization certified. Confirming a holder adds wraps of every kept version
 *   (`recoveryGroupWrapsFor`, used by `confirmMember`); removing one re-keys it through the
 *   ordinary re-key path, and the server keeps the older versions. A holder who left by
 *   themselves leaves the group marked `rekeyNeeded`: the next holder's listing re-keys it.
 * - **Escrows**: whenever this person's client lists their vaults or creates one, every own vault
 *   without an escrow at the current Recovery Group version of each organization they are a
 *   confirmed member of is escrowed: the vault key wrapped to that version, signed by their keyset.
 *
 * Protects against: a server that makes a member escrow to a keyset of its own (the version's
 * group certificate must verify under the pinned organization key, else `untrusted_key` and no
 * escrow), one that hands out an older version after a re-key (`rollback_detected`, as for
 * groups), and one that slips a keyset into the group at creation or confirmation (wraps go only
 * to members whose certificate verifies).
 */
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';
import { addGroupMember as wrapGroupVersion, createGroupKeyset } from '@latchkey/core/group-keyset';
import { parseUserId, type VaultId } from '@latchkey/core/ids';
import { keysetPublicPart, keysetRecipient, keysetSigner, type Keyset } from '@latchkey/core/keyset';
import { verifyGroupCertificate, type CertifiedGroupKeyset, type CertifiedMember } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import { escrowVaultKey } from '@latchkey/core/recovery-escrow';
import { wipe } from '@latchkey/core/bytes';
import { openSharedKeyset } from '@latchkey/core/shared-keyset';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { OrganizationRole } from '@latchkey/core/wire/organizations';
import type { RecoveryGroup, RecoveryStatusEntry } from '@latchkey/core/wire/recovery-group';
import type { ClientContext } from './context.ts';
import { checkAndRecordGroupVersion } from './group-keys.ts';
import { certifiedMembers, fetchMembers, pinnedOrganization, type PinnedOrganization } from './organization-trust.ts';
import { rekeyGroupAfterLeaving } from './groups.ts';
import { openOrganization } from './organizations.ts';
import { wipeKeyset } from './shared-vault-keys.ts';
import { requireUnlocked } from './vaults.ts';

/** The roles whose confirmed holders are the Recovery Group (§22.1). */
export const RECOVERY_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'recovery_admin'];

const ESCROWS_AT_ONCE = 8;

/** An organization whose Recovery Group holds an escrow of a vault at its current version. */
export interface RecoverableBy {
  readonly organizationId: string;
  readonly name: string;
}

/** An organization this client did not escrow to, and why (e.g. `untrusted_key`: its Recovery Group is not certified by the organization key). */
export interface EscrowRefusal extends RecoverableBy {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What escrowing found for each own vault. */
export interface EscrowOutcome {
  readonly recoverableBy: ReadonlyMap<string, readonly RecoverableBy[]>;
  /** Per organization (not per vault): the same reason holds for every vault. */
  readonly refusals: readonly EscrowRefusal[];
}

/**
 * Creates the Recovery Group (version 1) wrapped to `holders`, with the organization keyset the
 * caller opened. Returns the new group's id.
 */
export async function createRecoveryGroupWith(
  ctx: ClientContext,
  organizationId: string,
  organizationKeyset: Keyset,
  holders: readonly CertifiedMember[],
): Promise<string> {
  const id = crypto.randomUUID();
  const version = await createGroupKeyset({ organizationId, keyset: organizationKeyset }, id, 1, holders);
  try {
    await ctx.api.call(endpoints.createRecoveryGroup, {
      params: { organizationId },
      body: {
        id,
        keyset: version.sealed,
        certificate: version.certificate,
        members: version.wraps.map((w) => ({ userId: parseUserId(w.userId), wrap: w.wrap })),
      },
    });
  } finally {
    wipeKeyset(version.keyset);
  }
  return id;
}

/** The creator of a new organization: the Recovery Group wrapped to themself alone. */
export async function createFirstRecoveryGroup(ctx: ClientContext, organizationId: string, organizationKeyset: Keyset): Promise<void> {
  const keys = requireUnlocked(ctx);
  await createRecoveryGroupWith(ctx, organizationId, organizationKeyset, [{ userId: keys.account.id, keyset: keysetPublicPart(keys.keyset) }]);
}

/**
 * For an organization made before the Recovery Group existed: creates it, wrapped to every
 * confirmed holder whose certificate verifies under the pinned key. Another holder's client doing
 * the same at once wins harmlessly (`already_exists`).
 */
async function createMissingRecoveryGroup(ctx: ClientContext, organizationId: string): Promise<void> {
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const roles = new Map(members.map((m) => [m.userId, m]));
  const holders = certifiedMembers(pinned, members).filter((c) => {
    const m = roles.get(c.userId);
    return m !== undefined && m.status === 'confirmed' && RECOVERY_ROLES.includes(m.role);
  });
  const org = await openOrganization(ctx, organizationId, pinned);
  try {
    await createRecoveryGroupWith(ctx, organizationId, org.keyset, holders);
  } catch (error) {
    if (!(error instanceof LatchkeyError) || error.code !== 'already_exists') throw error;
  } finally {
    wipeKeyset(org.keyset);
  }
}

/**
 * Opens one Recovery Group version from the caller's own wrap of it: the version's certificate
 * must verify under the pinned organization key, and the wrap be signed by that key.
 * @throws LatchkeyError `untrusted_key` (certificate or wrap signature); `decryption_failed`.
 */
export async function openRecoveryGroupVersion(
  pinned: PinnedOrganization,
  groupId: string,
  version: RecoveryGroup['versions'][number] & { keyWrap: KeyWrap },
  me: Keyset,
): Promise<{ keyset: Keyset; certified: CertifiedGroupKeyset }> {
  const certified = verifyGroupCertificate(version.certificate, pinned.organizationId, groupId, pinned.signer, version.keyVersion);
  const keyset = await openSharedKeyset(
    version.keyset,
    version.keyWrap,
    { kind: 'group', id: groupId, keyVersion: version.keyVersion },
    certified.keyset,
    keysetRecipient(me),
    me.encryption.privateKey,
    (id: string) => (id === pinned.signer.keysetId ? pinned.signer : undefined),
  );
  return { keyset, certified };
}

/**
 * Every kept version of the Recovery Group wrapped to a newly confirmed holder, or `undefined`
 * when the organization has none yet. Each version is opened here first: its certificate must
 * verify under the pinned key and the caller's wrap be signed by it.
 * @throws LatchkeyError `forbidden` when the caller is not in the Recovery Group; `untrusted_key`.
 */
export async function recoveryGroupWrapsFor(
  ctx: ClientContext,
  pinned: PinnedOrganization,
  organizationKeyset: Keyset,
  member: CertifiedMember,
): Promise<{ keyVersion: number; wrap: KeyWrap }[] | undefined> {
  const organizationId = pinned.organizationId;
  const status = (await ctx.api.call(endpoints.recoveryStatus)).organizations.find((o) => o.organizationId === organizationId);
  if (status?.recoveryGroup === null || status === undefined) return undefined;
  let group: RecoveryGroup;
  try {
    group = await ctx.api.call(endpoints.getRecoveryGroup, { params: { organizationId } });
  } catch (error) {
    if (error instanceof LatchkeyError && error.code === 'not_found')
      throw new LatchkeyError('forbidden', 'Only a member of the Recovery Group can confirm an organizer, owner or recovery admin.');
    throw error;
  }
  const me = requireUnlocked(ctx).keyset;
  const wraps = [];
  for (const v of group.versions) {
    if (v.keyWrap === undefined) throw new LatchkeyError('forbidden', 'You hold no wrap of this Recovery Group version, so you cannot pass it on.');
    const { keyset } = await openRecoveryGroupVersion(pinned, group.id, { ...v, keyWrap: v.keyWrap }, me);
    try {
      wraps.push({
        keyVersion: v.keyVersion,
        wrap: await wrapGroupVersion({ organizationId, keyset: organizationKeyset }, { groupId: group.id, keyVersion: v.keyVersion, keyset }, member),
      });
    } finally {
      wipeKeyset(keyset);
    }
  }
  return wraps;
}

/** The Recovery Group version an escrow goes to, authenticated: its certificate verifies under the pinned organization key. */
async function certifiedRecipient(ctx: ClientContext, entry: RecoveryStatusEntry & { recoveryGroup: NonNullable<RecoveryStatusEntry['recoveryGroup']> }) {
  const pinned = await pinnedOrganization(ctx, entry.organizationId);
  let certified: CertifiedGroupKeyset;
  try {
    certified = verifyGroupCertificate(
      entry.recoveryGroup.certificate,
      entry.organizationId,
      entry.recoveryGroup.id,
      pinned.signer,
      entry.recoveryGroup.keyVersion,
    );
  } catch {
    throw new LatchkeyError(
      'untrusted_key',
      `The Recovery Group key the server gave for ${entry.name} is not certified by the organization key you trust; nothing was escrowed to it.`,
    );
  }
  await checkAndRecordGroupVersion(ctx, entry.recoveryGroup.id, certified.keyVersion);
  return { keysetId: certified.keyset.id, publicKey: certified.keyset.publicKey, keyVersion: certified.keyVersion };
}

const refusalOf = (entry: RecoveryStatusEntry, error: unknown): EscrowRefusal => {
  if (!(error instanceof LatchkeyError)) throw error;
  return { organizationId: entry.organizationId, name: entry.name, code: error.code, message: error.message };
};

/**
 * Escrows each of `ownVaultIds` (the caller's own vaults) that has no escrow at the current
 * Recovery Group version of each organization the caller is a confirmed member of, creating a
 * missing Recovery Group first when the caller holds a Recovery Group role. `rawKey` gives a
 * fresh copy of a vault's verified key, which is wiped here. Never throws for one organization's
 * trouble: it is reported in `refusals`.
 */
export async function escrowOwnVaults(
  ctx: ClientContext,
  ownVaultIds: readonly VaultId[],
  rawKey: (vaultId: VaultId) => Promise<Uint8Array>,
): Promise<EscrowOutcome> {
  const me = requireUnlocked(ctx).keyset;
  const recoverableBy = new Map<string, RecoverableBy[]>(ownVaultIds.map((id) => [id, []]));
  const refusals: EscrowRefusal[] = [];
  let entries = (await ctx.api.call(endpoints.recoveryStatus)).organizations;
  // A holder's client first brings the group up to date: made when missing, re-keyed after a holder left.
  const pending = entries.filter((e) => RECOVERY_ROLES.includes(e.role) && (e.recoveryGroup === null || e.recoveryGroup.rekeyNeeded));
  if (pending.length > 0) {
    for (const e of pending) {
      try {
        if (e.recoveryGroup === null) await createMissingRecoveryGroup(ctx, e.organizationId);
        else await rekeyGroupAfterLeaving(ctx, e.organizationId, e.recoveryGroup.id, []);
      } catch (error) {
        // Another holder's client did it meanwhile: fine. Anything else is said, and escrowing goes on.
        if (!(error instanceof LatchkeyError) || error.code !== 'conflict') refusals.push(refusalOf(e, error));
      }
    }
    entries = (await ctx.api.call(endpoints.recoveryStatus)).organizations;
  }
  for (const entry of entries) {
    const group = entry.recoveryGroup;
    if (group === null) continue;
    const by = { organizationId: entry.organizationId, name: entry.name };
    const escrowed = new Set<string>(entry.escrowedVaultIds);
    const missing = ownVaultIds.filter((id) => !escrowed.has(id));
    for (const id of ownVaultIds) if (escrowed.has(id)) recoverableBy.get(id)!.push(by);
    if (missing.length === 0) continue;
    try {
      const recipient = await certifiedRecipient(ctx, { ...entry, recoveryGroup: group });
      const escrowOne = async (vaultId: VaultId) => {
        const raw = await rawKey(vaultId);
        let wrap: KeyWrap;
        try {
          wrap = await escrowVaultKey(raw, vaultId, recipient, keysetSigner(me));
        } finally {
          wipe(raw);
        }
        await ctx.api.call(endpoints.escrowVaultKey, {
          params: { vaultId, organizationId: entry.organizationId },
          body: { keyVersion: recipient.keyVersion, wrap },
        });
        recoverableBy.get(vaultId)!.push(by);
      };
      // A few at a time: a member who joins with many vaults escrows them all on the first listing.
      for (let i = 0; i < missing.length; i += ESCROWS_AT_ONCE) await Promise.all(missing.slice(i, i + ESCROWS_AT_ONCE).map(escrowOne));
    } catch (error) {
      refusals.push(refusalOf(entry, error));
    }
  }
  return { recoverableBy, refusals };
}
