/**
 * Secret references through the CLI (SPEC §2.7): `read`, `run` and `inject` on one unlocked
 * session, by name or id; masking in `run`'s output; nothing resolved lands in the CLI's files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP as ReferenceTotp } from 'otpauth';
import { totpCode } from '@latchkey/core/totp-code';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { BIN, errorCode, latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let dir: string;
let user: TestUser;
let token = '';
let dbId = '';
let workId = '';
const TOTP = 'JBSWY3DPEHPK3PXP';
const DB_PASSWORD = 'p@ss w0rd/with%odd$chars';

function raw(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--config-dir', dir, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), LATCHKEY_SESSION: token, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
const json = (args: string[], env: Record<string, string> = {}) => latchkey(['--config-dir', dir, ...args], { LATCHKEY_SESSION: token, ...env });

async function filesUnder(at: string): Promise<string[]> {
  const entries = await readdir(at, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-refs-'));
  dir = path.join(root, 'device');
  user = await signUpUser(server);
  const work = await user.client.vaults.create('Work');
  workId = work.id;
  dbId = (
    await user.client.items.create(work.id, {
      kind: 'login',
      title: 'Prod DB',
      username: 'app',
      password: DB_PASSWORD,
      urls: ['https://db.example.com', 'https://db2.example.com'],
      notes: 'line one\nline two',
      totp: TOTP,
    })
  ).id;
  await user.client.items.create(work.id, { kind: 'password', title: 'Twin', password: 'one' });
  await user.client.items.create(work.id, { kind: 'password', title: 'Twin', password: 'two' });
  await user.client.items.create(work.id, { kind: 'note', title: 'a/b', notes: 'slashed' });
  const signin = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], {
    LATCHKEY_PASSWORD: user.password,
  });
  expect(signin.code).toBe(0);
  const unlocked = await latchkey(['--config-dir', dir, 'unlock'], { LATCHKEY_PASSWORD: user.password });
  token = (unlocked.json as { token: string }).token;
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('latchkey read', () => {
  it('prints a field by vault and item name or id, each field', async () => {
    expect((await raw(['read', 'lk://Work/Prod DB/password'])).stdout).toBe(`${DB_PASSWORD}\n`);
    expect((await raw(['read', '-n', `lk://${workId}/${dbId}/username`])).stdout).toBe('app');
    expect((await json(['read', 'lk://work/prod db/url'])).json).toMatchObject({ value: 'https://db.example.com' });
    expect((await json(['read', 'lk://Work/Prod DB/notes'])).json).toMatchObject({ value: 'line one\nline two' });
    expect((await json(['read', 'lk://Work/a%2Fb/notes'])).json).toMatchObject({ value: 'slashed' });
    const before = totpCode(TOTP);
    const code = ((await json(['read', 'lk://Work/Prod DB/totp'])).json as { value: string }).value;
    expect([before, totpCode(TOTP)]).toContain(code);
    expect(code).toMatch(/^\d{6}$/);
  });

  it('gives clear codes for a malformed reference, an unknown name, two items of one name and a missing field', async () => {
    expect(errorCode(await json(['read', 'lk://Work/Prod DB']))).toBe('invalid_reference');
    expect(errorCode(await json(['read', 'lk://Nope/Prod DB/password']))).toBe('not_found');
    expect(errorCode(await json(['read', 'lk://Work/Nope/password']))).toBe('not_found');
    const twin = await json(['read', 'lk://Work/Twin/password']);
    expect(errorCode(twin)).toBe('invalid_reference');
    expect(twin.stderr).toContain('use its id');
    expect(errorCode(await json(['read', 'lk://Work/Twin/username']))).toBe('invalid_reference');
    expect(errorCode(await json(['read', 'lk://Work/a%2Fb/password']))).toBe('invalid_reference');
  });
});

describe('latchkey run', () => {
  it('gives the command the resolved values, masks them in its output, and passes its exit status', async () => {
    const seen = path.join(root, 'seen.txt');
    const script = `const fs=require('fs');fs.writeFileSync(${JSON.stringify(seen)},process.env.DB_PASSWORD+'|'+process.env.DB_USER+'|'+process.env.PLAIN);console.log('pw='+process.env.DB_PASSWORD);console.error('user='+process.env.DB_USER);process.stdout.write(process.env.DB_PASSWORD.slice(0,3));setTimeout(()=>{process.stdout.write(process.env.DB_PASSWORD.slice(3)+'\\n');process.exit(7)},20)`;
    const result = await raw(['run', '--', process.execPath, '-e', script], {
      DB_PASSWORD: 'lk://Work/Prod DB/password',
      DB_USER: ' lk://Work/Prod DB/username ',
      PLAIN: 'postgres://host/db',
    });
    expect(result.code).toBe(7);
    expect(await readFile(seen, 'utf8')).toBe(`${DB_PASSWORD}|app|postgres://host/db`);
    expect(result.stdout).toBe('pw=<concealed by latchkey>\n<concealed by latchkey>\n');
    expect(result.stderr).toBe('user=<concealed by latchkey>\n');
    const unmasked = await raw(['run', '--no-masking', '--', process.execPath, '-e', 'console.log(process.env.DB_PASSWORD)'], {
      DB_PASSWORD: 'lk://Work/Prod DB/password',
    });
    expect(unmasked.stdout).toBe(`${DB_PASSWORD}\n`);
  });

  it('does not start the command when a reference does not resolve', async () => {
    const marker = path.join(root, 'started.txt');
    const result = await json(['run', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)},'x')`], {
      DB_PASSWORD: 'lk://Work/Missing/password',
    });
    expect(errorCode(result)).toBe('not_found');
    await expect(stat(marker)).rejects.toThrow();
  });

  it('leaves no resolved secret in the CLI’s own files or in what the parent passed', async () => {
    await raw(['run', '--', process.execPath, '-e', 'console.log(process.env.DB_PASSWORD)'], { DB_PASSWORD: 'lk://Work/Prod DB/password' });
    for (const file of await filesUnder(dir)) expect(await readFile(file, 'utf8')).not.toContain(DB_PASSWORD);
    // The parent's environment and command line only ever held the reference.
    expect(process.env.DB_PASSWORD).toBeUndefined();
  });
});

describe('latchkey inject', () => {
  it('fills a template into a 0600 file, and refuses to overwrite it without --force', async () => {
    const template = path.join(root, 'config.tpl');
    const out = path.join(root, 'config.env');
    await writeFile(
      template,
      'DB_USER={{ lk://Work/Prod DB/username }}\nDB_PASS={{lk://Work/Prod DB/password}}\nURL={{ lk://Work/Prod DB/url }}\nKEEP={{ other }}\n',
    );
    const result = await json(['inject', '-i', template, '-o', out]);
    expect(result.json).toMatchObject({ file: out, references: 3 });
    expect(await readFile(out, 'utf8')).toBe(`DB_USER=app\nDB_PASS=${DB_PASSWORD}\nURL=https://db.example.com\nKEEP={{ other }}\n`);
    expect((await stat(out)).mode & 0o077).toBe(0);
    expect(errorCode(await json(['inject', '-i', template, '-o', out]))).toBe('already_exists');
    expect((await json(['inject', '-i', template, '-o', out, '--force'])).code).toBe(0);
    const stdout = await raw(['inject', '-i', template]);
    expect(stdout.stdout).toContain(`DB_PASS=${DB_PASSWORD}\n`);
  });

  it('writes nothing when one reference does not resolve', async () => {
    const template = path.join(root, 'bad.tpl');
    const out = path.join(root, 'bad.env');
    await writeFile(template, 'A={{ lk://Work/Prod DB/password }}\nB={{ lk://Work/Nope/password }}\n');
    expect(errorCode(await json(['inject', '-i', template, '-o', out]))).toBe('not_found');
    await writeFile(template, 'A={{ lk://Work/Prod DB }}\n');
    expect(errorCode(await json(['inject', '-i', template, '-o', out]))).toBe('invalid_reference');
    await expect(stat(out)).rejects.toThrow();
  });
});

describe('latchkey item get with a TOTP secret', () => {
  it("prints the current one-time code and the seconds it has left, the same as otpauth's", async () => {
    const reference = new ReferenceTotp({ secret: Secret.fromBase32(TOTP) });
    const before = reference.generate();
    const got = (await json(['item', 'get', dbId])).json as { totpCode: { code: string; secondsLeft: number } };
    expect([before, reference.generate()]).toContain(got.totpCode.code);
    expect(got.totpCode.secondsLeft).toBeGreaterThanOrEqual(1);
    expect(got.totpCode.secondsLeft).toBeLessThanOrEqual(30);
    const text = await raw(['item', 'get', dbId]);
    expect(text.stdout).toMatch(/^ {2}one-time code: \d{6} \(\d{1,2} s left\)$/m);
  });
});
