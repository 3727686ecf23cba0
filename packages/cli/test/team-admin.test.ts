/**
 * Team administration through the CLI (docs/protocol.md §22.10): `org role`, `org transfer` and
 * `org reset-2fa` with `--json`, against a real server. Kept short on purpose: the team is set up
 * through the SDK, and the SDK and server tests cover the rules; this checks that the commands
 * reach them and report what happened.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { BIN, errorCode, latchkey, type Run } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let olivia: TestUser;
let mia: TestUser;
let max: TestUser;
const TEAM = 'Crew';
let dir: string;

const asOlivia = (...args: string[]): Promise<Run> => latchkey(['--config-dir', dir, ...args], { LATCHKEY_PASSWORD: olivia.password });
async function ok(run: Promise<Run>): Promise<unknown> {
  const r = await run;
  expect(r.code, r.stderr).toBe(0);
  return r.json;
}

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-team-admin-'));
  [olivia, mia, max] = await Promise.all([signUpUser(server, { name: 'Olivia' }), signUpUser(server, { name: 'Mia' }), signUpUser(server, { name: 'Max' })]);
  const team = await olivia.client.organizations.create({ name: TEAM, kind: 'team' });
  for (const p of [mia, max]) {
    const before = Date.now() - 1000;
    await olivia.client.invitations.create(team.id, p.email, 'member');
    const mail = await waitForEmail(server.dataDir, { to: p.email, subjectIncludes: 'invited you', after: before });
    const { fingerprint } = await p.client.invitations.accept(/#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!);
    await olivia.client.organizations.confirm(team.id, p.userId, fingerprint);
  }
  const { secret } = await max.client.twoStep.enableTotp();
  await max.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
  dir = path.join(root, 'olivia');
  const signin = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', olivia.email, '--secret-key', olivia.secretKey], {
    LATCHKEY_PASSWORD: olivia.password,
  });
  expect(signin.code, signin.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('team administration through the CLI', () => {
  it('changes a role, resets a member’s two-step verification, and hands the team over', async () => {
    expect(await ok(asOlivia('org', 'role', TEAM, mia.email, 'admin'))).toMatchObject({ email: mia.email, role: 'admin', previousRole: 'member' });

    expect(await ok(asOlivia('org', 'reset-2fa', TEAM, max.email))).toMatchObject({ email: max.email, reset: true });
    // Password and Secret Key alone sign Max in now; he sets two-step verification up again.
    const again = server.client();
    await again.signIn({ email: max.email, password: max.password, secretKey: max.secretKey });
    expect((await again.twoStep.status()).enabled).toBe(false);

    expect(await ok(asOlivia('org', 'transfer', TEAM, mia.email, '--step-down'))).toMatchObject({ email: mia.email, role: 'owner', yourRole: 'admin' });
    // Now an admin: role changes are for owners.
    expect(errorCode(await asOlivia('org', 'role', TEAM, max.email, 'admin'))).toBe('forbidden');
  }, 300_000);

  it('documents the three commands in the help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'org', '--help'], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } });
    expect(stdout).toMatch(/role <org> <member> <role> +Change a confirmed member's role/);
    expect(stdout).toMatch(/transfer \[options\] <org> <member> +Make a confirmed member the organizer/);
    expect(stdout).toMatch(/reset-2fa <org> <member> +Teams: remove a member's two-step/);
  });
});
