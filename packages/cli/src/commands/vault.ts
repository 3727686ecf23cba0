/**
 * `latchkey vault list | create NAME | share | unshare | shares`. Every command that reads keys
 * unlocks with the account password first. `list` shows vaults shared with you too, with your
 * access (`view`, `edit`, `manage`, or `owner` for your own), and for your own vaults which
 * organizations' Recovery Groups can recover them (listing escrows what is missing, §22.8).
 */
import type { Command } from 'commander';
import type { LatchkeyClient, ShareTarget, Vault, VaultShareInfo, VaultShareRole } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { unlockedClient, type Cli } from '../cli-context.ts';
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
