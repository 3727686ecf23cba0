/**
 * Import (SPEC §7): 5,000 items from a file, end to end through the SDK (parse the file, match
 * vaults and look for duplicates, encrypt, upload through the batch endpoint), against a bare
 * encrypt-and-upload of the same items in the same run (`encryptItem` each, one batch POST), and
 * for reference the old way of creating them one POST at a time.
 */
import { newItemId, type VaultId } from '@latchkey/core/ids';
import { planImportFile } from '@latchkey/core/import-file';
import { encryptItem, type ItemFields } from '@latchkey/core/item';
import { endpoints } from '@latchkey/core/wire/endpoints';
import { importPlan } from '@latchkey/client/import';
import { createItem, listItems } from '@latchkey/client/items';
import { createVault } from '@latchkey/client/vaults';
import type { SyncFixture } from './fixture.ts';
import { check, row, type Section } from './report.ts';
import { sampleItem } from './sync.ts';
import { fmt, mapConcurrent, median, pct } from './util.ts';

export const IMPORT_ITEMS = 5_000;
const ROUNDS = 3;
const ONE_BY_ONE_SAMPLE = 500;

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** The items as a Bitwarden-style CSV export (every field Latchkey reads, notes with line breaks). */
function exportFile(items: readonly ItemFields[]): Uint8Array {
  const lines = ['folder,type,name,notes,login_uri,login_username,login_password,login_totp'];
  for (const i of items) {
    lines.push(
      ['', i.kind === 'note' ? 'note' : 'login', i.title, i.notes ?? '', (i.urls ?? []).join('\n'), i.username ?? '', i.password ?? '', i.totp ?? '']
        .map(quote)
        .join(','),
    );
  }
  return new TextEncoder().encode(lines.join('\r\n'));
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export async function benchImport(fixture: SyncFixture): Promise<Section> {
  const { ctx } = fixture;
  const file = exportFile(Array.from({ length: IMPORT_ITEMS }, (_, i) => sampleItem(i)));
  const importMs: number[] = [];
  const parseMs: number[] = [];
  const bareMs: number[] = [];
  let ciphertextBytes = 0;

  // Reference, first (while the local store is small): the way import uploaded before the batch
  // endpoint, one POST per item, 16 in flight; on a sample, as it is slow.
  const sample = (await planImportFile(file)).vaults.flatMap((v) => v.items).slice(0, ONE_BY_ONE_SAMPLE);
  const oneByOne = await createVault(ctx, 'One by one');
  const oneByOneMs = (await timed(() => mapConcurrent(ONE_BY_ONE_SAMPLE, 16, (i) => createItem(ctx, oneByOne.id as VaultId, sample[i]!)))).ms;

  // Interleaved rounds, each into fresh empty vaults, so neither side meets the other's items.
  for (let round = 0; round < ROUNDS; round++) {
    const target = await createVault(ctx, `Import ${round}`);
    const run = await timed(async () => {
      const parsed = await timed(() => planImportFile(file));
      parseMs.push(parsed.ms);
      return importPlan(ctx, parsed.value, { vault: target.id });
    });
    if (run.value.imported !== IMPORT_ITEMS) throw new Error(`imported ${run.value.imported} of ${IMPORT_ITEMS} (duplicates ${run.value.duplicates})`);
    importMs.push(run.ms);

    // Bare: the same item fields (as the file yields them), encrypted and sent in one batch.
    const items = (await planImportFile(file)).vaults.flatMap((v) => v.items);
    const bare = await createVault(ctx, `Bare ${round}`);
    const key = ctx.keys!.vaultKeys.get(bare.id)!;
    bareMs.push(
      (
        await timed(async () => {
          const batch = await Promise.all(
            items.map(async (fields) => {
              const id = newItemId();
              return { vaultId: bare.id, id, ciphertext: await encryptItem(key, { vaultId: bare.id, itemId: id, version: 1 }, fields) };
            }),
          );
          ciphertextBytes = batch.reduce((n, i) => n + i.ciphertext.length, 0);
          await ctx.api.call(endpoints.createItems, { items: batch });
        })
      ).ms,
    );
  }
  if ((await listItems(ctx, (await createVault(ctx, 'Check')).id)).length !== 0) throw new Error('a fresh vault is not empty');

  const imp = median(importMs);
  const bare = median(bareMs);
  return {
    title: `Import (${IMPORT_ITEMS.toLocaleString('en-US')} items)`,
    rows: [
      row('Import end to end (parse, duplicates, encrypt, batch upload; SDK)', {
        measured: `${fmt(imp / 1000, 2)} s`,
        baseline: '10 s budget',
        ratio: pct(imp / 10_000),
        target: '< 10 s',
        status: check(imp < 10_000),
      }),
      row('Import vs bare encrypt-and-upload of the same items', {
        measured: `${fmt(imp, 0)} ms`,
        baseline: `${fmt(bare, 0)} ms (encryptItem × ${IMPORT_ITEMS.toLocaleString('en-US')}, one batch POST)`,
        ratio: pct(bare / imp),
        target: '≥ 50 % of bare',
        status: check(bare / imp >= 0.5),
      }),
      row('  reference: parsing the file (planImportFile)', {
        measured: `${fmt(median(parseMs), 0)} ms`,
        baseline: `import ${fmt(imp, 0)} ms`,
        ratio: pct(median(parseMs) / imp),
        status: 'info',
      }),
      row(`  reference: ${ONE_BY_ONE_SAMPLE} of the items one POST each (createItem, 16 in flight)`, {
        measured: `${fmt(oneByOneMs / 1000, 2)} s (${fmt(oneByOneMs / ONE_BY_ONE_SAMPLE, 1)} ms per item)`,
        baseline: `import ${fmt(imp / IMPORT_ITEMS, 3)} ms per item`,
        ratio: `${fmt(oneByOneMs / ONE_BY_ONE_SAMPLE / (imp / IMPORT_ITEMS), 0)}× per item`,
        status: 'info',
      }),
    ],
    notes: [
      `The file: a ${fmt(file.length / 1e6, 2)} MB Bitwarden-style CSV of ${IMPORT_ITEMS} items (bench/sync.ts \`sampleItem\`: logins with URL, some notes and TOTP URIs, secure notes, passwords), built in memory. Import: \`planImportFile\` then the SDK's \`importPlan\` (client/import.ts) into a fresh empty vault (\`vault\` option): vault list and keys, the target vault's existing items for duplicates, \`encryptItem\` per item, one \`POST /api/items/batch\` (${fmt(ciphertextBytes / 1e6, 2)} MB of ciphertext), the version bookkeeping. Bare: the same item fields encrypted with \`encryptItem\` (Promise.all) and sent in one batch POST into another fresh vault, no parsing or duplicate check. Medians of ${ROUNDS} interleaved rounds: import ${importMs.map((m) => fmt(m, 0)).join(', ')} ms; bare ${bareMs.map((m) => fmt(m, 0)).join(', ')} ms.`,
      `One by one: what \`latchkey import\` did before the batch endpoint (one transaction per item, so not atomic), on the first ${ONE_BY_ONE_SAMPLE} items only, before the rounds: ${fmt(oneByOneMs / 1000, 2)} s. Each SDK \`createItem\` also copies the device's whole map of item versions in its local store (\`checkAndRecordVersions\`), so its cost grows with the items already recorded: all 5,000 this way, after 15,000 recorded, took 368 s in a trial run on a busy machine. The server is a separate process on the embedded SQLite database on this machine; the CLI's own start-up, sign-in and unlock are not included.`,
    ],
  };
}
