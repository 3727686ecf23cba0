/**
 * Recovery codes through the CLI (SPEC §3.2 rows for `recovery-code` and `recover`): create →
 * confirm → forget password and Secret Key → recover → sign in with the new ones → items intact
 * → recover AGAIN with the same code (reusable) and with share files → old credentials and old
 * sessions fail.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { extractCode, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let user: TestUser;
let recoveryCode = '';
const dir = (name: string) => path.join(root, name);

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-recovery-'));
  user = await signUpUser(server);
  const vaultId = (await user.client.vaults.list())[0]!.id;
  await user.client.items.create(vaultId, { kind: 'login', title: 'Bank', username: 'me', password: 'bank-pw' });
  await user.client.items.create(vaultId, { kind: 'note', title: 'Notes', notes: 'remember me' });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function recover(args: string[], newPassword: string) {
  const before = Date.now();
  const sent = await latchkey(['--config-dir', dir('recovering'), 'recover', '--server', server.url, '--email', user.email]);
  expect(sent.json).toEqual({ status: 'verification_sent' });
  const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
  return latchkey(
    ['--config-dir', dir('recovering'), 'recover', '--server', server.url, '--email', user.email, '--email-code', extractCode(mail.text), ...args],
    { LATCHKEY_NEW_PASSWORD: newPassword },
  );
}

describe('latchkey recovery-code and recover', () => {
  it('creates a pending code, saves and prints it only where asked, and confirms it', async () => {
    const env = { LATCHKEY_PASSWORD: user.password };
    expect(
      (await latchkey(['--config-dir', dir('main'), 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], env)).code,
    ).toBe(0);
    expect((await latchkey(['--config-dir', dir('main'), 'recovery-code', 'status'])).json).toMatchObject({ status: 'none' });
    const created = await latchkey(['--config-dir', dir('main'), 'recovery-code', 'create', '--save', dir('code.txt'), '--print', dir('kit.pdf')], env);
    expect(created.json).toMatchObject({ status: 'pending' });
    recoveryCode = (created.json as { recoveryCode: string }).recoveryCode;
    expect(await readFile(dir('code.txt'), 'utf8')).toContain(recoveryCode);
    expect((await readFile(dir('kit.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await stat(dir('code.txt'))).mode & 0o077).toBe(0);
    expect((await latchkey(['--config-dir', dir('main'), 'recovery-code', 'status'])).json).toMatchObject({ status: 'pending' });

    const wrong = await latchkey(['--config-dir', dir('main'), 'recovery-code', 'confirm', '--code', generateRecoveryCode()]);
    expect(errorCode(wrong)).toBe('invalid_recovery_code');
    expect((await latchkey(['--config-dir', dir('main'), 'recovery-code', 'confirm', '--code', recoveryCode])).json).toEqual({ status: 'active' });
    expect((await latchkey(['--config-dir', dir('main'), 'recovery-code', 'check', '--code', recoveryCode])).json).toEqual({ valid: true });
    expect((await latchkey(['--config-dir', dir('main'), 'recovery-code', 'check', '--code', generateRecoveryCode()])).json).toEqual({ valid: false });
    const typo = await latchkey([
      '--config-dir',
      dir('main'),
      'recovery-code',
      'check',
      '--code',
      recoveryCode.slice(0, -1) + (recoveryCode.endsWith('A') ? 'B' : 'A'),
    ]);
    expect(errorCode(typo)).toBe('recovery_code_typo');
  });

  it('recovers with the code: new Secret Key, every session ended, items intact', async () => {
    const result = await recover(['--recovery-code', recoveryCode], 'recovered password one');
    expect(result.code).toBe(0);
    const { secretKey } = result.json as { secretKey: string };
    expect(secretKey).not.toBe(user.secretKey);
    expect(errorCode(await latchkey(['--config-dir', dir('main'), 'whoami']))).toBe('unauthenticated');

    const oldFails = await latchkey(['--config-dir', dir('old'), 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], {
      LATCHKEY_PASSWORD: user.password,
    });
    expect(errorCode(oldFails)).toBe('wrong_secret_key');
    const env = { LATCHKEY_PASSWORD: 'recovered password one' };
    expect((await latchkey(['--config-dir', dir('new'), 'signin', '--server', server.url, '--email', user.email, '--secret-key', secretKey], env)).code).toBe(
      0,
    );
    const items = (await latchkey(['--config-dir', dir('new'), 'item', 'list'], env)).json as Array<{
      title: string;
      password: string | null;
      notes: string | null;
    }>;
    expect(items.map((i) => [i.title, i.password, i.notes]).sort()).toEqual([
      ['Bank', 'bank-pw', null],
      ['Notes', null, 'remember me'],
    ]);
  });

  it('recovers again with the same code, and from share files', async () => {
    const split = await latchkey([
      '--config-dir',
      dir('new'),
      'recovery-code',
      'split',
      '--code',
      recoveryCode,
      '--shares',
      '3',
      '--threshold',
      '2',
      '--out',
      dir('shares'),
    ]);
    const files = (split.json as { files: string[] }).files.filter((f) => f.endsWith('.txt'));
    expect(files.length).toBe(3);

    const again = await recover(['--recovery-code', recoveryCode], 'recovered password two');
    expect(again.code).toBe(0);
    expect(errorCode(await latchkey(['--config-dir', dir('new'), 'whoami']))).toBe('unauthenticated');

    const fromShares = await recover(['--shares', files[0]!, files[2]!], 'recovered password three');
    expect(fromShares.code).toBe(0);
    const { secretKey } = fromShares.json as { secretKey: string };
    const env = { LATCHKEY_PASSWORD: 'recovered password three' };
    expect((await latchkey(['--config-dir', dir('third'), 'signin', '--server', server.url, '--email', user.email, '--secret-key', secretKey], env)).code).toBe(
      0,
    );
    expect(((await latchkey(['--config-dir', dir('third'), 'item', 'list'], env)).json as unknown[]).length).toBe(2);

    const oneShare = await recover(['--shares', files[1]!], 'not enough shares');
    expect(errorCode(oneShare)).toBe('not_enough_shares');
  });

  it('deletes the code: recovery then fails', async () => {
    const env = { LATCHKEY_PASSWORD: 'recovered password three' };
    expect((await latchkey(['--config-dir', dir('third'), 'recovery-code', 'delete'], env)).json).toEqual({ status: 'none' });
    const before = Date.now();
    const sent = await latchkey(['--config-dir', dir('recovering'), 'recover', '--server', server.url, '--email', user.email]);
    expect(sent.json).toEqual({ status: 'verification_sent' });
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'no recovery code', after: before });
    expect(mail.text).not.toMatch(/^\d{6,8}$/m);
  });
});
