/** `latchkey item create | get | list | edit | delete` (delete moves to the Trash: commands/trash.ts). */
import type { Command } from 'commander';
import type { Item } from '@latchkey/client/client';
import { parseItemId } from '@latchkey/core/ids';
import { currentTotp } from '@latchkey/core/totp-code';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { itemChangesFrom, withItemOptions, type ItemOptions } from '../item-options.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const listLine = (i: Item) =>
  `${i.id}  ${i.favourite ? '★ ' : ''}${i.title}${i.username ? `  (${i.username})` : ''}${i.tags !== undefined ? `  [${i.tags.join(', ')}]` : ''}`;

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
  card: item.card ?? null,
  identity: item.identity ?? null,
  fields: item.fields ?? [],
  favourite: item.favourite === true,
  tags: item.tags ?? [],
  passwordHistory: item.passwordHistory ?? [],
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

const CARD_LABELS = { cardholder: 'cardholder', number: 'card number', expiry: 'expiry', securityCode: 'security code', pin: 'PIN', brand: 'brand' } as const;
const IDENTITY_LABELS = { fullName: 'full name', email: 'email', phone: 'phone', address: 'address', company: 'company', birthDate: 'date of birth' } as const;

function detailLines<K extends string>(details: Partial<Record<K, string>> | undefined, labels: Record<K, string>): string[] {
  if (details === undefined) return [];
  return (Object.keys(labels) as K[]).filter((k) => details[k] !== undefined).map((k) => `  ${labels[k]}: ${details[k]}`);
}

/** The earlier passwords only when asked for (`--history`); otherwise how many there are. */
function historyLines(item: Item, showHistory: boolean): string[] {
  const history = item.passwordHistory ?? [];
  if (history.length === 0) return [];
  if (!showHistory) return [`  password history: ${history.length} earlier ${history.length === 1 ? 'password' : 'passwords'} (show with --history)`];
  return ['  password history:', ...history.map((e) => `    ${e.password}  (replaced ${e.replacedAt})`)];
}

const itemText = (item: Item, showHistory = false) =>
  [
    `${item.favourite ? '★ ' : ''}${item.title}  (${item.kind}, ${item.id})`,
    item.username !== undefined ? `  username: ${item.username}` : '',
    item.password !== undefined ? `  password: ${item.password}` : '',
    ...(item.urls ?? []).map((u) => `  url: ${u}`),
    ...detailLines(item.card, CARD_LABELS),
    ...detailLines(item.identity, IDENTITY_LABELS),
    ...(item.fields ?? []).map((f) => `  ${f.label}${f.kind === 'text' ? '' : ` (${f.kind})`}: ${f.value}`),
    item.notes !== undefined ? `  notes: ${item.notes}` : '',
    item.tags !== undefined ? `  tags: ${item.tags.join(', ')}` : '',
    oneTimeCodeLine(item),
    ...historyLines(item, showHistory),
  ]
    .filter(Boolean)
    .join('\n');

export function itemCommands(program: Command, run: Run): void {
  const item = program.command('item').description('Create, read, edit and delete items');

  withItemOptions(
    item.command('create').description('Create an item').requiredOption('--vault <name>', 'vault name or id').requiredOption('--title <title>', 'title'),
    { editing: false },
  ).action((opts: ItemOptions & { vault: string; title: string }) =>
    run(async (cli) => {
      const fields = await itemChangesFrom(opts);
      const client = await unlockedClient(cli);
      const vault = await client.vaults.find(opts.vault);
      const created = await client.items.create(vault.id, { kind: 'login', ...fields, title: opts.title });
      cli.out.result({ id: created.id, version: created.version, vaultId: created.vaultId }, () => `Created "${created.title}" (${created.id}).`);
    }),
  );

  item
    .command('get')
    .description('Show one item')
    .argument('<id>', 'item id')
    .option('--history', 'also show the earlier passwords, with when each was replaced')
    .action((id: string, opts: { history?: boolean }) =>
      run(async (cli) => {
        const found = await (await unlockedClient(cli)).items.get(parseItemId(id));
        cli.out.result(itemJson(found), () => itemText(found, opts.history === true));
      }),
    );

  item
    .command('list')
    .description('List items (of one vault, or of all); the search runs on this device')
    .option('--vault <name>', 'vault name or id')
    .option('--search <words>', 'only items with every word in the title, username, a URL, the notes or a tag')
    .option('--tag <tag>', 'only items with this tag')
    .option('--favourites', 'only favourites')
    .action((opts: { vault?: string; search?: string; tag?: string; favourites?: boolean }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const vaultId = opts.vault !== undefined ? (await client.vaults.find(opts.vault)).id : undefined;
        const filtered = opts.search !== undefined || opts.tag !== undefined || opts.favourites === true;
        const items = await client.items.list(vaultId, { search: opts.search, tag: opts.tag, favourite: opts.favourites });
        cli.out.result(items.map(itemJson), () => items.map(listLine).join('\n') || (filtered ? 'No items match.' : 'No items.'));
      }),
    );

  withItemOptions(
    item
      .command('edit')
      .description('Change fields of an item (a replaced password goes into its password history)')
      .argument('<id>', 'item id')
      .option('--title <title>', 'title'),
    {
      editing: true,
    },
  )
    .option('--expected-version <n>', 'fail with a conflict unless the item is still at this version', (v) => Number.parseInt(v, 10))
    .action((id: string, opts: ItemOptions & { expectedVersion?: number }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const itemId = parseItemId(id);
        const current = await client.items.get(itemId);
        const fields = await itemChangesFrom(opts, current);
        const basedOn = opts.expectedVersion !== undefined ? { ...current, version: opts.expectedVersion } : current;
        const updated = await client.items.update(itemId, fields, basedOn);
        cli.out.result(itemJson(updated), () => `Updated "${updated.title}" to version ${updated.version}.`);
      }),
    );

  item
    .command('move')
    .description("Move an item to another vault (re-encrypted under that vault's key)")
    .argument('<id>', 'item id')
    .requiredOption('--to <vault>', 'the vault to move it to (name or id)')
    .action((id: string, opts: { to: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const target = await client.vaults.find(opts.to);
        const moved = await client.items.move(parseItemId(id), target.id);
        cli.out.result({ id: moved.id, vaultId: moved.vaultId, version: moved.version, moved: true }, () => `Moved "${moved.title}" to "${target.name}".`);
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
