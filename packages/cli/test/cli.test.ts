/**
 * The `latchkey` CLI end to end, as a script would drive it (SPEC §3.2): real processes, a real
 * server, codes read from the outbox, `--json` on stdout, errors as JSON on stderr.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_KEY_ALPHABET } from '@latchkey/core/secret-key';
import { extractCode, startTestServer, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
const password = 'correct horse battery staple';
const email = uniqueEmail('cli');
let secretKey = '';
let phoneDir = '';
let laptopDir = '';

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-'));
  phoneDir = path.join(root, 'phone');
  laptopDir = path.join(root, 'laptop');
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('latchkey CLI', () => {
  it('signs up in two invocations, reading the code from the outbox, refuses a weak password first, and saves the Emergency Kit only when asked', async () => {
    const before = Date.now();
    const first = await latchkey(['--config-dir', phoneDir, 'signup', '--server', server.url, '--email', email]);
    expect(first).toMatchObject({ code: 0, json: { status: 'verification_sent' } });
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: before - 1000 });
    const kit = path.join(root, 'kit.pdf');
    // A weak or short password is refused before the emailed code is used (it works below).
    const signupArgs = [
      '--config-dir',
      phoneDir,
      'signup',
      '--server',
      server.url,
      '--email',
      email,
      '--name',
      'Cli User',
      '--email-code',
      extractCode(mail.text),
    ];
    for (const [weak, code, reason] of [
      ['Password123', 'password_too_weak', 'too easy to guess'],
      ['password', 'password_too_short', 'at least 10 characters'],
    ] as const) {
      const refused = await latchkey(signupArgs, { LATCHKEY_NEW_PASSWORD: weak });
      expect(errorCode(refused)).toBe(code);
      expect(refused.stderr).toContain(reason);
    }
    const second = await latchkey(
      [
        '--config-dir',
        phoneDir,
        'signup',
        '--server',
        server.url,
        '--email',
        email,
        '--name',
        'Cli User',
        '--email-code',
        extractCode(mail.text),
        '--emergency-kit',
        kit,
      ],
      { LATCHKEY_NEW_PASSWORD: password },
    );
    expect(second.code).toBe(0);
    const out = second.json as { email: string; secretKey: string };
    expect(out.email).toBe(email);
    expect(out.secretKey).toMatch(/^L1-[2-9A-HJ-NP-Z]{6}-[2-9A-HJ-NP-Z]{6}(-[2-9A-HJ-NP-Z]{5}){3}-[2-9A-HJ-NP-Z]{6}$/);
    secretKey = out.secretKey;
    expect((await readFile(kit)).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await stat(kit)).mode & 0o077).toBe(0);
    expect((await stat(path.join(phoneDir, 'state.json'))).mode & 0o077).toBe(0);
  });

  it('signs in on a second device with the Secret Key and reads back items', async () => {
    const env = { LATCHKEY_PASSWORD: password };
    const created = await latchkey(
      [
        '--config-dir',
        phoneDir,
        'item',
        'create',
        '--vault',
        'Personal',
        '--title',
        'GitHub',
        '--username',
        'octo',
        '--password',
        'hunter2',
        '--url',
        'https://github.com',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const { id } = created.json as { id: string };

    const signin = await latchkey(['--config-dir', laptopDir, 'signin', '--server', server.url, '--email', email, '--secret-key', secretKey], env);
    expect(signin).toMatchObject({ code: 0, json: { email } });
    const got = await latchkey(['--config-dir', laptopDir, 'item', 'get', id], env);
    expect(got.json).toMatchObject({ id, title: 'GitHub', username: 'octo', password: 'hunter2', urls: ['https://github.com'] });
    const whoami = await latchkey(['--config-dir', laptopDir, 'whoami']);
    expect(whoami.json).toMatchObject({ email });
  });

  it('manages vaults and items: create, list, edit, conflict, delete', async () => {
    const env = { LATCHKEY_PASSWORD: password };
    const vault = await latchkey(['--config-dir', laptopDir, 'vault', 'create', 'Work'], env);
    expect(vault.json).toMatchObject({ name: 'Work' });
    const vaults = await latchkey(['--config-dir', laptopDir, 'vault', 'list'], env);
    expect((vaults.json as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['Personal', 'Work']);
    const created = await latchkey(['--config-dir', laptopDir, 'item', 'create', '--vault', 'Work', '--title', 'VPN', '--password', 'v1'], env);
    const { id } = created.json as { id: string };
    const edited = await latchkey(['--config-dir', laptopDir, 'item', 'edit', id, '--password', 'v2'], env);
    expect(edited.json).toMatchObject({ id, password: 'v2', version: 2 });
    const stale = await latchkey(['--config-dir', phoneDir, 'item', 'edit', id, '--password', 'v3', '--expected-version', '1'], env);
    expect(stale.code).not.toBe(0);
    expect(errorCode(stale)).toBe('conflict');
    const list = await latchkey(['--config-dir', phoneDir, 'item', 'list', '--vault', 'Work'], env);
    expect((list.json as Array<{ password: string }>).map((i) => i.password)).toEqual(['v2']);
    const deleted = await latchkey(['--config-dir', phoneDir, 'item', 'delete', id], env);
    expect(deleted.json).toMatchObject({ id, trashed: true, version: 3 });
    const missing = await latchkey(['--config-dir', phoneDir, 'item', 'get', id], env);
    expect(errorCode(missing)).toBe('not_found');
  });

  it('keeps deleted items in the Trash: list, restore with content intact, empty', async () => {
    const env = { LATCHKEY_PASSWORD: password };
    const dir = ['--config-dir', laptopDir];
    const trashed = await latchkey([...dir, 'trash', 'list', '--vault', 'Work'], env);
    expect((trashed.json as Array<{ title: string; version: number }>).map((i) => [i.title, i.version])).toEqual([['VPN', 3]]);
    const id = (trashed.json as Array<{ id: string }>)[0]!.id;
    expect((await latchkey([...dir, 'trash', 'restore', id, '--vault', 'Work'], env)).json).toMatchObject({ id, version: 4, restored: true });
    expect((await latchkey([...dir, 'item', 'get', id], env)).json).toMatchObject({ title: 'VPN', password: 'v2', version: 4 });
    await latchkey([...dir, 'item', 'delete', id], env);
    expect((await latchkey([...dir, 'trash', 'empty', '--vault', 'Work'], env)).json).toEqual({ purged: 1 });
    expect((await latchkey([...dir, 'trash', 'list', '--vault', 'Work'], env)).json).toEqual([]);
    const restoreGone = await latchkey([...dir, 'trash', 'restore', id, '--vault', 'Work'], env);
    expect(errorCode(restoreGone)).toBe('not_found');
  });

  it('reports a wrong password, a wrong Secret Key and a typo with their own codes, the typo before any request', async () => {
    const dir = path.join(root, 'attacker');
    const wrongPassword = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', email, '--secret-key', secretKey], {
      LATCHKEY_PASSWORD: 'nope nope nope',
    });
    expect(wrongPassword.code).not.toBe(0);
    expect(errorCode(wrongPassword)).toBe('wrong_password');
    expect(wrongPassword.json).toMatchObject({ error: { message: expect.any(String) } });

    const other = `L1-ABCDEF-${secretKey.slice(10)}`;
    const wrongKey = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', email, '--secret-key', other], {
      LATCHKEY_PASSWORD: password,
    });
    expect(['wrong_secret_key', 'secret_key_typo']).toContain(errorCode(wrongKey));

    const i = secretKey.length - 2;
    const typo = secretKey.slice(0, i) + SECRET_KEY_ALPHABET[(SECRET_KEY_ALPHABET.indexOf(secretKey[i]!) + 1) % 32] + secretKey.slice(i + 1);
    // Pointed at a closed port: only a check made before any request can answer secret_key_typo.
    const offline = await latchkey(['--config-dir', dir, 'signin', '--server', 'http://127.0.0.1:9', '--email', email, '--secret-key', typo], {
      LATCHKEY_PASSWORD: password,
    });
    expect(errorCode(offline)).toBe('secret_key_typo');
    const unreachable = await latchkey(['--config-dir', dir, 'signin', '--server', 'http://127.0.0.1:9', '--email', email, '--secret-key', secretKey], {
      LATCHKEY_PASSWORD: password,
    });
    expect(errorCode(unreachable)).toBe('network_error');
  });

  it('distinguishes a real wrong Secret Key from a typo', async () => {
    // A valid Secret Key of another account (well-formed, right check character).
    const { generateSecretKey } = await import('@latchkey/core/secret-key');
    const res = await latchkey(
      ['--config-dir', path.join(root, 'x'), 'signin', '--server', server.url, '--email', email, '--secret-key', generateSecretKey()],
      { LATCHKEY_PASSWORD: password },
    );
    expect(errorCode(res)).toBe('wrong_secret_key');
  });

  it('lists sessions, signs out everywhere else, and changes the password', async () => {
    const sessions = await latchkey(['--config-dir', laptopDir, 'session', 'list']);
    expect((sessions.json as unknown[]).length).toBeGreaterThanOrEqual(2);
    const revoked = await latchkey(['--config-dir', laptopDir, 'session', 'revoke', '--all-others']);
    expect((revoked.json as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);
    const phoneNow = await latchkey(['--config-dir', phoneDir, 'whoami']);
    expect(errorCode(phoneNow)).toBe('unauthenticated');

    const changed = await latchkey(['--config-dir', laptopDir, 'account', 'change-password'], {
      LATCHKEY_PASSWORD: password,
      LATCHKEY_NEW_PASSWORD: 'an even better password',
    });
    expect(changed).toMatchObject({ code: 0, json: { status: 'changed' } });
    const oldFails = await latchkey(['--config-dir', phoneDir, 'signin', '--server', server.url, '--email', email], { LATCHKEY_PASSWORD: password });
    expect(errorCode(oldFails)).toBe('wrong_password');
    const newWorks = await latchkey(['--config-dir', phoneDir, 'signin', '--server', server.url, '--email', email], {
      LATCHKEY_PASSWORD: 'an even better password',
    });
    expect(newWorks.code).toBe(0);
    const signout = await latchkey(['--config-dir', phoneDir, 'signout']);
    expect(signout.code).toBe(0);
    expect(errorCode(await latchkey(['--config-dir', phoneDir, 'whoami']))).toBe('not_signed_in');
  });

  it('fails clearly without a password in a script, and on bad usage', async () => {
    const noPassword = await latchkey(['--config-dir', laptopDir, 'vault', 'list']);
    expect(errorCode(noPassword)).toBe('invalid_request');
    const usage = await latchkey(['--config-dir', laptopDir, 'item', 'create', '--title', 'x']);
    expect(usage.code).not.toBe(0);
    expect(errorCode(usage)).toBe('invalid_request');
  });
});
