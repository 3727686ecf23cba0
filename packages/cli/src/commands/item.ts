/** `latchkey item create | get | list | edit | delete` (delete moves to the Trash: commands/trash.ts). */
import type { Command } from 'commander';
import type { Item } from '@latchkey/client/client';
import type { ItemFields, ItemKind } from '@latchkey/core/item';
import { parseItemId } from '@latchkey/core/ids';
import { currentTotp } from '@latchkey/core/totp-code';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { SECRETS, STDIN, givenSecret, secretOption, type SecretSpec } from '../secret-input.ts';

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
  totpCode: oneTimeCode(item),
  updatedAt: item.updatedAt,
});

/** The current one-time code of the item's TOTP secret, or null (none, or not usable). */
function oneTimeCode(item: Item): { code: string; secondsLeft: number } | null {
  if (item.totp === undefined) return null;
  try {
    return currentTotp(item.totp);
  } catch {
    return null;
  }
}

function oneTimeCodeLine(item: Item): string {
  if (item.totp === undefined) return '';
  const current = oneTimeCode(item);
  return current ? `  one-time code: ${current.code} (${current.secondsLeft} s left)` : '  one-time code: (the TOTP secret is not usable)';
}

const itemText = (item: Item) =>
  [
    `${item.title}  (${item.kind}, ${item.id})`,
    item.username !== undefined ? `  username: ${item.username}` : '',
    item.password !== undefined ? `  password: ${item.password}` : '',
    ...(item.urls ?? []).map((u) => `  url: ${u}`),
    item.notes !== undefined ? `  notes: ${item.notes}` : '',
    oneTimeCodeLine(item),
  ]
    .filter(Boolean)
    .join('\n');

/** A secret field as given: `-` reads it from stdin (a prompt on a terminal); any other value, even empty, is the value. */
async function secretField(spec: SecretSpec, value: string | undefined): Promise<string | undefined> {
  return value?.trim() === STDIN ? (await givenSecret(spec, value))?.value : value;
}

/** The fields to set; `--password -` and `--totp -` read stdin in that order. */
async function fieldsFrom(opts: FieldOptions): Promise<Partial<ItemFields>> {
  const fields: { -readonly [K in keyof ItemFields]?: ItemFields[K] } = {};
  const password = await secretField(SECRETS.itemPassword, opts.password);
  const totp = await secretField(SECRETS.itemTotp, opts.totp);
  if (opts.kind !== undefined) fields.kind = opts.kind;
  if (opts.title !== undefined) fields.title = opts.title;
  if (opts.username !== undefined) fields.username = opts.username;
  if (password !== undefined) fields.password = password;
  if (opts.url !== undefined) fields.urls = opts.url;
  if (opts.notes !== undefined) fields.notes = opts.notes;
  if (totp !== undefined) fields.totp = totp;
  return fields;
}

function withFieldOptions(command: Command): Command {
  command.option('--username <username>', 'user name');
  secretOption(command, SECRETS.itemPassword, "the item's password to store, not your account password", { asked: false });
  command.option('--url <url>', 'a website address (repeatable)', collect).option('--notes <notes>', 'notes');
  secretOption(command, SECRETS.itemTotp, 'a TOTP secret or otpauth:// URI for the site', { asked: false, after: '--password' });
  return command.option('--kind <kind>', 'login, note or password');
}

export function itemCommands(program: Command, run: Run): void {
  const item = program.command('item').description('Create, read, edit and delete items');

  withFieldOptions(
    item.command('create').description('Create an item').requiredOption('--vault <name>', 'vault name or id').requiredOption('--title <title>', 'title'),
  ).action((opts: FieldOptions & { vault: string; title: string }) =>
    run(async (cli) => {
      const fields = await fieldsFrom(opts);
      const client = await unlockedClient(cli);
      const vault = await client.vaults.find(opts.vault);
      const created = await client.items.create(vault.id, { kind: opts.kind ?? 'login', ...fields, title: opts.title });
      cli.out.result({ id: created.id, version: created.version, vaultId: created.vaultId }, () => `Created "${created.title}" (${created.id}).`);
    }),
  );

  item
    .command('get')
    .description('Show one item')
    .argument('<id>', 'item id')
    .action((id: string) =>
      run(async (cli) => {
        const found = await (await unlockedClient(cli)).items.get(parseItemId(id));
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
        const fields = await fieldsFrom(opts);
        const client = await unlockedClient(cli);
        const itemId = parseItemId(id);
        const current = await client.items.get(itemId);
        const basedOn = opts.expectedVersion !== undefined ? { ...current, version: opts.expectedVersion } : current;
        const updated = await client.items.update(itemId, fields, basedOn);
        cli.out.result(itemJson(updated), () => `Updated "${updated.title}" to version ${updated.version}.`);
      }),
    );

  item
    .command('delete')
    .description("Move an item to its vault's Trash (kept 30 days; see `latchkey trash`)")
    .argument('<id>', 'item id')
    .action((id: string) =>
      run(async (cli) => {
        const trashed = await (await unlockedClient(cli)).items.delete(parseItemId(id));
        cli.out.result(
          { id, vaultId: trashed.vaultId, trashed: true, version: trashed.version, deletedAt: trashed.deletedAt },
          () => `Moved "${trashed.title}" to the Trash. It is kept 30 days: \`latchkey trash restore ${id} --vault ${trashed.vaultId}\` brings it back.`,
        );
      }),
    );
}
