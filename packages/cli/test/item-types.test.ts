/**
 * `latchkey item` with item types, custom fields, tags, favourites, search and password history,
 * as a script drives it: real processes and a real server, `--json` on stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { BIN, errorCode, latchkey } from './helpers/run-cli.ts';

const run = promisify(execFile);

let server: TestServer;
let root: string;
let user: TestUser;
let dir = '';
let token = '';

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-item-types-'));
  user = await signUpUser(server);
  dir = path.join(root, 'device');
  const env = { LATCHKEY_PASSWORD: user.password };
  expect((await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], env)).code).toBe(0);
  token = ((await latchkey(['--config-dir', dir, 'unlock'], env)).json as { token: string }).token;
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const cli = (args: string[], stdin?: string) => latchkey(['--config-dir', dir, ...args], { LATCHKEY_SESSION: token }, stdin === undefined ? {} : { stdin });
const ok = async (args: string[], stdin?: string) => {
  const run = await cli(args, stdin);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.json;
};
/** Without --json: what a person sees (run-cli always adds --json). Async: the server runs in this process. */
const text = async (args: string[]) =>
  (
    await run(process.execPath, [BIN, '--config-dir', dir, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), LATCHKEY_SESSION: token },
      encoding: 'utf8',
    })
  ).stdout;

describe('latchkey item with types, fields, tags and history', () => {
  let cardId = '';
  let loginId = '';

  it('creates a credit card with secrets from stdin, a hidden custom field, tags and the favourite mark', async () => {
    const created = (await ok(
      [
        'item',
        'create',
        '--vault',
        'Personal',
        '--type',
        'card',
        '--title',
        'Travel Visa',
        '--cardholder',
        'Alice Example',
        '--card-number',
        '-',
        '--card-expiry',
        '09/30',
        '--card-code',
        '-',
        '--field',
        'hidden:Online banking PIN=-',
        '--field',
        'url:Card portal=https://bank.example/cards',
        '--tag',
        'money',
        '--tag',
        'travel',
        '--favourite',
      ],
      '4111 1111 1111 1111\n737\n8642\n',
    )) as { id: string };
    cardId = created.id;
    expect(await ok(['item', 'get', cardId])).toMatchObject({
      kind: 'card',
      card: { cardholder: 'Alice Example', number: '4111 1111 1111 1111', expiry: '09/30', securityCode: '737' },
      fields: [
        { label: 'Online banking PIN', kind: 'hidden', value: '8642' },
        { label: 'Card portal', kind: 'url', value: 'https://bank.example/cards' },
      ],
      tags: ['money', 'travel'],
      favourite: true,
    });
  });

  it('creates an identity and refuses details that do not fit with invalid_request', async () => {
    const identity = (await ok([
      'item',
      'create',
      '--vault',
      'Personal',
      '--type',
      'identity',
      '--title',
      'Me',
      '--full-name',
      'Alice Example',
      '--email',
      'alice@example.org',
      '--birth-date',
      '1990-02-28',
      '--tag',
      'travel',
    ])) as { id: string };
    expect(await ok(['item', 'get', identity.id])).toMatchObject({
      kind: 'identity',
      identity: { fullName: 'Alice Example', email: 'alice@example.org', birthDate: '1990-02-28' },
    });
    expect(errorCode(await cli(['item', 'create', '--vault', 'Personal', '--type', 'card', '--title', 'x', '--card-expiry', '2030']))).toBe('invalid_request');
    expect(errorCode(await cli(['item', 'create', '--vault', 'Personal', '--title', 'x', '--card-number', '4111111111111111']))).toBe('invalid_request');
    expect(errorCode(await cli(['item', 'create', '--vault', 'Personal', '--title', 'x', '--field', 'no equals sign']))).toBe('invalid_request');
    expect((await cli(['item', 'create', '--vault', 'Personal', '--type', 'boat', '--title', 'x'])).code).not.toBe(0);
  });

  it('edits: a custom field by label, tags added and removed, the favourite mark taken off, card details merged', async () => {
    await ok([
      'item',
      'edit',
      cardId,
      '--field',
      'Card portal=https://bank.example/new',
      '--remove-field',
      'online banking pin',
      '--tag',
      'work',
      '--untag',
      'MONEY',
      '--no-favourite',
      '--card-brand',
      'Visa',
      '--card-code',
      '',
    ]);
    const got = (await ok(['item', 'get', cardId])) as Record<string, unknown>;
    expect(got).toMatchObject({
      fields: [{ label: 'Card portal', kind: 'text', value: 'https://bank.example/new' }],
      tags: ['travel', 'work'],
      favourite: false,
    });
    expect(got.card).toEqual({ cardholder: 'Alice Example', number: '4111 1111 1111 1111', expiry: '09/30', brand: 'Visa' });
  });

  it('keeps replaced passwords with their dates; the text view shows them only with --history', async () => {
    loginId = (
      (await ok([
        'item',
        'create',
        '--vault',
        'Personal',
        '--title',
        'Mail',
        '--username',
        'alice@mail.example',
        '--password',
        'first-mail-pass',
        '--tag',
        'Work',
      ])) as { id: string }
    ).id;
    await ok(['item', 'edit', loginId, '--password', '-'], 'second-mail-pass\n');
    await ok(['item', 'edit', loginId, '--password', 'third-mail-pass']);
    const got = (await ok(['item', 'get', loginId])) as { password: string; passwordHistory: { password: string; replacedAt: string }[] };
    expect(got.password).toBe('third-mail-pass');
    expect(got.passwordHistory.map((e) => e.password)).toEqual(['second-mail-pass', 'first-mail-pass']);
    for (const e of got.passwordHistory) expect(Number.isNaN(Date.parse(e.replacedAt))).toBe(false);
    const plain = await text(['item', 'get', loginId]);
    expect(plain).toContain('password history: 2 earlier passwords (show with --history)');
    expect(plain).not.toContain('first-mail-pass');
    const withHistory = await text(['item', 'get', loginId, '--history']);
    expect(withHistory).toContain('second-mail-pass  (replaced ');
    expect(withHistory).toContain('first-mail-pass  (replaced ');
  });

  it('lists with --search, --tag and --favourites, and says when nothing matches', async () => {
    await ok(['item', 'edit', loginId, '--favourite']);
    const titles = async (args: string[]) => ((await ok(['item', 'list', ...args])) as { title: string }[]).map((i) => i.title).sort();
    expect(await titles(['--search', 'mail.example'])).toEqual(['Mail']);
    expect(await titles(['--tag', 'travel'])).toEqual(['Me', 'Travel Visa']);
    expect(await titles(['--tag', 'work'])).toEqual(['Mail', 'Travel Visa']);
    expect(await titles(['--favourites'])).toEqual(['Mail']);
    expect(await titles(['--search', 'visa', '--tag', 'travel'])).toEqual(['Travel Visa']);
    expect(await titles(['--search', 'third-mail-pass'])).toEqual([]);
    expect((await text(['item', 'list', '--search', 'nothing-like-this'])).trim()).toBe('No items match.');
    expect(await text(['item', 'list', '--favourites'])).toContain('★ Mail');
  });
});
