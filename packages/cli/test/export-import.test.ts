/**
 * Export and import through the CLI (SPEC §2.7): an encrypted Latchkey export imported into
 * another account losslessly; plaintext formats only with explicit confirmation; re-importing
 * adds nothing; a malformed file imports nothing; a Bitwarden file lands in folder vaults.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../core/test/fixtures/import');
let server: TestServer;
let root: string;
let alice: TestUser;
let bob: TestUser;
const tokens: Record<string, string> = {};
const EXPORT_PASSWORD = 'a long export password';

async function device(user: TestUser, name: string): Promise<string> {
  const dir = path.join(root, name);
  const env = { LATCHKEY_PASSWORD: user.password };
  expect((await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], env)).code).toBe(0);
  tokens[dir] = ((await latchkey(['--config-dir', dir, 'unlock'], env)).json as { token: string }).token;
  return dir;
}
const cli = (dir: string, args: string[], env: Record<string, string> = {}) =>
  latchkey(['--config-dir', dir, ...args], { LATCHKEY_SESSION: tokens[dir]!, LATCHKEY_EXPORT_PASSWORD: EXPORT_PASSWORD, ...env });
const contentOf = (user: TestUser) =>
  user.client.items.list().then(async (items) => {
    const names = new Map((await user.client.vaults.list()).map((v) => [v.id, v.name]));
    return items
      .map(({ id: _i, vaultId, version: _v, updatedAt: _u, ...fields }) => ({ vault: names.get(vaultId), ...fields }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  });

let aliceDir = '';
let bobDir = '';

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-export-'));
  alice = await signUpUser(server);
  bob = await signUpUser(server);
  const personal = await alice.client.vaults.find('Personal');
  const work = await alice.client.vaults.create('Wörk, "team"');
  await alice.client.items.create(personal.id, {
    kind: 'login',
    title: 'GitHub',
    username: 'octo',
    password: 'gh-pässwörd',
    urls: ['https://github.com', 'https://gist.github.com'],
    notes: 'line 1\nline 2',
    totp: 'otpauth://totp/GitHub?secret=JBSWY3DPEHPK3PXP',
  });
  await alice.client.items.create(work.id, { kind: 'note', title: 'Alarm code', notes: '1234\n"quoted", comma' });
  await alice.client.items.create(work.id, { kind: 'password', title: ' spaced ', password: '=cmd|calc' });
  aliceDir = await device(alice, 'alice');
  bobDir = await device(bob, 'bob');
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('latchkey export', () => {
  it('writes json and csv in clear only with --i-understand-this-is-plaintext, to the file named, 0600', async () => {
    const json = path.join(root, 'clear.json');
    const refused = await cli(aliceDir, ['export', '--format', 'json', '-o', json]);
    expect(errorCode(refused)).toBe('invalid_request');
    await expect(stat(json)).rejects.toThrow();
    expect((await cli(aliceDir, ['export', '--format', 'json', '-o', json, '--i-understand-this-is-plaintext'])).json).toMatchObject({
      items: 3,
      encrypted: false,
    });
    expect(await readFile(json, 'utf8')).toContain('gh-pässwörd');
    expect((await stat(json)).mode & 0o077).toBe(0);
    expect(errorCode(await cli(aliceDir, ['export', '--format', 'json', '-o', json, '--i-understand-this-is-plaintext']))).toBe('already_exists');
    const csv = path.join(root, 'clear.csv');
    expect((await cli(aliceDir, ['export', '--format', 'csv', '-o', csv, '--i-understand-this-is-plaintext', '--vault', 'Personal'])).json).toMatchObject({
      items: 1,
    });
    expect((await readFile(csv, 'utf8')).split('\r\n')[0]).toBe('vault,kind,title,username,password,urls,notes,totp');
  });

  it('round trip: an encrypted export imports into another account losslessly, and a second import adds nothing', async () => {
    const file = path.join(root, 'alice.latchkey');
    expect((await cli(aliceDir, ['export', '--format', 'latchkey', '-o', file])).json).toMatchObject({ items: 3, vaults: 2, encrypted: true });
    const text = await readFile(file, 'utf8');
    for (const secret of ['gh-pässwörd', 'GitHub', 'Alarm', '1234']) expect(text).not.toContain(secret);
    expect(errorCode(await cli(bobDir, ['import', file], { LATCHKEY_EXPORT_PASSWORD: 'not the password' }))).toBe('invalid_file');

    const first = await cli(bobDir, ['import', file]);
    expect(first.json).toMatchObject({ format: 'latchkey', imported: 3, duplicates: 0, skipped: [], newVaults: ['Wörk, "team"'] });
    expect(await contentOf(bob)).toEqual(await contentOf(alice));
    const again = await cli(bobDir, ['import', file]);
    expect(again.json).toMatchObject({ imported: 0, duplicates: 3 });
    expect((await bob.client.items.list()).length).toBe(3);
  });
});

describe('latchkey import', () => {
  it('imports a Bitwarden export into its folders’ vaults, with a dry run first, and skips what it cannot hold', async () => {
    const before = (await bob.client.items.list()).length;
    const dry = await cli(bobDir, ['import', path.join(fixtures, 'bitwarden.json'), '--dry-run']);
    expect(dry.json).toMatchObject({ format: 'bitwarden-json', dryRun: true, imported: 4, duplicates: 0 });
    expect((dry.json as { skipped: unknown[] }).skipped).toHaveLength(2);
    expect((await bob.client.items.list()).length).toBe(before);
    const real = await cli(bobDir, ['import', path.join(fixtures, 'bitwarden.json')]);
    expect(real.json).toMatchObject({ imported: 4, newVaults: expect.arrayContaining(['Work', 'Famille ünïcødé']) });
    const github = (await bob.client.items.list()).find((i) => i.title === 'GitHub' && i.username === 'octo' && i.urls?.length === 3);
    expect(github?.totp).toContain('otpauth://');
    const chrome = await cli(bobDir, ['import', path.join(fixtures, 'chrome.csv'), '--vault', 'Personal']);
    expect(chrome.json).toMatchObject({ format: 'csv', imported: 4 });
  });

  it('imports nothing from a truncated or malformed file', async () => {
    const before = (await bob.client.items.list()).length;
    for (const name of ['truncated.csv', 'truncated-bitwarden.txt']) {
      const result = await cli(bobDir, ['import', path.join(fixtures, name)]);
      expect(errorCode(result)).toBe('invalid_file');
    }
    expect(errorCode(await cli(bobDir, ['import', path.join(fixtures, 'chrome.csv'), '--format', 'bitwarden-json']))).toBe('invalid_file');
    expect((await bob.client.items.list()).length).toBe(before);
  });

  it('imports a 1Password .1pux archive and a KeePass XML file; a second import adds nothing; a cut archive imports nothing', async () => {
    const carol = await signUpUser(server);
    const carolDir = await device(carol, 'carol');
    const pux = path.join(fixtures, '1password.1pux');
    const first = await cli(carolDir, ['import', pux]);
    expect(first.json).toMatchObject({ format: '1password-1pux', imported: 5, duplicates: 0, newVaults: ['Famille ünïcødé'] });
    expect(await cli(carolDir, ['import', pux])).toMatchObject({ json: { imported: 0, duplicates: 5 } });
    const items = await carol.client.items.list();
    const personal = await carol.client.vaults.find('Personal');
    expect(items.find((i) => i.title === 'GitHub')).toMatchObject({ vaultId: personal.id, totp: expect.stringContaining('otpauth://') });
    expect(items.find((i) => i.title === 'Banque')?.totp).toBe('JBSWY3DPEHPK3PXP');

    const keepass = await cli(carolDir, ['import', path.join(fixtures, 'keepass.xml')]);
    // Its "Banque" is the one the .1pux brought into the same vault: a duplicate.
    expect(keepass.json).toMatchObject({ format: 'keepass-xml', imported: 3, duplicates: 1, newVaults: ['Famille ünïcødé/Servers'] });
    expect((await carol.client.items.list()).length).toBe(8);

    const bytes = await readFile(pux);
    const cut = path.join(root, 'cut.1pux');
    await writeFile(cut, bytes.subarray(0, bytes.length - 40));
    expect(errorCode(await cli(carolDir, ['import', cut]))).toBe('invalid_file');
    expect((await carol.client.items.list()).length).toBe(8);
  });
});
