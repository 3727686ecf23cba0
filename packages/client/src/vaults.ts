/**
 * Vaults on the client: unwrap each vault key with the keyset's private key (the wrapped key is
 * bound to this vault and this keyset), decrypt the vault's name, create new vaults.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { importBoxKey, type BoxKey } from '@latchkey/core/sealed-box';
import { createVaultKey, decryptVaultAttributes, encryptVaultAttributes, unwrapVaultKey, wrapVaultKey } from '@latchkey/core/vault-key';
import { wipe } from '@latchkey/core/bytes';
import type { VaultList, VaultSummary } from '@latchkey/core/wire/vaults';
import type { ClientContext, UnlockedKeys } from './context.ts';
import { requireSession } from './sign-in.ts';

export interface Vault {
  readonly id: string;
  readonly name: string;
  readonly kind: 'personal' | 'shared';
  readonly role: 'owner' | 'member';
}

export function requireUnlocked(ctx: ClientContext): UnlockedKeys {
  if (ctx.keys === undefined) throw new LatchkeyError('not_signed_in', 'Unlock first: enter your account password.');
  return ctx.keys;
}

export async function vaultKeyFor(ctx: ClientContext, vault: VaultSummary): Promise<BoxKey> {
  const keys = requireUnlocked(ctx);
  const cached = keys.vaultKeys.get(vault.id);
  if (cached !== undefined) return cached;
  if (vault.keysetId !== keys.keyset.id) throw new LatchkeyError('decryption_failed', 'This vault key is not wrapped to your keyset.');
  const raw = await unwrapVaultKey(vault.wrappedKey, keys.keyset.encryption.privateKey, { vaultId: vault.id, keysetId: keys.keyset.id });
  const key = await importBoxKey(raw);
  wipe(raw);
  keys.vaultKeys.set(vault.id, key);
  return key;
}

export async function fetchVaults(ctx: ClientContext): Promise<VaultSummary[]> {
  await requireSession(ctx);
  return (await ctx.api.request<VaultList>('GET', '/api/vaults')).vaults;
}

export async function listVaults(ctx: ClientContext): Promise<Vault[]> {
  requireUnlocked(ctx);
  const summaries = await fetchVaults(ctx);
  return Promise.all(
    summaries.map(async (v) => ({ id: v.id, kind: v.kind, role: v.role, name: (await decryptVaultAttributes(await vaultKeyFor(ctx, v), v.id, v.encryptedAttrs)).name })),
  );
}

export async function createVault(ctx: ClientContext, name: string): Promise<Vault> {
  const keys = requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A vault needs a name.');
  await requireSession(ctx);
  const id = crypto.randomUUID();
  const raw = createVaultKey();
  const key = await importBoxKey(raw);
  const body = {
    id,
    encryptedAttrs: await encryptVaultAttributes(key, id, { name }),
    wrappedKey: await wrapVaultKey(raw, keys.keyset.encryption.publicKey, { vaultId: id, keysetId: keys.keyset.id }),
  };
  wipe(raw);
  await ctx.api.request('POST', '/api/vaults', body);
  keys.vaultKeys.set(id, key);
  return { id, name, kind: 'shared', role: 'owner' };
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
