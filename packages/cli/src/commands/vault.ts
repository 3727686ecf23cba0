/**
 * `latchkey vault list | create NAME | rename | delete | share | unshare | shares`. `delete` says
 * first what goes (items, Trash, shares, Recovery Group escrows) and asks for the vault's name, or
 * takes `--yes` in scripts (docs/protocol.md §8.6). Every command that reads keys
 * unlocks with the account password first. `list` shows vaults shared with you too, with your
 * access (`view`, `edit`, `manage`, or `owner` for your own), and for your own vaults which
 * organizations' Recovery Groups can recover them (listing escrows what is missing, §22.8).
 */
import type { Command } from 'commander';
import type { LatchkeyClient, ShareTarget, Vault, VaultDeletionPlan, VaultShareInfo, VaultShareRole } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { ask, isInteractive } from '../prompt.ts';
import { organizationId } from './org.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const SHARE_ROLES: readonly VaultShareRole[] = ['view', 'edit', 'manage'];

function parseShareRole(text: string): VaultShareRole {
  const role = SHARE_ROLES.find((r) => r === text.trim().toLowerCase());
  if (role === undefined) throw new LatchkeyError('invalid_request', `Unknown role "${text}"; use view, edit or manage.`);
  return role;
}

/** `--with` names a person when it looks like an email address, else a group (name or id). */
const shareTarget = (text: string): ShareTarget => (text.includes('@') ? { email: text } : { group: text });

const shareJson = (s: VaultShareInfo) => ({
  shareId: s.shareId,
  vaultId: s.vaultId,
  organizationId: s.organizationId,
  role: s.role,
  with: s.email ?? s.groupName ?? s.userId ?? s.groupId,
  userId: s.userId,
  groupId: s.groupId,
});

async function orgOption(client: LatchkeyClient, org: string | undefined): Promise<{ organizationId?: string }> {
  return org === undefined ? {} : { organizationId: await organizationId(client, org) };
}

/** One vault: who may recover it (docs/protocol.md §22.8), or how it is shared with you. */
function vaultLine(v: Vault): string {
  if (v.access !== 'owner') return `${v.id}  ${v.name}  (shared with you: ${v.access})`;
  const by = v.recoverableBy.map((r) => `${r.name}'s Recovery Group`).join(', ');
  return `${v.id}  ${v.name}${by === '' ? '' : `  (recoverable by ${by})`}`;
}

/** Organizations this client would not escrow to, once each, with the reason: never hidden. */
function refusalLines(vaults: readonly Vault[]): string[] {
  const seen = new Map<string, string>();
  for (const r of vaults.flatMap((v) => v.escrowRefusals))
    seen.set(r.organizationId, `Warning: your vaults are not recoverable by ${r.name}'s Recovery Group: ${r.message} (${r.code})`);
  return [...seen.values()];
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What deleting the vault removes, in words: said before anything is deleted. */
export function deletionSummary(plan: VaultDeletionPlan): string {
  const lines = [`Deleting "${plan.vault.name}" deletes for good, with no Trash to bring them back from:`];
  lines.push(`  ${count(plan.items.length, 'item')}${plan.items.length === 0 ? '' : `: ${plan.items.map((i) => i.title).join(', ')}`}`);
  lines.push(`  ${count(plan.trashed.length, 'item')} in its Trash${plan.trashed.length === 0 ? '' : `: ${plan.trashed.map((i) => i.title).join(', ')}`}`);
  if (plan.shares.length > 0) {
    const who = plan.shares.map((s) => s.email ?? s.groupName ?? s.userId ?? s.groupId).join(', ');
    lines.push(`  It is shared with ${who}: they lose it too.`);
  }
  for (const r of plan.recoverableBy) lines.push(`  ${r.name}'s Recovery Group holds its key: that escrow is deleted too.`);
  lines.push('Move what you want to keep first: latchkey item move ID --to VAULT.');
  return lines.join('\n');
}

const planJson = (plan: VaultDeletionPlan) => ({
  id: plan.vault.id,
  name: plan.vault.name,
  items: plan.items,
  trashed: plan.trashed,
  sharedWith: plan.shares.map(shareJson),
  recoverableBy: plan.recoverableBy,
});

/** Asks for the vault's name (or takes --yes); anything else deletes nothing. */
async function confirmDeletion(plan: VaultDeletionPlan, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!isInteractive()) throw new LatchkeyError('invalid_request', `${deletionSummary(plan)}\nGive --yes to delete it.`);
  process.stderr.write(`${deletionSummary(plan)}\n`);
  const answer = await ask(`Type the vault's name ("${plan.vault.name}") to delete it: `);
  if (answer.trim() !== plan.vault.name) throw new LatchkeyError('invalid_request', 'Not confirmed: nothing was deleted.');
}

export function vaultCommands(program: Command, run: Run): void {
  const vault = program.command('vault').description('List, create and share vaults');
  vault
    .command('list')
    .description('List the vaults you can read, yours and those shared with you')
    .action(() =>
      run(async (cli) => {
        const vaults = await (await unlockedClient(cli)).vaults.list();
        cli.out.result(
          vaults.map((v) => ({
            id: v.id,
            name: v.name,
            kind: v.kind,
            access: v.access,
            organizationId: v.organizationId,
            recoverableBy: v.recoverableBy,
            escrowRefusals: v.escrowRefusals,
          })),
          () => [...vaults.map(vaultLine), ...refusalLines(vaults)].join('\n'),
        );
      }),
    );
  vault
    .command('create')
    .description('Create a vault')
    .argument('<name>', 'the vault name')
    .action((name: string) =>
      run(async (cli) => {
        const created = await (await unlockedClient(cli)).vaults.create(name);
        cli.out.result({ id: created.id, name: created.name }, () => `Created vault "${created.name}" (${created.id}).`);
      }),
    );
  vault
    .command('rename')
    .description('Give a vault a new name (your own, or one shared with you to manage)')
    .argument('<vault>', 'vault name or id')
    .argument('<new-name>', 'the new name')
    .action((name: string, newName: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const found = await client.vaults.find(name);
        const renamed = await client.vaults.rename(found.id, newName);
        cli.out.result({ id: renamed.id, name: renamed.name, previousName: found.name }, () => `Renamed "${found.name}" to "${renamed.name}".`);
      }),
    );
  vault
    .command('delete')
    .description('Delete a vault of yours with its items and its Trash, for good (says first what goes)')
    .argument('<vault>', 'vault name or id')
    .option('--yes', 'delete without asking (scripts): what goes is still printed')
    .action((name: string, opts: { yes?: boolean }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const plan = await client.vaults.describeDeletion((await client.vaults.find(name)).id);
        await confirmDeletion(plan, opts.yes);
        const deleted = await client.vaults.delete(plan);
        cli.out.result({ ...planJson(plan), deleted: true, itemsDeleted: deleted }, () =>
          [...(opts.yes ? [deletionSummary(plan)] : []), `Deleted vault "${plan.vault.name}" and ${count(deleted, 'item')}.`].join('\n'),
        );
      }),
    );
  vault
    .command('share')
    .description('Share a vault with a confirmed member (email) or a group, with a role')
    .argument('<vault>', 'vault name or id')
    .requiredOption('--with <who>', "the person's email, or the group's name or id")
    .requiredOption('--role <role>', 'view, edit or manage')
    .option('--org <org>', 'the family or team to look them up in (when you are in several)')
    .action((name: string, opts: { with: string; role: string; org?: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const found = await client.vaults.find(name);
        const share = await client.vaults.share(found.id, shareTarget(opts.with), parseShareRole(opts.role), await orgOption(client, opts.org));
        cli.out.result(shareJson(share), () => `Shared "${found.name}" with ${opts.with} (${share.role}).`);
      }),
    );
  vault
    .command('unshare')
    .description("Remove someone's or a group's access to a vault")
    .argument('<vault>', 'vault name or id')
    .requiredOption('--with <who>', "the person's email, or the group's name or id")
    .action((name: string, opts: { with: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const found = await client.vaults.find(name);
        const result = await client.vaults.unshare(found.id, shareTarget(opts.with));
        cli.out.result({ vaultId: found.id, with: opts.with, ...result }, () => result.message);
      }),
    );
  vault
    .command('shares')
    .description('Who a vault is shared with')
    .argument('<vault>', 'vault name or id')
    .action((name: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const found = await client.vaults.find(name);
        const shares = await client.vaults.shares(found.id);
        cli.out.result(shares.map(shareJson), () =>
          shares.length === 0 ? 'Not shared.' : shares.map((s) => `${s.email ?? s.groupName ?? s.groupId}  ${s.role}`).join('\n'),
        );
      }),
    );
}
