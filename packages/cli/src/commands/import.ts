/**
 * `latchkey import FILE [--format F] [--vault V] [--dry-run]`: another manager's export (or a
 * Latchkey export) read and encrypted on this device (core/import-file.ts), then uploaded.
 * The whole file is parsed and checked before anything is sent, so a malformed or truncated
 * file imports nothing. Items equal to one already in the target vault (or earlier in the
 * file) are counted as duplicates and not added again, so importing a file twice adds nothing
 * the second time. If an upload fails midway, the items this run created are deleted again.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LatchkeyClient, Vault } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { openExport } from '@latchkey/core/export-file';
import {
  IMPORT_FORMATS,
  detectImportFileFormat,
  itemContentKey,
  planFromExportContent,
  planImportFile,
  type ImportFormat,
  type ImportPlan,
} from '@latchkey/core/import-file';
import type { ItemFields } from '@latchkey/core/item';
import type { ItemId } from '@latchkey/core/ids';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { givenExportPassword } from '../export-password.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

interface ImportOptions {
  format?: string;
  vault?: string;
  dryRun?: boolean;
}

async function readPlan(file: string, format: ImportFormat | undefined): Promise<ImportPlan> {
  const bytes = new Uint8Array(await readFile(file));
  const chosen = format ?? detectImportFileFormat(bytes);
  if (chosen !== 'latchkey') return planImportFile(bytes, chosen);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new LatchkeyError('invalid_file', 'This Latchkey export is not valid JSON (cut short?). Nothing was imported.');
  }
  return planFromExportContent(await openExport(parsed, await givenExportPassword()));
}

interface Target {
  readonly vault: Vault | undefined;
  readonly name: string;
  readonly items: ItemFields[];
}

export function importCommand(program: Command, run: Run): void {
  program
    .command('import')
    .description(`Import a file exported from another password manager or from Latchkey (${IMPORT_FORMATS.join(', ')}; detected when not given)`)
    .argument('<file>', 'the exported file')
    .option('--format <format>', IMPORT_FORMATS.join(', '))
    .option('--vault <name>', 'put everything into this vault (name or id) instead of the file’s folders or vaults')
    .option('--dry-run', 'show what would be imported; change nothing')
    .action((file: string, opts: ImportOptions) =>
      run(async (cli) => {
        if (opts.format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(opts.format))
          throw new LatchkeyError('invalid_request', `--format must be one of ${IMPORT_FORMATS.join(', ')}.`);
        const plan = await readPlan(file, opts.format as ImportFormat | undefined);
        const client = await unlockedClient(cli);
        const vaults = await client.vaults.list();
        const chosen = opts.vault !== undefined ? await client.vaults.find(opts.vault) : undefined;
        const personal = vaults.find((v) => v.kind === 'personal') ?? vaults[0];

        // Group the plan by target vault, matching the file's vault names to existing vaults.
        const targets = new Map<string, Target>();
        for (const planned of plan.vaults) {
          const vault = chosen ?? (planned.name === undefined ? personal : vaults.find((v) => v.name === planned.name));
          const name = vault?.name ?? planned.name!;
          const key = vault?.id ?? `new:${name}`;
          const target = targets.get(key) ?? { vault, name, items: [] };
          target.items.push(...planned.items);
          targets.set(key, target);
        }

        let duplicates = 0;
        const toCreate: Array<{ target: Target; items: ItemFields[] }> = [];
        for (const target of targets.values()) {
          const seen = new Set(target.vault !== undefined ? (await client.items.list(target.vault.id)).map((i) => itemContentKey(i)) : []);
          const fresh: ItemFields[] = [];
          for (const item of target.items) {
            const key = itemContentKey(item);
            if (seen.has(key)) duplicates++;
            else {
              seen.add(key);
              fresh.push(item);
            }
          }
          toCreate.push({ target, items: fresh });
        }
        const imported = toCreate.reduce((n, t) => n + t.items.length, 0);
        const newVaults = toCreate.filter((t) => t.target.vault === undefined && t.items.length > 0).map((t) => t.target.name);
        if (!opts.dryRun) await upload(client, toCreate, cli.out.json);
        const summary = { format: plan.format, dryRun: opts.dryRun === true, imported, duplicates, skipped: plan.skipped, newVaults };
        cli.out.result(summary, () =>
          [
            `${opts.dryRun ? 'Would import' : 'Imported'} ${imported} item(s) (${plan.format}); ${duplicates} duplicate(s) already there; ${plan.skipped.length} skipped.`,
            ...newVaults.map((v) => `  new vault: ${v}`),
            ...plan.skipped.map((s) => `  skipped ${s.entry}${s.title ? ` "${s.title}"` : ''}: ${s.reason}`),
          ].join('\n'),
        );
      }),
    );
}

/** Creates the vaults and items; on a failure, deletes the items this run created and rethrows. */
async function upload(client: LatchkeyClient, toCreate: Array<{ target: Target; items: ItemFields[] }>, quiet: boolean): Promise<void> {
  const total = toCreate.reduce((n, t) => n + t.items.length, 0);
  const created: ItemId[] = [];
  const progress = !quiet && process.stderr.isTTY && total >= 200;
  try {
    for (const { target, items } of toCreate) {
      if (items.length === 0) continue;
      const vault = target.vault ?? (await client.vaults.create(target.name));
      for (const item of items) {
        created.push((await client.items.create(vault.id, item)).id);
        if (progress && created.length % 100 === 0) process.stderr.write(`\rImported ${created.length}/${total}`);
      }
    }
    if (progress) process.stderr.write('\n');
  } catch (error) {
    // Best effort: the server has no multi-item transaction, so undo what this run added.
    for (const id of created.reverse()) await client.items.delete(id).catch(() => undefined);
    throw new LatchkeyError(
      error instanceof LatchkeyError ? error.code : 'internal',
      `The import stopped after ${created.length} of ${total} item(s) and what it had added was removed again: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
