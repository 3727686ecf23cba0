/**
 * `latchkey recover` one step at a time (docs/protocol.md §14.5). On a terminal: the emailed code
 * is asked for and checked first (asked again when wrong), then the recovery code (asked again
 * after a typo or a wrong code, with the same emailed code), and only then the new password.
 * In a script (secrets on stdin with `-`): every secret is checked for presence, and the code for
 * typos, before the first request, so a missing password or a mistyped code costs no emailed
 * code; share cards can come on stdin too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { splitRecoveryCode } from '@latchkey/core/recovery-shares';
import { extractCode, readOutbox, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { errorCode, latchkey } from './helpers/run-cli.ts';
import { latchkeyOnTerminal } from './helpers/terminal.ts';

let server: TestServer;
let root: string;
beforeAll(async () => {
  server = await startTestServer();
  root = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-recover-steps-'));
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const dir = (name: string) => path.join(root, name);
const withTypo = (code: string) => code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
const RECOVERY_MAIL = 'confirm a Latchkey account recovery';

async function userWithCode(): Promise<{ user: TestUser; code: string }> {
  const user = await signUpUser(server);
  const { recoveryCode } = await user.client.recoveryCode.create();
  await user.client.recoveryCode.confirm(recoveryCode);
  return { user, code: recoveryCode };
}

async function recoveryMails(email: string): Promise<number> {
  return (await readOutbox(server.dataDir)).filter((m) => m.to === email && m.subject.includes(RECOVERY_MAIL)).length;
}

describe('latchkey recover on a terminal', () => {
  it('checks the emailed code first, retries a wrong recovery code with the same emailed code, and asks for the new password only after the code is proven', async () => {
    const { user, code } = await userWithCode();
    const before = Date.now();
    const term = latchkeyOnTerminal(['--config-dir', dir('terminal'), 'recover', '--server', server.url, '--email', user.email]);

    await term.waitFor(`Code from the email sent to ${user.email}:`);
    const emailCode = extractCode((await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: RECOVERY_MAIL, after: before })).text);
    term.type(emailCode === '00000000' ? '11111111' : '00000000');
    await term.waitFor('That code is not right');
    // A wrong emailed code is asked for again, before anything about the recovery code.
    const afterWrongEmailCode = await term.waitFor(`Code from the email sent to ${user.email}:`);
    expect(afterWrongEmailCode).not.toContain('Recovery code:');
    term.type(emailCode);

    await term.waitFor('Recovery code:');
    term.type(withTypo(code));
    await term.waitFor('typo');
    await term.waitFor('Recovery code:');
    term.type(generateRecoveryCode());
    await term.waitFor('not right for this account');
    const beforeRightCode = await term.waitFor('Recovery code:');
    // Two wrong recovery codes, and still no password prompt and no new email.
    expect(beforeRightCode).not.toContain('New account password');
    expect(await recoveryMails(user.email)).toBe(1);
    term.type(code);

    // A refused password is asked for again at once, with the reason, before it is repeated.
    await term.waitFor('New account password:');
    term.type('short');
    const afterShort = await term.waitFor('at least 10 characters');
    expect(afterShort.slice(afterShort.lastIndexOf('New account password:'))).not.toContain('Repeat');
    await term.waitFor('New account password:');
    term.type('Password123');
    await term.waitFor('This password is too easy to guess.');
    await term.waitFor('New account password:');
    term.type('recovered on a terminal');
    await term.waitFor('Strength: very strong.');
    await term.waitFor('Repeat the new account password:');
    term.type('recovered on a terminal');
    const done = await term.waitFor('Your recovery code still works.', 60_000);
    expect(await term.exited).toBe(0);

    // The order of the prompts, as the person saw them.
    const order = [
      'Code from the email',
      'That code is not right',
      'Code from the email',
      'Recovery code:',
      'typo',
      'Recovery code:',
      'not right for this account',
      'Recovery code:',
      'New account password:',
    ];
    let at = 0;
    for (const text of order) {
      const found = done.indexOf(text, at);
      expect(found, `"${text}" after position ${at}`).toBeGreaterThanOrEqual(at);
      at = found + text.length;
    }
    // Every secret was typed with echo off.
    for (const secret of [emailCode, code, code.slice(3), 'recovered on a terminal']) expect(done).not.toContain(secret);
    expect(await recoveryMails(user.email)).toBe(1);

    const secretKey = /New Secret Key: (L1-\S+)/.exec(done)?.[1];
    expect(secretKey).toBeDefined();
    await server.client().signIn({ email: user.email, password: 'recovered on a terminal', secretKey: secretKey! });
  });
});

describe('latchkey recover in a script', () => {
  it('reads the email code and the recovery code from stdin, and a missing, too short or too weak password or a mistyped code costs no emailed code', async () => {
    const { user, code } = await userWithCode();
    const config = ['--config-dir', dir('script')];
    const before = Date.now();
    expect((await latchkey([...config, 'recover', '--server', server.url, '--email', user.email])).json).toEqual({ status: 'verification_sent' });
    const emailCode = extractCode((await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: RECOVERY_MAIL, after: before })).text);
    const recover = (stdin: string, env: Record<string, string>, extra: string[] = ['--recovery-code', '-']) =>
      latchkey([...config, 'recover', '--server', server.url, '--email', user.email, '--email-code', '-', ...extra], env, { stdin });
    const password = { LATCHKEY_NEW_PASSWORD: 'recovered from a script' };

    const typo = await recover(`${emailCode}\n${withTypo(code)}\n`, password);
    expect(errorCode(typo)).toBe('recovery_code_typo');
    const noCode = await recover(`${emailCode}\n`, password);
    expect(errorCode(noCode)).toBe('secret_required');
    const noPassword = await recover(`${emailCode}\n${code}\n`, {});
    expect(errorCode(noPassword)).toBe('secret_required');
    expect(noPassword.stderr).toContain('LATCHKEY_NEW_PASSWORD');
    const shortPassword = await recover(`${emailCode}\n${code}\n`, { LATCHKEY_NEW_PASSWORD: 'short' });
    expect(errorCode(shortPassword)).toBe('password_too_short');
    const weakPassword = await recover(`${emailCode}\n${code}\n`, { LATCHKEY_NEW_PASSWORD: 'Password123!' });
    expect(errorCode(weakPassword)).toBe('password_too_weak');
    expect(weakPassword.stderr).toContain('too easy to guess');

    // The same emailed code still works: none of the failures above sent a request that used it.
    const recovered = await recover(`${emailCode}\n${code}\n`, password);
    expect(recovered.code).toBe(0);
    const { secretKey } = recovered.json as { secretKey: string };
    await server.client().signIn({ email: user.email, password: 'recovered from a script', secretKey });
    expect(await recoveryMails(user.email)).toBe(1);
  });

  it("fails with the server's code for a wrong recovery code given by a script, without asking anything", async () => {
    const { user } = await userWithCode();
    const config = ['--config-dir', dir('script-wrong')];
    const before = Date.now();
    await latchkey([...config, 'recover', '--server', server.url, '--email', user.email]);
    const emailCode = extractCode((await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: RECOVERY_MAIL, after: before })).text);
    const wrong = await latchkey(
      [...config, 'recover', '--server', server.url, '--email', user.email, '--email-code', '-'],
      { LATCHKEY_NEW_PASSWORD: 'never used here', LATCHKEY_RECOVERY_CODE: generateRecoveryCode() },
      { stdin: `${emailCode}\n` },
    );
    expect(errorCode(wrong)).toBe('invalid_recovery_code');
    expect(wrong.stderr).not.toContain('password');
  });

  it('takes share cards from stdin after the email code', async () => {
    const { user, code } = await userWithCode();
    const shares = (await splitRecoveryCode(code as never, { total: 3, threshold: 2 })).map((s) => s.text);
    const config = ['--config-dir', dir('script-shares')];
    const before = Date.now();
    await latchkey([...config, 'recover', '--server', server.url, '--email', user.email]);
    const emailCode = extractCode((await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: RECOVERY_MAIL, after: before })).text);
    const recovered = await latchkey(
      [...config, 'recover', '--server', server.url, '--email', user.email, '--email-code', '-', '--shares', '-'],
      { LATCHKEY_NEW_PASSWORD: 'recovered from two cards' },
      { stdin: `${emailCode}\n${shares[2]}\n\n${shares[0]}\n` },
    );
    expect(recovered.code, recovered.stderr).toBe(0);
    await server.client().signIn({ email: user.email, password: 'recovered from two cards', secretKey: (recovered.json as { secretKey: string }).secretKey });
  });
});
