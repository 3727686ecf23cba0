/**
 * `latchkey health` end to end: a real server, the real binary; weak, reused and old passwords
 * in `--json` (the SDK's report) and in words, naming items and never their passwords.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHealthReport } from '@latchkey/client/client';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { latchkey } from './helpers/run-cli.ts';

const REUSED = 'Harbor-Quill-58-lantern';
let server: TestServer;
let root: string;
let user: TestUser;
let env: Record<string, string>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-health-'));
  user = await signUpUser(server);
  const personal = await user.client.vaults.find('Personal');
  const work = await user.client.vaults.create('Work');
  ids.forum = (await user.client.items.create(personal.id, { kind: 'login', title: 'Forum', username: 'me', password: 'Password1' })).id;
  ids.mail = (await user.client.items.create(personal.id, { kind: 'login', title: 'Mail', password: REUSED })).id;
  ids.chat = (await user.client.items.create(work.id, { kind: 'login', title: 'Chat', password: REUSED })).id;
  ids.bank = (await user.client.items.create(work.id, { kind: 'login', title: 'Bank', password: 'N8v$Lq2#Zp9@Wm4!Rt6x' })).id;
  await server.running.context.db
    .updateTable('items')
    .set({ updated_at: new Date(Date.now() - 500 * 24 * 3600_000) })
    .where('id', '=', ids.bank)
    .execute();
  const dir = path.join(root, 'laptop');
  const signIn = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], {
    LATCHKEY_PASSWORD: user.password,
  });
  expect(signIn.code).toBe(0);
  env = { LATCHKEY_PASSWORD: user.password, LATCHKEY_CONFIG_DIR: dir };
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('latchkey health', () => {
  it('prints the report as JSON: weak, reused, old, and no password', async () => {
    const run = await latchkey(['health'], env);
    expect(run.code).toBe(0);
    const report = run.json as PasswordHealthReport;
    expect(report.checked).toBe(4);
    expect(report.weak).toEqual([expect.objectContaining({ itemId: ids.forum, title: 'Forum', username: 'me', reason: 'common' })]);
    expect(report.reused.map((g) => g.items.map((i) => i.itemId))).toEqual([[ids.chat, ids.mail]]);
    expect(report.old).toEqual([expect.objectContaining({ itemId: ids.bank, title: 'Bank', ageDays: 500 })]);
    expect(JSON.stringify(report)).not.toContain(REUSED);
    expect(JSON.stringify(report)).not.toContain('Password1');
  });

  it('says it in words without --json', async () => {
    const { execFile } = await import('node:child_process');
    const { BIN } = await import('./helpers/run-cli.ts');
    const text = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [BIN, 'health'], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env } }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    expect(text).toContain('Checked 4 passwords on this device.');
    expect(text).toContain('Weak passwords (1):');
    expect(text).toContain(`Forum (me) in Personal  ${ids.forum}`);
    expect(text).toContain('weak: one of the most common passwords');
    expect(text).toContain('the same password in 2 items:');
    expect(text).toContain(`Chat in Work  ${ids.chat}`);
    expect(text).toMatch(/Old passwords, unchanged for over 365 days \(1\):\n {2}Bank in Work .+\n {4}last changed \d{4}-\d\d-\d\d \(500 days ago\)/);
    expect(text).not.toContain(REUSED);
  });
});
