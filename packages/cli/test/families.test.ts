/**
 * Families end to end through the CLI (issue 10): three people, real processes, a real server.
 * The organizer invites two, both accept and see their fingerprint, the organizer confirms each
 * only with the fingerprint they read out, shares one vault with one person and another with a
 * group of both; each reads exactly what they may and writes only where their role allows; and
 * removing someone takes their access away at once.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, startTestServer, type TestServer, waitForEmail } from '@latchkey/server/testing';
import { BIN, errorCode, latchkey, type Run } from './helpers/run-cli.ts';

interface Person {
  readonly email: string;
  readonly dir: string;
  readonly env: Record<string, string>;
}

let server: TestServer;
let root: string;
let olivia: Person;
let bob: Person;
let carol: Person;
const ORG = 'The Testers';
const run = promisify(execFile);

async function person(label: string): Promise<Person> {
  const user = await signUpUser(server, { name: label });
  const dir = path.join(root, label);
  const env = { LATCHKEY_PASSWORD: user.password };
  const signin = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], env);
  expect(signin.code).toBe(0);
  return { email: user.email, dir, env };
}

const as = (p: Person, ...args: string[]): Promise<Run> => latchkey(['--config-dir', p.dir, ...args], p.env);

async function ok(run: Promise<Run>): Promise<unknown> {
  const r = await run;
  expect(r.code, r.stderr).toBe(0);
  return r.json;
}

async function invitationCode(email: string, after: number): Promise<string> {
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'invited you', after });
  const match = /#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (match === null) throw new Error('no invitation link in the email');
  return match[1]!;
}

const vaultNames = async (p: Person) =>
  ((await ok(as(p, 'vault', 'list'))) as Array<{ name: string; access: string }>).map((v) => `${v.name}:${v.access}`).sort();
const itemTitles = async (p: Person, vault: string) =>
  ((await ok(as(p, 'item', 'list', '--vault', vault))) as Array<{ title: string }>).map((i) => i.title).sort();

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-families-'));
  [olivia, bob, carol] = await Promise.all([person('olivia'), person('bob'), person('carol')]);
}, 120_000);
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

// Each step runs many CLI processes, each unlocking with the password: minutes on a busy machine.
describe('a family through the CLI', () => {
  const fingerprints = new Map<string, string>();

  it('invites two people, who accept and see their fingerprint; the organizer sees the same one', async () => {
    expect(await ok(as(olivia, 'org', 'create', ORG))).toMatchObject({ kind: 'family', role: 'organizer', name: ORG });
    for (const p of [bob, carol]) {
      const before = Date.now() - 1000;
      expect(await ok(as(olivia, 'org', 'invite', ORG, p.email))).toMatchObject({ email: p.email, role: 'member', status: 'pending' });
      const accepted = (await ok(as(p, 'org', 'accept', '--', await invitationCode(p.email, before)))) as { fingerprint: string; status: string };
      expect(accepted.status).toBe('accepted');
      expect(accepted.fingerprint).toMatch(/^(\d{4} ){5}\d{4}$/);
      fingerprints.set(p.email, accepted.fingerprint);
      expect(await ok(as(p, 'org', 'fingerprint', ORG))).toMatchObject({ fingerprint: accepted.fingerprint });
    }
    const members = (await ok(as(olivia, 'org', 'members', ORG))) as Array<{ email: string; status: string; fingerprint: string }>;
    for (const p of [bob, carol])
      expect(members.find((m) => m.email === p.email)).toMatchObject({ status: 'accepted', fingerprint: fingerprints.get(p.email) });
    // Unconfirmed, Bob gets no keys and cannot list the members.
    expect(errorCode(await as(bob, 'org', 'members', ORG))).toBe('forbidden');
  }, 300_000);

  it('confirms only with the fingerprint the member read out', async () => {
    const wrong = '0000 1111 2222 3333 4444 5555';
    expect(errorCode(await as(olivia, 'org', 'confirm', ORG, bob.email, '--fingerprint', wrong))).toBe('fingerprint_mismatch');
    for (const p of [bob, carol]) {
      expect(await ok(as(olivia, 'org', 'confirm', ORG, p.email, '--fingerprint', fingerprints.get(p.email)!.replaceAll(' ', '')))).toMatchObject({
        email: p.email,
        status: 'confirmed',
        certified: true,
      });
    }
    expect(errorCode(await as(olivia, 'org', 'confirm', ORG, bob.email, '--fingerprint', fingerprints.get(bob.email)!))).toBe('conflict');
    // Confirmed, Bob's own vault is escrowed on his next listing, and the list says who can recover it.
    const listed = (await ok(as(bob, 'vault', 'list'))) as Array<{ name: string; recoverableBy: Array<{ name: string }>; escrowRefusals: unknown[] }>;
    expect(listed).toEqual([expect.objectContaining({ name: 'Personal', recoverableBy: [expect.objectContaining({ name: ORG })], escrowRefusals: [] })]);
    const human = await run(process.execPath, [BIN, '--config-dir', bob.dir, 'vault', 'list'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...bob.env },
    });
    expect(human.stdout).toContain(`Personal  (recoverable by ${ORG}'s Recovery Group)`);
  }, 300_000);

  it('shares a vault with one person and a vault with a group of both; each reads exactly what they may', async () => {
    await ok(as(olivia, 'vault', 'create', 'Family'));
    await ok(as(olivia, 'vault', 'create', 'Kids'));
    await ok(as(olivia, 'item', 'create', '--vault', 'Family', '--title', 'Wifi', '--password', 'hunter2hunter2'));
    await ok(as(olivia, 'item', 'create', '--vault', 'Kids', '--title', 'Streaming'));
    expect(await ok(as(olivia, 'vault', 'share', 'Family', '--with', bob.email, '--role', 'view'))).toMatchObject({ role: 'view', with: bob.email });
    const group = (await ok(as(olivia, 'group', 'create', ORG, 'Kids', '--member', bob.email, '--member', carol.email))) as { members: string[] };
    expect(group.members.sort()).toEqual([olivia.email, bob.email, carol.email].sort());
    expect(await ok(as(olivia, 'vault', 'share', 'Kids', '--with', 'Kids', '--role', 'edit'))).toMatchObject({ role: 'edit', with: 'Kids' });
    expect(((await ok(as(olivia, 'group', 'list', ORG))) as Array<{ name: string }>).map((g) => g.name)).toEqual(['Kids']);

    expect(await vaultNames(bob)).toEqual(['Family:view', 'Kids:edit', 'Personal:owner']);
    expect(await vaultNames(carol)).toEqual(['Kids:edit', 'Personal:owner']);
    expect(await itemTitles(bob, 'Family')).toEqual(['Wifi']);
    expect(await itemTitles(carol, 'Kids')).toEqual(['Streaming']);
    expect(errorCode(await as(carol, 'item', 'list', '--vault', 'Family'))).toBe('not_found');
  }, 300_000);

  it('lets each write only where their role allows', async () => {
    expect(errorCode(await as(bob, 'item', 'create', '--vault', 'Family', '--title', 'Not mine'))).toBe('forbidden');
    await ok(as(bob, 'item', 'create', '--vault', 'Kids', '--title', 'Games'));
    expect(await itemTitles(carol, 'Kids')).toEqual(['Games', 'Streaming']);
    expect(await itemTitles(olivia, 'Kids')).toEqual(['Games', 'Streaming']);
    // Sharing needs `manage`.
    expect(errorCode(await as(bob, 'vault', 'share', 'Kids', '--with', carol.email, '--role', 'view'))).toBe('forbidden');
  }, 300_000);

  it('takes access away at once on removal and on unsharing, and says to rotate', async () => {
    const removed = (await ok(as(olivia, 'org', 'remove', ORG, carol.email))) as { rotateSecrets: boolean; rekeyedGroups: string[]; groupsToRekey: string[] };
    expect(removed.rotateSecrets).toBe(true);
    expect(removed.rekeyedGroups).toHaveLength(1);
    expect(removed.groupsToRekey).toEqual([]);
    expect(await vaultNames(carol)).toEqual(['Personal:owner']);
    expect(errorCode(await as(carol, 'item', 'list', '--vault', 'Kids'))).toBe('not_found');
    // Bob still reads the group's vault, now under the re-keyed group key.
    expect(await itemTitles(bob, 'Kids')).toEqual(['Games', 'Streaming']);

    expect(await ok(as(olivia, 'vault', 'unshare', 'Family', '--with', bob.email))).toMatchObject({ rotateSecrets: true });
    expect(await vaultNames(bob)).toEqual(['Kids:edit', 'Personal:owner']);

    const log = (await ok(as(olivia, 'org', 'log', ORG))) as Array<{ type: string }>;
    expect(log.map((e) => e.type)).toEqual(
      expect.arrayContaining(['organization.created', 'member.confirmed', 'vault.shared', 'member.removed', 'group.rekeyed']),
    );
  });
});
