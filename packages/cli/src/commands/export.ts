/**
 * `latchkey export --format latchkey|json|csv -o FILE`: every item of your vaults (or of
 * `--vault` ones), written only to the file named. `latchkey` is encrypted with a password you
 * choose (core/export-file.ts); `json` and `csv` are in clear and need
 * `--i-understand-this-is-plaintext` (or typing "plaintext" on a terminal).
 */
import { chmod, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { LatchkeyError } from '@latchkey/core/errors';
import { exportContent, exportCsv, sealExport, type ExportedVault } from '@latchkey/core/export-file';
import type { ItemFields } from '@latchkey/core/item';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { chooseExportPassword } from '../export-password.ts';
import { ask, isInteractive } from '../prompt.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const FORMATS = ['latchkey', 'json', 'csv'] as const;
type ExportFormat = (typeof FORMATS)[number];

interface ExportOptions {
  format: string;
  outFile: string;
  vault?: string[];
  force?: boolean;
  iUnderstandThisIsPlaintext?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function confirmPlaintext(opts: ExportOptions): Promise<void> {
  if (opts.iUnderstandThisIsPlaintext) return;
  if (!isInteractive())
    throw new LatchkeyError(
      'invalid_request',
      `--format ${opts.format} writes every password in clear: give --i-understand-this-is-plaintext, or use --format latchkey (encrypted).`,
    );
  const answer = await ask(`${opts.outFile} will hold every password in clear. Type "plaintext" to write it: `);
  if (answer.trim() !== 'plaintext') throw new LatchkeyError('invalid_request', 'Not confirmed: nothing was written.');
}

/** Writes `text` to `file` (0600), refusing to replace an existing file unless `force`. */
export async function writePrivateFile(file: string, text: string, force: boolean): Promise<void> {
  try {
    await writeFile(file, text, { mode: 0o600, flag: force ? 'w' : 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new LatchkeyError('already_exists', `${file} exists; give --force to overwrite it.`);
    throw error;
  }
}

export function exportCommand(program: Command, run: Run): void {
  program
    .command('export')
    .description('Export your items to a file: --format latchkey (encrypted with a password you choose), or json/csv in clear')
    .requiredOption('--format <format>', `${FORMATS.join(', ')}`)
    .requiredOption('-o, --out-file <file>', 'the file to write (created 0600; nothing is written anywhere else)')
    .option('--vault <name>', 'only this vault (name or id; repeatable)', collect)
    .option('-f, --force', 'overwrite the file if it exists')
    .option('--i-understand-this-is-plaintext', 'for json and csv: write every password in clear without asking')
    .action((opts: ExportOptions) =>
      run(async (cli) => {
        if (!(FORMATS as readonly string[]).includes(opts.format)) throw new LatchkeyError('invalid_request', `--format must be one of ${FORMATS.join(', ')}.`);
        const format = opts.format as ExportFormat;
        // Every question before any work, so a refusal costs nothing.
        const password = format === 'latchkey' ? await chooseExportPassword() : undefined;
        if (format !== 'latchkey') await confirmPlaintext(opts);
        const client = await unlockedClient(cli);
        const chosen = opts.vault !== undefined ? await Promise.all(opts.vault.map((v) => client.vaults.find(v))) : await client.vaults.list();
        const vaults: ExportedVault[] = [];
        let count = 0;
        for (const vault of chosen) {
          const items = await client.items.list(vault.id);
          count += items.length;
          vaults.push({
            name: vault.name,
            items: items.map(({ id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields }): ItemFields => fields),
          });
        }
        const content = exportContent(vaults);
        const text =
          format === 'latchkey'
            ? `${JSON.stringify(await sealExport(content, password!), null, 2)}\n`
            : format === 'json'
              ? `${JSON.stringify(content, null, 2)}\n`
              : exportCsv(content);
        await writePrivateFile(opts.outFile, text, opts.force === true);
        cli.out.result(
          { file: opts.outFile, format, vaults: vaults.length, items: count, encrypted: format === 'latchkey' },
          () =>
            `Exported ${count} item(s) from ${vaults.length} vault(s) to ${opts.outFile}${format === 'latchkey' ? ' (encrypted)' : ' (in clear: delete it when done)'}.`,
        );
      }),
    );
}
