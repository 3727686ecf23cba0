/**
 * Importing a plan (`@latchkey/core/import-file`: another manager's export, read on this device)
 * into the caller's vaults. Entries without a vault go to Personal (or `vault`); named vaults are
 * matched by name or created. An item equal (`itemContentKey`) to one already in its target
 * vault, or to an earlier one in the file, is a duplicate and not created, so importing a file
 * twice adds nothing. Everything is encrypted here first (each item bound to its new id, its
 * vault and version 1, as a single create), then sent with the new vaults through the batch
 * endpoint, which writes a batch in one transaction: an import of up to `MAX_ITEMS_PER_BATCH`
 * items (and `ITEM_BATCH_BODY_LIMIT` bytes) is all or nothing on the server. A larger one goes
 * in several batches; if a later batch fails, the items of the earlier ones are deleted again
 * (best effort), and the vaults the first batch created stay, empty.
 */
import { LatchkeyError } from '@latchkey/core/errors';
import { newItemId, type ItemId, type VaultId } from '@latchkey/core/ids';
import { itemContentKey, type ImportFormat, type ImportPlan, type SkippedEntry } from '@latchkey/core/import-file';
import { encryptItem, validateItemFields, type ItemFields } from '@latchkey/core/item';
import type { BoxKey } from '@latchkey/core/sealed-box';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { ITEM_BATCH_BODY_LIMIT, MAX_ITEMS_PER_BATCH, type BatchItem, type CreateVaultRequest } from '@latchkey/core/wire/vaults';
import type { ClientContext } from './context.ts';
import { checkAndRecordVersions, discardNewItem, listItems } from './items.ts';
import { requireSession } from './sign-in.ts';
import { listVaults, prepareVault, requireUnlocked, type Vault } from './vaults.ts';

export interface ImportOptions {
  /** Put everything into this vault instead of the file's vaults or folders. */
  readonly vault?: VaultId;
  /** Count what would be imported; change nothing. */
  readonly dryRun?: boolean;
  /** Called as items are encrypted and as batches are sent (`done` of `total` items). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  readonly format: ImportFormat;
  readonly dryRun: boolean;
  readonly imported: number;
  readonly duplicates: number;
  readonly skipped: readonly SkippedEntry[];
  /** Names of the vaults the import created (or would create). */
  readonly newVaults: readonly string[];
}

interface Target {
  readonly vault: Vault | undefined;
  readonly name: string;
  readonly items: ItemFields[];
}

/** Room left in a batch body for the JSON around the items and for the new vaults. */
const BODY_MARGIN = 256 * 1024;
/** A batch item's JSON besides its ciphertext: ids, keys, quotes. */
const ITEM_OVERHEAD = 128;

export async function importPlan(ctx: ClientContext, plan: ImportPlan, options: ImportOptions = {}): Promise<ImportSummary> {
  const keys = requireUnlocked(ctx);
  await requireSession(ctx);
  const vaults = await listVaults(ctx);
  const chosen = options.vault !== undefined ? vaults.find((v) => v.id === options.vault) : undefined;
  if (options.vault !== undefined && chosen === undefined) throw new LatchkeyError('not_found', 'No such vault.');
  const personal = vaults.find((v) => v.kind === 'personal') ?? vaults[0];

  // Group the plan by target vault, matching the file's vault names to existing vaults.
  const targets = new Map<string, Target>();
  for (const planned of plan.vaults) {
    const vault = chosen ?? (planned.name === undefined ? personal : vaults.find((v) => v.name === planned.name));
    const name = vault?.name ?? planned.name ?? 'Imported';
    const key = vault?.id ?? `new:${name}`;
    const target = targets.get(key) ?? { vault, name, items: [] };
    target.items.push(...planned.items.map((i) => validateItemFields(i)));
    targets.set(key, target);
  }
  for (const t of targets.values()) {
    if (t.vault?.access === 'view' && t.items.length > 0)
      throw new LatchkeyError('forbidden', `The vault "${t.name}" is shared with you to view; nothing was imported.`);
  }

  let duplicates = 0;
  const toCreate: Array<{ target: Target; items: ItemFields[] }> = [];
  for (const target of targets.values()) {
    const seen = new Set(target.vault !== undefined ? (await listItems(ctx, target.vault.id)).map((i) => itemContentKey(i)) : []);
    const fresh: ItemFields[] = [];
    for (const item of target.items) {
      const contentKey = itemContentKey(item);
      if (seen.has(contentKey)) duplicates++;
      else {
        seen.add(contentKey);
        fresh.push(item);
      }
    }
    if (fresh.length > 0) toCreate.push({ target, items: fresh });
  }
  const imported = toCreate.reduce((n, t) => n + t.items.length, 0);
  const newVaults = toCreate.filter((t) => t.target.vault === undefined).map((t) => t.target.name);
  const summary = { format: plan.format, dryRun: options.dryRun === true, imported, duplicates, skipped: plan.skipped, newVaults };
  if (options.dryRun || imported === 0) return summary;

  // Encrypt everything before sending anything.
  const vaultBodies: CreateVaultRequest[] = [];
  const newKeys = new Map<VaultId, BoxKey>();
  const encrypted: BatchItem[] = [];
  const sources = new Map<string, { key: BoxKey; fields: ItemFields }>();
  for (const { target, items } of toCreate) {
    let vaultId: VaultId;
    let key: BoxKey;
    if (target.vault !== undefined) {
      vaultId = target.vault.id;
      key = keys.vaultKeys.get(vaultId)!;
    } else {
      const prepared = await prepareVault(ctx, target.name);
      vaultBodies.push(prepared.body);
      newKeys.set(prepared.vault.id, prepared.key);
      vaultId = prepared.vault.id;
      key = prepared.key;
    }
    for (const fields of items) {
      const id = newItemId();
      encrypted.push({ vaultId, id, ciphertext: await encryptItem(key, { vaultId, itemId: id, version: 1 }, fields) });
      sources.set(id, { key, fields });
      if (encrypted.length % 500 === 0) options.onProgress?.(encrypted.length, imported * 2);
    }
  }

  const batches: BatchItem[][] = [[]];
  let bytes = 0;
  const budget = ITEM_BATCH_BODY_LIMIT - BODY_MARGIN - JSON.stringify(vaultBodies).length;
  for (const item of encrypted) {
    const size = item.ciphertext.length + ITEM_OVERHEAD;
    const current = batches[batches.length - 1]!;
    if (current.length > 0 && (current.length >= MAX_ITEMS_PER_BATCH || bytes + size > budget)) {
      batches.push([item]);
      bytes = size;
    } else {
      current.push(item);
      bytes += size;
    }
  }

  const created: ItemId[] = [];
  try {
    for (const [index, batch] of batches.entries()) {
      await ctx.api.call(endpoints.createItems, index === 0 && vaultBodies.length > 0 ? { vaults: vaultBodies, items: batch } : { items: batch });
      if (index === 0) for (const [id, key] of newKeys) keys.vaultKeys.set(id, key);
      created.push(...batch.map((i) => i.id as ItemId));
      options.onProgress?.(imported + created.length, imported * 2);
    }
  } catch (error) {
    // The failed batch wrote nothing; earlier ones did, and are removed again.
    const vaultOf = new Map(encrypted.map((i) => [i.id, i.vaultId]));
    for (const id of created.reverse()) {
      const source = sources.get(id)!;
      await discardNewItem(ctx, source.key, { vaultId: vaultOf.get(id)!, itemId: id }, source.fields).catch(() => undefined);
    }
    throw new LatchkeyError(
      error instanceof LatchkeyError ? error.code : 'internal',
      created.length === 0
        ? `Nothing was imported: ${(error as Error).message}`
        : `The import stopped after ${created.length} of ${imported} item(s) and what it had added was removed again: ${(error as Error).message}`,
      { cause: error },
    );
  }
  await checkAndRecordVersions(
    ctx,
    created.map((id) => ({ id, version: 1 })),
  );
  return summary;
}
