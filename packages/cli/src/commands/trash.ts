/** `latchkey trash list | restore | purge | empty`: a vault's Trash (docs/protocol.md §8.4). */
import type { Command } from 'commander';
import type { TrashedItem } from '@latchkey/client/client';
import { parseItemId } from '@latchkey/core/ids';
import { unlockedClient, type Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const trashedJson = (item: TrashedItem) => ({
  id: item.id,
  vaultId: item.vaultId,
  version: item.version,
  kind: item.kind,
  title: item.title,
  username: item.username ?? null,
  deletedAt: item.deletedAt,
});

const THIRTY_DAYS_MS = 30 * 24 * 3600_000;

/** Whole days left before the server deletes it on its own. */
const daysLeft = (item: TrashedItem) => Math.max(0, Math.ceil((Date.parse(item.deletedAt) + THIRTY_DAYS_MS - Date.now()) / (24 * 3600_000)));

export function trashCommands(program: Command, run: Run): void {
  const trash = program.command('trash').description("A vault's Trash: deleted items, kept 30 days");

  trash
    .command('list')
    .description("List the items in a vault's Trash")
    .requiredOption('--vault <name>', 'vault name or id')
    .action((opts: { vault: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const items = await client.items.trash((await client.vaults.find(opts.vault)).id);
        cli.out.result(
          items.map(trashedJson),
          () => items.map((i) => `${i.id}  ${i.title}  (deleted ${i.deletedAt.slice(0, 10)}, ${daysLeft(i)} days left)`).join('\n') || 'The Trash is empty.',
        );
      }),
    );

  trash
    .command('restore')
    .description('Bring an item back from the Trash')
    .argument('<id>', 'item id')
    .requiredOption('--vault <name>', 'vault name or id')
    .action((id: string, opts: { vault: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const restored = await client.items.restore((await client.vaults.find(opts.vault)).id, parseItemId(id));
        cli.out.result({ id, vaultId: restored.vaultId, version: restored.version, restored: true }, () => `Restored "${restored.title}".`);
      }),
    );

  trash
    .command('purge')
    .description('Delete one item in the Trash for good')
    .argument('<id>', 'item id')
    .requiredOption('--vault <name>', 'vault name or id')
    .action((id: string, opts: { vault: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        await client.items.purge((await client.vaults.find(opts.vault)).id, parseItemId(id));
        cli.out.result({ id, purged: true }, () => `Deleted ${id} for good.`);
      }),
    );

  trash
    .command('empty')
    .description("Delete every item in a vault's Trash for good")
    .requiredOption('--vault <name>', 'vault name or id')
    .action((opts: { vault: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const purged = await client.items.emptyTrash((await client.vaults.find(opts.vault)).id);
        cli.out.result({ purged }, () => (purged === 0 ? 'The Trash was already empty.' : `Deleted ${purged} item(s) for good.`));
      }),
    );
}
