/**
 * Vaults on the client: verify each vault key's signed wrap against a trusted keyset, unwrap it
 * with the keyset's private key (the wrap is bound to this vault and this keyset), check it
 * against the key this device pinned for the vault, decrypt the vault's name, create new vaults.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { newVaultId, type VaultId } from '@latchkey/core/ids';
import { keysetRecipient, keysetSigner } from '@latchkey/core/keyset';
import { importBoxKey, type BoxKey } from '@latchkey/core/sealed-box';
import { createVaultKey, decryptVaultAttributes, encryptVaultAttributes, unwrapVaultKey, vaultKeyFingerprint, wrapVaultKey } from '@latchkey/core/vault-key';
import { wipe } from '@latchkey/core/bytes';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { VaultSummary } from '@latchkey/core/wire/vaults';
import type { ClientContext, UnlockedKeys } from './context.ts';
import { checkAndPinKeys, trustedSigners } from './key-trust.ts';
import { requireSession } from './sign-in.ts';

export interface Vault {
  readonly id: VaultId;
  readonly name: string;
  readonly kind: 'personal' | 'shared';
  readonly role: 'owner' | 'member';
}

export function requireUnlocked(ctx: ClientContext): UnlockedKeys {
  if (ctx.keys === undefined) throw new LatchkeyError('client_locked', 'Unlock first: enter your account password.');
  return ctx.keys;
}

/**
 * The vault keys of `vaults`, each verified (signature by a trusted keyset, then this device's
 * pin) before it is used or cached.
 * @throws LatchkeyError `untrusted_key` for a wrap no trusted keyset signed for this vault and
 *   keyset; `key_changed` for a key other than the pinned one; `decryption_failed`.
 */
export async function vaultKeysFor(ctx: ClientContext, vaults: readonly VaultSummary[]): Promise<Map<string, BoxKey>> {
  const keys = requireUnlocked(ctx);
  const toOpen = vaults.filter((v) => !keys.vaultKeys.has(v.id));
  const trust = trustedSigners(keys);
  const recipient = keysetRecipient(keys.keyset);
  const opened = await Promise.allSettled(toOpen.map((v) => unwrapVaultKey(v.keyWrap, v.id, recipient, keys.keyset.encryption.privateKey, trust)));
  const raws = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await checkAndPinKeys(
      ctx,
      keys.keyset.id,
      toOpen.map((v, i) => ({ purpose: 'vault-key', subjectId: v.id, fingerprint: vaultKeyFingerprint(v.id, raws[i]!) })),
    );
    const imported = await Promise.all(raws.map((raw) => importBoxKey(raw)));
    toOpen.forEach((v, i) => {
      keys.vaultKeys.set(v.id, imported[i]!);
    });
  } finally {
    raws.forEach(wipe);
  }
  return new Map(vaults.map((v) => [v.id, keys.vaultKeys.get(v.id)!]));
}

export async function fetchVaults(ctx: ClientContext): Promise<VaultSummary[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listVaults)).vaults;
}

export async function listVaults(ctx: ClientContext): Promise<Vault[]> {
  requireUnlocked(ctx);
  const summaries = await fetchVaults(ctx);
  const vaultKeys = await vaultKeysFor(ctx, summaries);
  return Promise.all(
    summaries.map(async (v) => ({
      id: v.id,
      kind: v.kind,
      role: v.role,
      name: (await decryptVaultAttributes(vaultKeys.get(v.id)!, v.id, v.encryptedAttrs)).name,
    })),
  );
}

export async function createVault(ctx: ClientContext, name: string): Promise<Vault> {
  const keys = requireUnlocked(ctx);
  if (name.trim() === '') throw new LatchkeyError('invalid_request', 'A vault needs a name.');
  await requireSession(ctx);
  const id = newVaultId();
  const raw = createVaultKey();
  const key = await importBoxKey(raw);
  const body = {
    id,
    encryptedAttrs: await encryptVaultAttributes(key, id, { name }),
    keyWrap: await wrapVaultKey(raw, id, keysetRecipient(keys.keyset), keysetSigner(keys.keyset)),
  };
  // Pinned before the server hears of the vault, so no answer of its can introduce another key.
  await checkAndPinKeys(ctx, keys.keyset.id, [{ purpose: 'vault-key', subjectId: id, fingerprint: vaultKeyFingerprint(id, raw) }]);
  wipe(raw);
  await ctx.api.call(endpoints.createVault, body);
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
