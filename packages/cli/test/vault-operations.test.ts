/**
 * `latchkey vault rename | delete` and `latchkey item move` end to end: a real server, the real
 * binary, `--json`. Deleting says first what goes and, without a terminal, deletes only with
 * `--yes`; moving re-encrypts the item into the other vault; failures keep their codes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let user: TestUser;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-vault-ops-'));
  user = await signUpUser(server);
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

// Each invocation is a real process that unlocks (derives the keys) again: a few seconds each on a busy machine.
describe('latchkey vault rename | delete, item move', () => {
  it('renames a vault, moves an item into it and back out, then deletes it after saying what goes', async () => {
    expect((await latchkey(['vault', 'create', 'Projects'], env)).code).toBe(0);
    const renamed = await latchkey(['vault', 'rename', 'Projects', 'Clients'], env);
    expect(renamed.json).toMatchObject({ name: 'Clients', previousName: 'Projects' });
    const names = ((await latchkey(['vault', 'list'], env)).json as Array<{ name: string }>).map((v) => v.name).sort();
    expect(names).toEqual(['Clients', 'Personal']);

    const created = await latchkey(['item', 'create', '--vault', 'Personal', '--title', 'Client portal', '--password', 'portal-pass'], env);
    const { id } = created.json as { id: string };
    const moved = await latchkey(['item', 'move', id, '--to', 'Clients'], env);
    expect(moved.json).toMatchObject({ id, moved: true, version: 2 });
    expect((await latchkey(['item', 'get', id], env)).json).toMatchObject({ title: 'Client portal', password: 'portal-pass', version: 2 });
    expect(((await latchkey(['item', 'list', '--vault', 'Personal'], env)).json as Array<{ id: string }>).map((i) => i.id)).not.toContain(id);
    const kept = await latchkey(['item', 'create', '--vault', 'Clients', '--title', 'Stays in Clients'], env);
    expect(kept.code).toBe(0);

    // Without a terminal and without --yes: what goes is said, nothing is deleted.
    const unconfirmed = await latchkey(['vault', 'delete', 'Clients'], env);
    expect(unconfirmed.code).not.toBe(0);
    expect(errorCode(unconfirmed)).toBe('invalid_request');
    const message = (unconfirmed.json as { error: { message: string } }).error.message;
    expect(message).toContain('2 items: Client portal, Stays in Clients');
    expect(message).toContain('--yes');
    expect((await latchkey(['item', 'get', id], env)).code).toBe(0);

    // Moved out first, it is kept; the rest goes with the vault.
    expect((await latchkey(['item', 'move', id, '--to', 'Personal'], env)).json).toMatchObject({ version: 3 });
    const deleted = await latchkey(['vault', 'delete', 'Clients', '--yes'], env);
    expect(deleted.json).toMatchObject({
      name: 'Clients',
      deleted: true,
      itemsDeleted: 1,
      items: [{ title: 'Stays in Clients' }],
      trashed: [],
      sharedWith: [],
    });
    expect(((await latchkey(['vault', 'list'], env)).json as Array<{ name: string }>).map((v) => v.name)).toEqual(['Personal']);
    expect((await latchkey(['item', 'get', id], env)).json).toMatchObject({ title: 'Client portal', version: 3 });
  }, 300_000);

  it('refuses the Personal vault, a vault that does not exist, and a move to where the item already is', async () => {
    expect(errorCode(await latchkey(['vault', 'delete', 'Personal', '--yes'], env))).toBe('invalid_request');
    expect(errorCode(await latchkey(['vault', 'rename', 'Nowhere', 'Somewhere'], env))).toBe('not_found');
    const created = await latchkey(['item', 'create', '--vault', 'Personal', '--title', 'Here'], env);
    const { id } = created.json as { id: string };
    expect(errorCode(await latchkey(['item', 'move', id, '--to', 'Personal'], env))).toBe('invalid_request');
    expect(errorCode(await latchkey(['item', 'move', id, '--to', 'Nowhere'], env))).toBe('not_found');
  }, 180_000);
});
