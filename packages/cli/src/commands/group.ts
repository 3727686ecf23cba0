/**
 * `latchkey group create | add | remove | list`: groups of a family or team (docs/protocol.md
 * §22.5). Removing someone re-keys the group on this device.
 */
import type { Command } from 'commander';
import type { GroupSummary, LatchkeyClient } from '@latchkey/client/client';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { organizationId } from './org.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function groupJson(client: LatchkeyClient, orgId: string, group: GroupSummary) {
  const members = await client.organizations.members(orgId);
  const emails = new Map(members.map((m) => [m.userId as string, m.email]));
  return { id: group.id, name: group.name, keyVersion: group.keyVersion, members: group.members.map((id) => emails.get(id) ?? id) };
}

export function groupCommands(program: Command, run: Run): void {
  const group = program.command('group').description('Groups in a family or team');

  group
    .command('create')
    .description('Create a group of confirmed members (you are in it too)')
    .argument('<org>', 'organization name or id')
    .argument('<name>', 'the group name')
    .option('--member <email>', 'a confirmed member to add (repeatable)', collect)
    .action((orgName: string, name: string, opts: { member?: string[] }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const orgId = await organizationId(client, orgName);
        const ids = await Promise.all((opts.member ?? []).map(async (who) => (await client.organizations.findMember(orgId, who)).userId));
        const created = await groupJson(client, orgId, await client.groups.create(orgId, name, ids));
        cli.out.result(created, () => `Created group "${created.name}" with ${created.members.join(', ')}.`);
      }),
    );

  group
    .command('add')
    .description('Add a confirmed member to a group')
    .argument('<org>', 'organization name or id')
    .argument('<group>', 'group name or id')
    .argument('<member>', 'their email or user id')
    .action((orgName: string, groupName: string, who: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const orgId = await organizationId(client, orgName);
        const found = await client.groups.find(orgId, groupName);
        const member = await client.organizations.findMember(orgId, who);
        await client.groups.add(orgId, found.id, member.userId);
        cli.out.result({ groupId: found.id, userId: member.userId, email: member.email, added: true }, () => `Added ${member.email} to "${found.name}".`);
      }),
    );

  group
    .command('remove')
    .description('Remove a member from a group (re-keys the group)')
    .argument('<org>', 'organization name or id')
    .argument('<group>', 'group name or id')
    .argument('<member>', 'their email or user id')
    .action((orgName: string, groupName: string, who: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const orgId = await organizationId(client, orgName);
        const found = await client.groups.find(orgId, groupName);
        const member = await client.organizations.findMember(orgId, who);
        const result = await client.groups.remove(orgId, found.id, member.userId);
        cli.out.result(
          { groupId: found.id, userId: member.userId, email: member.email, removed: true, ...result },
          () =>
            `Removed ${member.email} from "${found.name}" (the group key is now version ${result.keyVersion}). They may have kept copies of what the group could read: change those passwords.`,
        );
      }),
    );

  group
    .command('list')
    .description("List an organization's groups")
    .argument('<org>', 'organization name or id')
    .action((orgName: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const orgId = await organizationId(client, orgName);
        const groups = await Promise.all((await client.groups.list(orgId)).map((g) => groupJson(client, orgId, g)));
        cli.out.result(groups, () => (groups.length === 0 ? 'No groups.' : groups.map((g) => `${g.id}  ${g.name}  ${g.members.join(', ')}`).join('\n')));
      }),
    );
}
