/**
 * Secrets given to the CLI without putting them on the command line (secret-input.ts): each
 * secret flag also takes `-` (a line of stdin), an environment variable, or a prompt on a
 * terminal, with the flag first, then `-`, then the variable, then the prompt. A secret given
 * nowhere, without a terminal, is `secret_required` at once, even with stdin left open: never a
 * wait for input.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';
import { latchkeyOnTerminal } from './helpers/terminal.ts';

let server: TestServer;
let root: string;
let user: TestUser;
let recoveryCode = '';
const dir = (name: string) => path.join(root, name);
const signinArgs = () => ['signin', '--server', server.url, '--email', user.email];

beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-secrets-'));
  user = await signUpUser(server);
  ({ recoveryCode } = await user.client.recoveryCode.create());
  await user.client.recoveryCode.confirm(recoveryCode);
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('a Secret Key for signin', () => {
  const env = () => ({ LATCHKEY_PASSWORD: user.password });

  it('is read from stdin with --secret-key -', async () => {
    const run = await latchkey(['--config-dir', dir('stdin'), ...signinArgs(), '--secret-key', '-'], env(), { stdin: `${user.secretKey}\n` });
    expect(run.json).toMatchObject({ email: user.email });
  });

  it('is read from LATCHKEY_SECRET_KEY', async () => {
    const run = await latchkey(['--config-dir', dir('env'), ...signinArgs()], { ...env(), LATCHKEY_SECRET_KEY: user.secretKey });
    expect(run.json).toMatchObject({ email: user.email });
  });

  it('is asked for on a terminal, before the password, with echo off', async () => {
    const term = latchkeyOnTerminal(['--config-dir', dir('terminal'), ...signinArgs()]);
    await term.waitFor('Secret Key (from your Emergency Kit):');
    term.type(user.secretKey);
    await term.waitFor('Account password:');
    term.type(user.password);
    const screen = await term.waitFor(`Signed in as ${user.email}.`, 60_000);
    expect(await term.exited).toBe(0);
    expect(screen).not.toContain(user.secretKey);
    expect(screen).not.toContain(user.password);
  });

  it("given nowhere, without a terminal, and unknown to the device: the SDK's secret_key_required, at once", async () => {
    const run = await latchkey(['--config-dir', dir('none'), ...signinArgs()], env(), { timeoutMs: 30_000 });
    expect(errorCode(run)).toBe('secret_key_required');
  });
});

describe('a recovery code for recovery-code check', () => {
  const check = (args: string[], env: Record<string, string> = {}, stdin?: string) =>
    latchkey(['--config-dir', dir('stdin'), 'recovery-code', 'check', ...args], env, stdin === undefined ? { timeoutMs: 30_000 } : { stdin });

  it('comes from the flag, then -, then LATCHKEY_RECOVERY_CODE', async () => {
    expect((await check(['--code', '-'], {}, `${recoveryCode}\n`)).json).toEqual({ valid: true });
    expect((await check([], { LATCHKEY_RECOVERY_CODE: recoveryCode })).json).toEqual({ valid: true });
    // The flag wins over the environment, and so does "-".
    expect((await check(['--code', generateRecoveryCode()], { LATCHKEY_RECOVERY_CODE: recoveryCode })).json).toEqual({ valid: false });
    expect((await check(['--code', '-'], { LATCHKEY_RECOVERY_CODE: generateRecoveryCode() }, `${recoveryCode}\n`)).json).toEqual({ valid: true });
  });

  it('is asked for on a terminal', async () => {
    const term = latchkeyOnTerminal(['--config-dir', dir('stdin'), 'recovery-code', 'check']);
    await term.waitFor('Recovery code:');
    term.type(recoveryCode);
    const screen = await term.waitFor('This recovery code works.');
    expect(await term.exited).toBe(0);
    expect(screen).not.toContain(recoveryCode.slice(3));
  });

  it('given nowhere, without a terminal: secret_required at once, naming the ways to give it, though stdin is open', async () => {
    const run = await check([]);
    expect(errorCode(run)).toBe('secret_required');
    const message = (run.json as { error: { message: string } }).error.message;
    expect(message).toContain('--code -');
    expect(message).toContain('LATCHKEY_RECOVERY_CODE');
    expect(run.ms).toBeLessThan(25_000); // it did not wait out the 30-second timeout
  });

  it('with "-" and nothing on stdin: secret_required', async () => {
    expect(errorCode(await check(['--code', '-'], {}, ''))).toBe('secret_required');
    expect(errorCode(await check(['--code', '-'], {}, '\n'))).toBe('secret_required');
  });
});

describe('an item password', () => {
  it('is read from stdin with --password -', async () => {
    const env = { LATCHKEY_PASSWORD: user.password };
    const vault = (await user.client.vaults.list())[0]!.name;
    const created = await latchkey(['--config-dir', dir('stdin'), 'item', 'create', '--vault', vault, '--title', 'From stdin', '--password', '-'], env, {
      stdin: 'piped item pw 7Q\n',
    });
    const { id } = created.json as { id: string };
    expect(((await latchkey(['--config-dir', dir('stdin'), 'item', 'get', id], env)).json as { password: string }).password).toBe('piped item pw 7Q');
  });
});

describe('a second step on a terminal', () => {
  it('is asked for when the server wants one, and asked again after a wrong code', async () => {
    const owner = await signUpUser(server);
    const { secret } = await owner.client.twoStep.enableTotp();
    const backupCodes = await owner.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
    const term = latchkeyOnTerminal(['--config-dir', dir('2fa'), 'signin', '--server', server.url, '--email', owner.email, '--secret-key', '-'], {
      LATCHKEY_PASSWORD: owner.password,
    });
    await term.waitFor('Secret Key (from your Emergency Kit):');
    term.type(owner.secretKey);
    await term.waitFor('Code from your authenticator app, or a backup code:', 60_000);
    term.type('ABCD-EFGH-JKLM');
    await term.waitFor('not right');
    await term.waitFor('Code from your authenticator app, or a backup code:');
    term.type(backupCodes[0]!);
    await term.waitFor(`Signed in as ${owner.email}.`, 60_000);
    expect(await term.exited).toBe(0);
  });
});
