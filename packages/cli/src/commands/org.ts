/**
 * `latchkey org create | list | invite | invitations | accept | fingerprint | confirm | members |
 * remove | role | transfer | reset-2fa | log`: families and teams (docs/protocol.md §22, §22.10). The member fingerprint is shown on both
 * sides: `accept` and `fingerprint` print the member's, `members` the one the organizer's client
 * computes, and `confirm` asks the organizer to type what the member read out (or takes
 * `--fingerprint` in scripts) and confirms only when it matches.
 */
import type { Command } from 'commander';
import type { LatchkeyClient, OrganizationMember, OrganizationRole } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { unlockedClient, type Cli } from '../cli-context.ts';
import { ask } from '../prompt.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin', 'member'];

export function parseRole(text: string): OrganizationRole {
  const role = ROLES.find((r) => r === text.trim().toLowerCase().replace('-', '_'));
  if (role === undefined) throw new LatchkeyError('invalid_request', `Unknown role "${text}"; use one of ${ROLES.join(', ')}.`);
  return role;
}

/** The organization named (id or exact name) on the command line. */
export async function organizationId(client: LatchkeyClient, nameOrId: string): Promise<string> {
  return (await client.organizations.find(nameOrId)).id;
}

const memberJson = (m: OrganizationMember) => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  role: m.role,
  status: m.status,
  fingerprint: m.fingerprint,
  certified: m.certified,
  isYou: m.isYou,
});

const memberLine = (m: OrganizationMember) =>
  `${m.email}  ${m.role}  ${m.status}${m.isYou ? ' (you)' : ''}\n    fingerprint: ${m.fingerprint ?? 'INVALID — do not confirm'}`;

export function orgCommands(program: Command, run: Run): void {
  const org = program.command('org').description('Families and teams: members, invitations, confirmation');

  org
    .command('create')
    .description('Create a family (or, with --team, a team); you become its organizer or owner')
    .argument('<name>', 'the name (members and invitation emails show it)')
    .option('--team', 'a team (owner, admins, members) instead of a family')
    .action((name: string, opts: { team?: boolean }) =>
      run(async (cli) => {
        const created = await (await unlockedClient(cli)).organizations.create({ name, kind: opts.team ? 'team' : 'family' });
        cli.out.result(created, () => `Created ${created.kind} "${created.name}" (${created.id}); you are its ${created.role}.`);
      }),
    );

  org
    .command('list')
    .description('List your families and teams')
    .action(() =>
      run(async (cli) => {
        const orgs = await (await unlockedClient(cli)).organizations.list();
        cli.out.result(orgs, () =>
          orgs.length === 0 ? 'You are in no family or team.' : orgs.map((o) => `${o.id}  ${o.name}  ${o.kind}  ${o.role}  ${o.status}`).join('\n'),
        );
      }),
    );

  org
    .command('invite')
    .description('Invite someone by email (they get a link and a code)')
    .argument('<org>', 'organization name or id')
    .argument('<email>', 'their email address')
    .option('--role <role>', 'member, admin, recovery_admin, owner or organizer', 'member')
    .action((nameOrId: string, email: string, opts: { role: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const invitation = await client.invitations.create(await organizationId(client, nameOrId), email, parseRole(opts.role));
        cli.out.result(invitation, () => `Invited ${invitation.email} as ${invitation.role}; the invitation expires ${invitation.expiresAt}.`);
      }),
    );

  org
    .command('invitations')
    .description("List an organization's invitations (or withdraw or re-send one)")
    .argument('<org>', 'organization name or id')
    .option('--revoke <id>', 'withdraw this pending invitation')
    .option('--resend <id>', 'send this invitation again with a new code')
    .action((nameOrId: string, opts: { revoke?: string; resend?: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        if (opts.revoke !== undefined) await client.invitations.revoke(id, opts.revoke);
        if (opts.resend !== undefined) await client.invitations.resend(id, opts.resend);
        const list = await client.invitations.list(id);
        cli.out.result(list, () =>
          list.length === 0 ? 'No invitations.' : list.map((i) => `${i.id}  ${i.email}  ${i.role}  ${i.status}  expires ${i.expiresAt}`).join('\n'),
        );
      }),
    );

  org
    .command('accept')
    .description('Accept an invitation (the code or link from the email) and show your fingerprint')
    .argument('<code>', 'the invitation code, or the whole link (a code that starts with "-" goes after --: org accept -- -AbC…)')
    .action((code: string) =>
      run(async (cli) => {
        const accepted = await (await unlockedClient(cli)).invitations.accept(code);
        cli.out.result(
          accepted,
          () =>
            `You joined "${accepted.name}" as ${accepted.role}. Read this fingerprint to the person who confirms you:\n\n    ${accepted.fingerprint}\n\nYou get access once they confirm it matches.`,
        );
      }),
    );

  org
    .command('fingerprint')
    .description('Show your own fingerprint in an organization (to read to whoever confirms you)')
    .argument('<org>', 'organization name or id')
    .action((nameOrId: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const fingerprint = await client.organizations.myFingerprint(id);
        cli.out.result({ organizationId: id, fingerprint }, () => fingerprint);
      }),
    );

  org
    .command('members')
    .description('List members with their status and fingerprints')
    .argument('<org>', 'organization name or id')
    .action((nameOrId: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const members = await client.organizations.members(await organizationId(client, nameOrId));
        cli.out.result(members.map(memberJson), () => members.map(memberLine).join('\n'));
      }),
    );

  org
    .command('confirm')
    .description('Confirm a member after comparing fingerprints: type the one they read to you')
    .argument('<org>', 'organization name or id')
    .argument('<member>', 'their email or user id')
    .option('--fingerprint <digits>', 'the fingerprint the member read to you (for scripts; else you are asked)')
    .action((nameOrId: string, who: string, opts: { fingerprint?: string }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const member = await client.organizations.findMember(id, who);
        // Asked for, not shown first: the organizer types what the member reads, so a glance cannot pass for a comparison.
        const compared = opts.fingerprint ?? (await ask(`Ask ${member.email} for their fingerprint (24 digits) and type it: `));
        const confirmed = await client.organizations.confirm(id, member.userId, compared);
        cli.out.result(memberJson(confirmed), () => `Confirmed ${confirmed.email} (${confirmed.role}); fingerprint ${confirmed.fingerprint ?? ''} matched.`);
      }),
    );

  org
    .command('remove')
    .description('Remove a member (every access goes at once), or suspend them with --suspend')
    .argument('<org>', 'organization name or id')
    .argument('<member>', 'their email or user id')
    .option('--suspend', 'keep the membership, suspended (a new confirmation is needed to lift it)')
    .action((nameOrId: string, who: string, opts: { suspend?: boolean }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const member = await client.organizations.findMember(id, who);
        const ended = opts.suspend ? await client.organizations.suspend(id, member.userId) : await client.organizations.remove(id, member.userId);
        cli.out.result({ userId: member.userId, email: member.email, suspended: opts.suspend === true, ...ended }, () =>
          [
            `${opts.suspend ? 'Suspended' : 'Removed'} ${member.email}; their access ended at once.`,
            ended.rekeyedGroups.length > 0 ? `Re-keyed ${ended.rekeyedGroups.length} group(s) they were in.` : '',
            ended.groupsToRekey.length > 0 ? `Still to re-key (by a member of each group): ${ended.groupsToRekey.join(', ')}.` : '',
            'They may have kept copies of what they could read: change those passwords.',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  org
    .command('role')
    .description("Change a confirmed member's role (organizers and owners); a promotion to a key-holding role gives them the organization key")
    .argument('<org>', 'organization name or id')
    .argument('<member>', 'their email or user id')
    .argument('<role>', 'family: organizer or member; team: owner, admin, recovery_admin or member')
    .action((nameOrId: string, who: string, roleText: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const member = await client.organizations.findMember(id, who);
        const changed = await client.organizations.changeRole(id, member.userId, parseRole(roleText));
        cli.out.result({ userId: member.userId, email: member.email, ...changed }, () =>
          [
            `${member.email} is now ${changed.role} (was ${changed.previousRole}).`,
            changed.role === 'member' && changed.previousRole !== 'member'
              ? 'Their copy of the organization key was deleted; a device of theirs may still hold the key it opened.'
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  org
    .command('transfer')
    .description('Make a confirmed member the organizer (family) or owner (team); --step-down makes you admin (team) or member (family)')
    .argument('<org>', 'organization name or id')
    .argument('<member>', 'their email or user id')
    .option('--step-down', 'in the same step, step down yourself')
    .action((nameOrId: string, who: string, opts: { stepDown?: boolean }) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const member = await client.organizations.findMember(id, who);
        const done = await client.organizations.transferOwnership(id, member.userId, { stepDown: opts.stepDown === true });
        cli.out.result({ userId: member.userId, email: member.email, ...done }, () => `${member.email} is now ${done.role}; you are ${done.yourRole}.`);
      }),
    );

  org
    .command('reset-2fa')
    .description(
      "Teams: remove a member's two-step verification (owners and admins). No key or data changes; they are signed out everywhere, and they and every owner are emailed. At most once a day per member",
    )
    .argument('<org>', 'team name or id')
    .argument('<member>', 'their email or user id')
    .action((nameOrId: string, who: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const id = await organizationId(client, nameOrId);
        const member = await client.organizations.findMember(id, who);
        const done = await client.organizations.resetTwoStep(id, member.userId);
        cli.out.result({ userId: member.userId, email: member.email, reset: true, ...done }, () =>
          [
            `Removed two-step verification from ${member.email}; ${done.sessionsEnded} session(s) of theirs were signed out.`,
            'They and every owner were emailed. Until they set it up again, their password and Secret Key alone sign in: ask them to do it now.',
          ].join('\n'),
        );
      }),
    );

  org
    .command('log')
    .description("The organization's security log (organizers, owners, admins)")
    .argument('<org>', 'organization name or id')
    .action((nameOrId: string) =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const events = await client.organizations.log(await organizationId(client, nameOrId));
        cli.out.result(events, () =>
          events
            .map(
              (e) =>
                `${e.createdAt}  ${e.type}${e.actorUserId === null ? '' : `  by ${e.actorEmail ?? e.actorUserId}`}${e.subjectUserId === null ? '' : `  (${e.subjectEmail ?? e.subjectUserId})`}`,
            )
            .join('\n'),
        );
      }),
    );
}
