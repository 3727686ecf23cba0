/** `latchkey item create | get | list | edit | delete`. */
import type { Command } from 'commander';
import type { Item } from '@latchkey/client/client';
import type { ItemFields, ItemKind } from '@latchkey/core/item';
import type { Cli } from '../cli-context.ts';
import { unlockedClient } from './vault.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

interface FieldOptions {
  title?: string;
  username?: string;
  password?: string;
  url?: string[];
  notes?: string;
  totp?: string;
  kind?: ItemKind;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const itemJson = (item: Item) => ({
  id: item.id,
  vaultId: item.vaultId,
  version: item.version,
  kind: item.kind,
  title: item.title,
  username: item.username ?? null,
  password: item.password ?? null,
  urls: item.urls ?? [],
  notes: item.notes ?? null,
  totp: item.totp ?? null,
  updatedAt: item.updatedAt,
});

const itemText = (item: Item) =>
  [
    `${item.title}  (${item.kind}, ${item.id})`,
    item.username !== undefined ? `  username: ${item.username}` : '',
    item.password !== undefined ? `  password: ${item.password}` : '',
    ...(item.urls ?? []).map((u) => `  url: ${u}`),
    item.notes !== undefined ? `  notes: ${item.notes}` : '',
  ]
    .filter(Boolean)
    .join('\n');

function fieldsFrom(opts: FieldOptions): Partial<ItemFields> {
  const fields: { -readonly [K in keyof ItemFields]?: ItemFields[K] } = {};
  if (opts.kind !== undefined) fields.kind = opts.kind;
  if (opts.title !== undefined) fields.title = opts.title;
  if (opts.username !== undefined) fields.username = opts.username;
  if (opts.password !== undefined) fields.password = opts.password;
  if (opts.url !== undefined) fields.urls = opts.url;
  if (opts.notes !== undefined) fields.notes = opts.notes;
  if (opts.totp !== undefined) fields.totp = opts.totp;
  return fields;
}

function withFieldOptions(command: Command): Command {
  return command
    .option('--username <username>', 'user name')
    .option('--password <password>', 'the password to store (the item\'s, not your account password)')
    .option('--url <url>', 'a website address (repeatable)', collect)
    .option('--notes <notes>', 'notes')
    .option('--totp <secret>', 'a TOTP secret or otpauth:// URI for the site')
    .option('--kind <kind>', 'login, note or password');
}

export function itemCommands(program: Command, run: Run): void {
  const item = program.command('item').description('Create, read, edit and delete items');

  withFieldOptions(item.command('create').description('Create an item').requiredOption('--vault <name>', 'vault name or id').requiredOption('--title <title>', 'title')).action(
    (opts: FieldOptions & { vault: string; title: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const vault = await client.vaults.find(opts.vault);
        const created = await client.items.create(vault.id, { kind: opts.kind ?? 'login', ...fieldsFrom(opts), title: opts.title });
        cli.out.result({ id: created.id, version: created.version, vaultId: created.vaultId }, () => `Created "${created.title}" (${created.id}).`);
      }),
  );

  item
    .command('get')
    .description('Show one item')
    .argument('<id>', 'item id')
    .action((id: string) =>
      run(async (cli) => {
        const found = await (await unlockedClient(cli)).items.get(id);
        cli.out.result(itemJson(found), () => itemText(found));
      }),
    );

  item
    .command('list')
    .description('List items (of one vault, or of all)')
    .option('--vault <name>', 'vault name or id')
    .action((opts: { vault?: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const vaultId = opts.vault !== undefined ? (await client.vaults.find(opts.vault)).id : undefined;
        const items = await client.items.list(vaultId);
        cli.out.result(items.map(itemJson), () => items.map((i) => `${i.id}  ${i.title}${i.username ? `  (${i.username})` : ''}`).join('\n') || 'No items.');
      }),
    );

  withFieldOptions(item.command('edit').description('Change fields of an item').argument('<id>', 'item id').option('--title <title>', 'title'))
    .option('--expected-version <n>', 'fail with a conflict unless the item is still at this version', (v) => Number.parseInt(v, 10))
    .action((id: string, opts: FieldOptions & { expectedVersion?: number }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const current = await client.items.get(id);
        const basedOn = opts.expectedVersion !== undefined ? { ...current, version: opts.expectedVersion } : current;
        const updated = await client.items.update(id, fieldsFrom(opts), basedOn);
        cli.out.result(itemJson(updated), () => `Updated "${updated.title}" to version ${updated.version}.`);
      }),
    );

  item
    .command('delete')
    .description('Delete an item')
    .argument('<id>', 'item id')
    .action((id: string) =>
      run(async (cli) => {
        await (await unlockedClient(cli)).items.delete(id);
        cli.out.result({ id, deleted: true }, () => `Deleted ${id}.`);
      }),
    );
}
