/**
 * Vaults on the client: verify each vault key's signed wrap against a trusted keyset, unwrap it
 * with the keyset's private key (the wrap is bound to this vault and this keyset), check it
 * against the key this device pinned for the vault, decrypt the vault's name, create new vaults.
 * Vaults shared with the caller in an organization come in the same list, with the caller's role
 * (their keys open as `shared-vault-keys.ts` says).
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { newVaultId, type VaultId } from '@latchkey/core/ids';
import { keysetRecipient, keysetSigner } from '@latchkey/core/keyset';
import { importBoxKey, type BoxKey } from '@latchkey/core/sealed-box';
import { createVaultKey, decryptVaultAttributes, encryptVaultAttributes, unwrapVaultKey, vaultKeyFingerprint, wrapVaultKey } from '@latchkey/core/vault-key';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { KeyWrap } from '@latchkey/core/wire/key-wrap';
import type { CreateVaultRequest } from '@latchkey/core/wire/vaults';
import type { ClientContext, UnlockedKeys } from './context.ts';
import { checkAndPinKeys, trustedSigners } from './key-trust.ts';
import { escrowOwnVaults, type EscrowRefusal, type RecoverableBy } from './recovery-group.ts';
import { requireSession } from './sign-in.ts';
import {
  closeShareOpening,
  fetchSharedVaults,
  newShareOpening,
  openSharedVaultKey,
  organizationOf,
  type ShareOpening,
  type SharedVaultShare,
} from './shared-vault-keys.ts';
import type { TrustedSignerLookup } from '@latchkey/core/key-wrap';

/** How the caller may use a vault: their own, or shared with them with a role (docs/protocol.md §22.6). */
export type VaultAccess = 'owner' | 'manage' | 'edit' | 'view';

export interface Vault {
  readonly id: VaultId;
  readonly name: string;
  readonly kind: 'personal' | 'shared';
  /** `owner` for the caller's own vaults, `member` for vaults shared with them. */
  readonly role: 'owner' | 'member';
  /** What the caller may do: `view` reads, `edit` also writes items, `manage` also shares; `owner` all. */
  readonly access: VaultAccess;
  /** The organization the vault is shared with the caller in; `null` for the caller's own vaults. */
  readonly organizationId: string | null;
  /**
   * For the caller's own vaults: the organizations whose Recovery Group holds an escrow of its key
   * at the current version (docs/protocol.md §22.8); empty for vaults shared with the caller.
   */
  readonly recoverableBy: readonly RecoverableBy[];
  /** Organizations this client refused or failed to escrow this vault to, with the reason (e.g. `untrusted_key`). */
  readonly escrowRefusals: readonly EscrowRefusal[];
}

export function requireUnlocked(ctx: ClientContext): UnlockedKeys {
  if (ctx.keys === undefined) throw new LatchkeyError('client_locked', 'Unlock first: enter your account password.');
  return ctx.keys;
}

/** A vault the server says the caller may read, and the wrap that should open its key. */
export interface VaultEntry {
  readonly id: VaultId;
  readonly kind: 'personal' | 'shared';
  readonly encryptedAttrs: string;
  readonly access: VaultAccess;
  readonly organizationId: string | null;
  /** The caller's own wrap (signed by their keyset), or the shares that reach them. */
  readonly source: { readonly via: 'own'; readonly keyWrap: KeyWrap } | { readonly via: 'share'; readonly shares: readonly SharedVaultShare[] };
}

/**
 * The raw key of one vault, verified: the wrap's signature by a trusted keyset (own, or a member
 * the organization certified), the recipient (this keyset, or a group keyset the organization
 * certified and wrapped to this person), then this device's pin. The caller wipes it.
 * @throws LatchkeyError `untrusted_key`, `key_changed`, `decryption_failed`.
 */
export async function openVaultKeyRaw(ctx: ClientContext, vault: VaultEntry, opening?: ShareOpening): Promise<Uint8Array> {
  const keys = requireUnlocked(ctx);
  let raw: Uint8Array;
  if (vault.source.via === 'own') {
    const wrap = vault.source.keyWrap;
    const trust = wrap.signerKeysetId === keys.keyset.id ? trustedSigners(keys) : await recoveredWrapSigners(ctx, opening);
    raw = await unwrapVaultKey(wrap, vault.id, keysetRecipient(keys.keyset), keys.keyset.encryption.privateKey, trust);
  } else {
    const mine = opening ?? newShareOpening();
    try {
      raw = await openSharedVaultKey(ctx, vault.id, vault.source.shares, mine);
    } finally {
      if (opening === undefined) await closeShareOpening(mine);
    }
  }
  try {
    await checkAndPinKeys(ctx, keys.keyset.id, [{ purpose: 'vault-key', subjectId: vault.id, fingerprint: vaultKeyFingerprint(vault.id, raw) }]);
  } catch (error) {
    wipe(raw);
    throw error;
  }
  return raw;
}

/**
 * Who may have wrapped one of the caller's own vault keys besides their own keyset: after an
 * organizer recovery (§22.8), the approver re-wrapped each key to the new keyset. Accepted only
 * from a member certified under the organization key this keyset pinned, in an organization
 * where the caller is a confirmed member; anyone else's wrap stays `untrusted_key`.
 */
async function recoveredWrapSigners(ctx: ClientContext, opening: ShareOpening | undefined): Promise<TrustedSignerLookup> {
  const own = trustedSigners(requireUnlocked(ctx));
  const mine = opening ?? newShareOpening();
  const { organizations } = await ctx.api.call(endpoints.listOrganizations);
  const lookups: TrustedSignerLookup[] = [];
  for (const o of organizations) {
    if (o.status !== 'confirmed') continue;
    try {
      lookups.push((await organizationOf(ctx, mine, o.id)).trust);
    } catch (error) {
      if (!(error instanceof LatchkeyError)) throw error;
    }
  }
  return async (keysetId) => {
    const found = await own(keysetId);
    if (found !== undefined) return found;
    for (const lookup of lookups) {
      const signer = await lookup(keysetId);
      if (signer !== undefined) return signer;
    }
    return undefined;
  };
}

/**
 * The vault keys of `vaults`, each verified (see `openVaultKeyRaw`) before it is used or cached.
 * @throws LatchkeyError `untrusted_key` for a wrap no trusted keyset signed for this vault and
 *   keyset; `key_changed` for a key other than the pinned one; `decryption_failed`.
 */
export async function vaultKeysFor(ctx: ClientContext, vaults: readonly VaultEntry[]): Promise<Map<string, BoxKey>> {
  const keys = requireUnlocked(ctx);
  const toOpen = vaults.filter((v) => !keys.vaultKeys.has(v.id));
  const opening = newShareOpening();
  const opened = await Promise.allSettled(toOpen.map((v) => openVaultKeyRaw(ctx, v, opening)));
  const raws = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const imported = await Promise.all(raws.map((raw) => importBoxKey(raw)));
    toOpen.forEach((v, i) => {
      keys.vaultKeys.set(v.id, imported[i]!);
    });
  } finally {
    raws.forEach(wipe);
    await closeShareOpening(opening);
  }
  return new Map(vaults.map((v) => [v.id, keys.vaultKeys.get(v.id)!]));
}

const ROLE_RANK: Readonly<Record<VaultAccess, number>> = { view: 1, edit: 2, manage: 3, owner: 4 };

/** The caller's own vaults and, once, each vault shared with them (with the strongest role of its shares). */
export async function fetchVaults(ctx: ClientContext): Promise<VaultEntry[]> {
  await requireSession(ctx);
  const [own, shared] = await Promise.all([ctx.api.call(endpoints.listVaults), fetchSharedVaults(ctx)]);
  const entries: VaultEntry[] = own.vaults.map((v) => ({
    id: v.id,
    kind: v.kind,
    encryptedAttrs: v.encryptedAttrs,
    access: v.role === 'owner' ? 'owner' : 'edit',
    organizationId: null,
    source: { via: 'own', keyWrap: v.keyWrap },
  }));
  const seen = new Set<string>(entries.map((e) => e.id));
  const byVault = new Map<string, SharedVaultShare[]>();
  for (const s of shared) if (!seen.has(s.vaultId)) byVault.set(s.vaultId, [...(byVault.get(s.vaultId) ?? []), s]);
  for (const [vaultId, shares] of byVault) {
    const best = shares.reduce((a, b) => (ROLE_RANK[b.role] > ROLE_RANK[a.role] ? b : a));
    entries.push({
      id: vaultId as VaultId,
      kind: 'shared',
      encryptedAttrs: best.encryptedAttrs,
      access: best.role,
      organizationId: best.organizationId,
      source: { via: 'share', shares },
    });
  }
  return entries;
}

/** The caller's own vaults (their wrap, role owner): the ones they escrow. */
const ownedEntries = (entries: readonly VaultEntry[]) => entries.filter((v) => v.source.via === 'own' && v.access === 'owner');

export async function listVaults(ctx: ClientContext): Promise<Vault[]> {
  requireUnlocked(ctx);
  const entries = await fetchVaults(ctx);
  const vaultKeys = await vaultKeysFor(ctx, entries);
  const owned = new Map(ownedEntries(entries).map((v) => [v.id, v]));
  // Escrow what is missing now, with keys just verified and pinned (docs/protocol.md §22.8).
  const escrow = await escrowOwnVaults(ctx, [...owned.keys()], (id) => openVaultKeyRaw(ctx, owned.get(id)!));
  return Promise.all(
    entries.map(async (v) => ({
      id: v.id,
      kind: v.kind,
      role: v.access === 'owner' ? 'owner' : 'member',
      access: v.access,
      organizationId: v.organizationId,
      name: (await decryptVaultAttributes(vaultKeys.get(v.id)!, v.id, v.encryptedAttrs)).name,
      recoverableBy: escrow.recoverableBy.get(v.id) ?? [],
      escrowRefusals: owned.has(v.id) ? escrow.refusals : [],
    })),
  );
}

/** A new vault ready to send: its request body, and its key (pinned on this device already). */
export interface PreparedVault {
  readonly body: CreateVaultRequest;
  readonly key: BoxKey;
  readonly vault: Vault;
}

/**
 * A new vault's id, key, encrypted name and signed wrap, with the key pinned before the server
 * hears of the vault, so no answer of its can introduce another key. Not yet sent.
 */
export async function prepareVault(ctx: ClientContext, name: string): Promise<PreparedVault> {
  const keys = requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A vault needs a name.');
  const id = newVaultId();
  const raw = createVaultKey();
  const key = await importBoxKey(raw);
  const body = {
    id,
    encryptedAttrs: await encryptVaultAttributes(key, id, { name }),
    keyWrap: await wrapVaultKey(raw, id, keysetRecipient(keys.keyset), keysetSigner(keys.keyset)),
  };
  await checkAndPinKeys(ctx, keys.keyset.id, [{ purpose: 'vault-key', subjectId: id, fingerprint: vaultKeyFingerprint(id, raw) }]);
  wipe(raw);
  return { body, key, vault: { id, name, kind: 'shared', role: 'owner', access: 'owner', organizationId: null, recoverableBy: [], escrowRefusals: [] } };
}

export async function createVault(ctx: ClientContext, name: string): Promise<Vault> {
  const keys = requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A vault needs a name.');
  await requireSession(ctx);
  const prepared = await prepareVault(ctx, name);
  await ctx.api.call(endpoints.createVault, prepared.body);
  keys.vaultKeys.set(prepared.vault.id, prepared.key);
  // Escrowed at once to each organization's Recovery Group (§22.8), with the key opened again from the wrap just sent.
  const entry: VaultEntry = {
    id: prepared.vault.id,
    kind: 'shared',
    encryptedAttrs: prepared.body.encryptedAttrs,
    access: 'owner',
    organizationId: null,
    source: { via: 'own', keyWrap: prepared.body.keyWrap },
  };
  const escrow = await escrowOwnVaults(ctx, [entry.id], () => openVaultKeyRaw(ctx, entry));
  return { ...prepared.vault, recoverableBy: escrow.recoverableBy.get(entry.id) ?? [], escrowRefusals: escrow.refusals };
}

/** Finds a vault by exact name (case-insensitive) or id. Throws `not_found` or `invalid_request` when ambiguous. */
export async function findVault(ctx: ClientContext, nameOrId: string): Promise<Vault> {
  const vaults = await listVaults(ctx);
  const byId = vaults.find((v) => v.id === nameOrId);
  if (byId) return byId;
  const matches = vaults.filter((v) => v.name.toLowerCase() === nameOrId.toLowerCase());
  if (matches.length === 0) throw new LatchkeyError('not_found', `No vault named "${nameOrId}".`);
  if (matches.length > 1) throw new LatchkeyError('invalid_request', `Several vaults are named "${nameOrId}"; use the vault id.`);
  return matches[0]!;
}
