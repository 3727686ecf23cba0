/**
 * Unlocked sessions (SPEC §2.7): `latchkey unlock` once, then commands with `LATCHKEY_SESSION`
 * and no password; the state file alone opens nothing; a wrong or ended token is a clear error;
 * lock, the idle timeout, sign-out and the server ending the session all end it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalState } from '@latchkey/client/local-store';
import { parseItemId, parseSessionId } from '@latchkey/core/ids';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { createCli, unlockedClient } from '../src/cli-context.ts';
import { BIN, errorCode, latchkey } from './helpers/run-cli.ts';

let server: TestServer;
let root: string;
let user: TestUser;
let itemId = '';

const stateOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as LocalState;

/** The raw stdout of one command (the helper always adds --json). */
function rawStdout(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env } }, (error, stdout) =>
      resolve({ code: error ? 1 : 0, stdout }),
    );
  });
}

async function signedInDir(name: string): Promise<string> {
  const dir = path.join(root, name);
  const signin = await latchkey(['--config-dir', dir, 'signin', '--server', server.url, '--email', user.email, '--secret-key', user.secretKey], {
    LATCHKEY_PASSWORD: user.password,
  });
  expect(signin.code).toBe(0);
  return dir;
}

async function unlock(dir: string, extra: string[] = []): Promise<string> {
  const raw = await rawStdout(['--config-dir', dir, 'unlock', '--raw', ...extra], { LATCHKEY_PASSWORD: user.password });
  expect(raw.code).toBe(0);
  expect(raw.stdout).toMatch(/^lks1_[A-Za-z0-9_-]+\n$/);
  return raw.stdout.trim();
}

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-unlock-'));
  user = await signUpUser(server);
  const vault = await user.client.vaults.find('Personal');
  itemId = (await user.client.items.create(vault.id, { kind: 'login', title: 'Database', username: 'app', password: 'db-secret-1' })).id;
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('latchkey unlock', () => {
  it('prints how to export the token, and --raw prints the token alone', async () => {
    const dir = await signedInDir('human');
    const human = await rawStdout(['--config-dir', dir, 'unlock'], { LATCHKEY_PASSWORD: user.password });
    expect(human.stdout).toMatch(/export LATCHKEY_SESSION="lks1_[A-Za-z0-9_-]+"/);
    expect(human.stdout).toContain('30 minutes');
    const json = await latchkey(['--config-dir', dir, 'unlock', '--idle-timeout', '5'], { LATCHKEY_PASSWORD: user.password });
    expect(json.json).toMatchObject({ token: expect.stringMatching(/^lks1_/), idleTimeoutMinutes: 5 });
    const bad = await latchkey(['--config-dir', dir, 'unlock', '--idle-timeout', '0'], { LATCHKEY_PASSWORD: user.password });
    expect(errorCode(bad)).toBe('invalid_request');
  });

  it('runs 500 item reads on one unlock, without the password and without hitting the re-authentication limit', async () => {
    const dir = await signedInDir('script');
    const token = await unlock(dir);
    // Real processes, as a shell script would run them (no LATCHKEY_PASSWORD in their environment).
    for (let i = 0; i < 10; i++) {
      const got = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: token });
      expect(got.json).toMatchObject({ id: itemId, password: 'db-secret-1' });
    }
    // The other 490 in this process through the CLI's own code path (a fresh client from the state
    // file each time, as each new process makes one): 490 process starts take minutes on a small machine.
    const previous = process.env.LATCHKEY_SESSION;
    process.env.LATCHKEY_SESSION = token;
    try {
      for (let i = 0; i < 490; i++) {
        const client = await unlockedClient(createCli({ configDir: dir }));
        expect((await client.items.get(parseItemId(itemId))).password).toBe('db-secret-1');
      }
    } finally {
      if (previous === undefined) delete process.env.LATCHKEY_SESSION;
      else process.env.LATCHKEY_SESSION = previous;
    }
    // 500 unlocks with the password would have been refused after 120 (reauthPerUser).
    const last = await latchkey(['--config-dir', dir, 'vault', 'list'], { LATCHKEY_SESSION: token });
    expect(last.code).toBe(0);
  });

  it('keeps only a sealed copy on disk: the state file holds neither the token nor anything that opens without it', async () => {
    const dir = await signedInDir('sealed');
    const token = await unlock(dir);
    const text = await readFile(path.join(dir, 'state.json'), 'utf8');
    expect(text).not.toContain(token.slice(5));
    const state = JSON.parse(text) as LocalState;
    expect(state.unlocked).toMatchObject({ sessionId: state.session?.sessionId, idleTimeoutMinutes: 30, box: expect.any(String) });
    // The same unlock id with another key: the seal does not open.
    const forged = `${token.slice(0, 5 + 22)}${'A'.repeat(token.length - 27)}`;
    const wrong = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: forged });
    expect(errorCode(wrong)).toBe('invalid_session_token');
  });

  it('refuses a malformed token, another unlock’s token, and never falls back to the password', async () => {
    const dir = await signedInDir('wrong');
    const first = await unlock(dir);
    const second = await unlock(dir);
    const env = { LATCHKEY_PASSWORD: user.password };
    const malformed = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { ...env, LATCHKEY_SESSION: 'not-a-token' });
    expect(malformed.code).not.toBe(0);
    expect(errorCode(malformed)).toBe('invalid_session_token');
    const replaced = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { ...env, LATCHKEY_SESSION: first });
    expect(errorCode(replaced)).toBe('invalid_session_token');
    const ok = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: second });
    expect(ok.code).toBe(0);
    // A token from another device's state does not open this one.
    const otherDir = await signedInDir('wrong-other');
    const other = await unlock(otherDir);
    const crossed = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: other });
    expect(errorCode(crossed)).toBe('invalid_session_token');
  });

  it('ends on latchkey lock', async () => {
    const dir = await signedInDir('lock');
    const token = await unlock(dir);
    const locked = await latchkey(['--config-dir', dir, 'lock']);
    expect(locked.json).toMatchObject({ locked: true, wasUnlocked: true });
    expect((await stateOf(dir)).unlocked).toBeUndefined();
    const after = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: token });
    expect(after.code).not.toBe(0);
    expect(errorCode(after)).toBe('session_locked');
  });

  it('ends after the idle timeout, and stays ended', async () => {
    const dir = await signedInDir('idle');
    const token = await unlock(dir, ['--idle-timeout', '10']);
    // Last used 11 minutes ago, as if the script had stopped then.
    const state = await stateOf(dir);
    const lastUsedAt = new Date(Date.now() - 11 * 60_000).toISOString();
    await writeFile(path.join(dir, 'state.json'), JSON.stringify({ ...state, unlocked: { ...state.unlocked, lastUsedAt } }));
    const expired = await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: token });
    expect(errorCode(expired)).toBe('session_locked');
    expect((await stateOf(dir)).unlocked).toBeUndefined();
  });

  it('ends on sign-out, and when the server ends the session', async () => {
    const dir = await signedInDir('signout');
    const token = await unlock(dir);
    expect((await latchkey(['--config-dir', dir, 'signout'])).code).toBe(0);
    expect((await stateOf(dir)).unlocked).toBeUndefined();
    expect(errorCode(await latchkey(['--config-dir', dir, 'item', 'get', itemId], { LATCHKEY_SESSION: token }))).toBe('not_signed_in');

    const revokedDir = await signedInDir('revoked');
    const revokedToken = await unlock(revokedDir);
    const sessionId = (await stateOf(revokedDir)).session!.sessionId;
    await user.client.sessions.revoke(parseSessionId(sessionId));
    const refused = await latchkey(['--config-dir', revokedDir, 'item', 'get', itemId], { LATCHKEY_SESSION: revokedToken });
    expect(['unauthenticated', 'session_expired']).toContain(errorCode(refused));
    expect((await stateOf(revokedDir)).unlocked).toBeUndefined();
  });
});
