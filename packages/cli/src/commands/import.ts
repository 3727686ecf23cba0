/**
 * `latchkey import FILE [--format F] [--vault V] [--dry-run]`: another manager's export (or a
 * Latchkey export) read and encrypted on this device (core/import-file.ts), then uploaded.
 * The whole file is parsed and checked before anything is sent, so a malformed or truncated
 * file imports nothing. The SDK's import (client/import.ts) leaves out duplicates (so importing
 * a file twice adds nothing the second time) and uploads through the batch endpoint, all or
 * nothing.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { openExport } from '@latchkey/core/export-file';
import { IMPORT_FORMATS, detectImportFileFormat, planFromExportContent, planImportFile, type ImportFormat, type ImportPlan } from '@latchkey/core/import-file';
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
        const vault = opts.vault !== undefined ? (await client.vaults.find(opts.vault)).id : undefined;
        const total = plan.vaults.reduce((n, v) => n + v.items.length, 0);
        const progress = !cli.out.json && process.stderr.isTTY && total >= 200;
        const summary = await client.items.import(plan, {
          ...(vault !== undefined ? { vault } : {}),
          dryRun: opts.dryRun === true,
          ...(progress ? { onProgress: (done: number, of: number) => process.stderr.write(`\rImporting… ${Math.floor((100 * done) / of)}%`) } : {}),
        });
        if (progress && !opts.dryRun) process.stderr.write('\n');
        cli.out.result(summary, () =>
          [
            `${opts.dryRun ? 'Would import' : 'Imported'} ${summary.imported} item(s) (${plan.format}); ${summary.duplicates} duplicate(s) already there; ${plan.skipped.length} skipped.`,
            ...summary.newVaults.map((v) => `  new vault: ${v}`),
            ...plan.skipped.map((s) => `  skipped ${s.entry}${s.title ? ` "${s.title}"` : ''}: ${s.reason}`),
          ].join('\n'),
        );
      }),
    );
}
