/**
 * Accounts end to end through the SDK against a real server: sign-up with the emailed code,
 * sign-in on a new and on a known device, the three distinct credential errors, lock/unlock,
 * sessions, password and Secret Key changes, notifications and the security log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClient } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { parseSecretKey, SECRET_KEY_ALPHABET } from '@latchkey/core/secret-key';
import { readOutbox, signUpUser, startTestServer, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Changes one character of the secret part while keeping the format (so only the check character can catch it). */
function typoOf(secretKey: string): string {
  const i = secretKey.length - 3;
  const c = secretKey[i]!;
  const replacement = SECRET_KEY_ALPHABET[(SECRET_KEY_ALPHABET.indexOf(c) + 1) % 32]!;
  return secretKey.slice(0, i) + replacement + secretKey.slice(i + 1);
}

describe('sign-up', () => {
  it('creates the account, the Personal vault and a signed-in, unlocked session', async () => {
    const user = await signUpUser(server, { name: 'Alice' });
    const token = (await user.store.read()).session!.token;
    const account = await fetch(`${server.url}/api/account`, { headers: { authorization: `Bearer ${token}` } });
    // Keysets and ciphertexts are never kept by a browser or proxy cache.
    expect(account.headers.get('cache-control')).toBe('no-store');
    expect(parseSecretKey(user.secretKey)).toBe(user.secretKey);
    expect(user.client.isUnlocked).toBe(true);
    const vaults = await user.client.vaults.list();
    expect(vaults.map((v) => [v.name, v.kind])).toEqual([['Personal', 'personal']]);
    expect((await user.client.whoami()).name).toBe('Alice');
    const log = await user.client.securityLog();
    expect(log.map((e) => e.type)).toContain('account.created');
  });

  it('sends no code to an address that already has an account, and answers the same', async () => {
    const user = await signUpUser(server);
    const client = server.client();
    const before = Date.now();
    const started = await client.signup.start(user.email);
    expect(started.verificationId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'tried to create', after: before - 1000 });
    expect(mail.text).not.toMatch(/^\d{6,8}$/m);
    // Whatever code is guessed, the sign-up cannot proceed.
    expect(await errorCodeOf(client.signup.complete({ email: user.email, name: 'X', code: '12345678', password: 'quartz-lantern-47-meadow' }))).toBe(
      'invalid_code',
    );
  });

  it('refuses a wrong code, counts attempts, and refuses a used or expired code', async () => {
    const email = uniqueEmail('codes');
    const client = server.client();
    const before = Date.now();
    const { verificationId } = await client.signup.start(email);
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: before - 1000 });
    const code = /^(\d{8})$/m.exec(mail.text)![1]!;
    const wrong = code === '00000000' ? '00000001' : '00000000';
    const verify = (c: string) =>
      fetch(`${server.url}/api/signup/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verificationId, code: c }),
      });
    const bad = await verify(wrong);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_code');
    // Two racing verifications of the right code: exactly one wins.
    const [a, b] = await Promise.all([verify(code), verify(code)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const loser = a.status === 400 ? a : b;
    expect((await loser.json()).error.code).toBe('code_used');
    expect((await verify(code)).status).toBe(400);

    // Expiry: a fresh code, then the clock moves past 15 minutes.
    const second = await client.signup.start(email);
    server.advanceClock(16 * 60_000);
    try {
      const res = await fetch(`${server.url}/api/signup/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verificationId: second.verificationId, code: '12345678' }),
      });
      expect((await res.json()).error.code).toBe('code_expired');
    } finally {
      server.advanceClock(-16 * 60_000);
    }
  });

  it('locks a code after five wrong attempts', async () => {
    const email = uniqueEmail('attempts');
    const { verificationId } = await server.client().signup.start(email);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/api/signup/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verificationId, code: `9999999${i}` }),
      });
      codes.push((await res.json()).error.code);
    }
    expect(codes).toEqual(['invalid_code', 'invalid_code', 'invalid_code', 'invalid_code', 'invalid_code', 'too_many_attempts']);
  });
});

describe('sign-in', () => {
  it('works on a new device with the Secret Key, then on the known device with the password only', async () => {
    const user = await signUpUser(server);
    await user.client.items.create((await user.client.vaults.list())[0]!.id, { kind: 'login', title: 'Bank', username: 'alice', password: 's3cret!' });

    const store = new MemoryStore();
    const laptop = server.client(store);
    const before = Date.now();
    await laptop.signIn({ email: user.email, password: user.password, secretKey: user.secretKey.toLowerCase().replace(/-/g, ' ') });
    const items = await laptop.items.list();
    expect(items.map((i) => [i.title, i.username, i.password])).toEqual([['Bank', 'alice', 's3cret!']]);
    const notice = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'New sign-in', after: before - 1000 });
    expect(notice.text).toContain("If this wasn't you");

    await laptop.signOut();
    const again = server.client(store);
    await again.signIn({ email: user.email, password: user.password });
    expect((await again.items.list()).length).toBe(1);
  });

  it('tells a wrong password, a wrong Secret Key and a typo apart, and catches the typo before any request', async () => {
    const user = await signUpUser(server);
    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: 'not the password', secretKey: user.secretKey }))).toBe('wrong_password');

    const other = await signUpUser(server);
    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: user.password, secretKey: other.secretKey }))).toBe('wrong_secret_key');

    let requests = 0;
    const counting = new LatchkeyClient({
      server: server.url,
      fetch: (...args) => {
        requests++;
        return fetch(...args);
      },
    });
    expect(await errorCodeOf(counting.signIn({ email: user.email, password: user.password, secretKey: typoOf(user.secretKey) }))).toBe('secret_key_typo');
    expect(await errorCodeOf(counting.signIn({ email: user.email, password: user.password, secretKey: 'L1-0000' }))).toBe('secret_key_malformed');
    expect(requests).toBe(0);

    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: user.password }))).toBe('secret_key_required');
  });

  it('answers an unknown email exactly like a wrong Secret Key', async () => {
    const user = await signUpUser(server);
    const unknown = await errorCodeOf(server.client().signIn({ email: uniqueEmail('nobody'), password: user.password, secretKey: user.secretKey }));
    const known = await errorCodeOf(server.client().signIn({ email: user.email, password: user.password, secretKey: (await signUpUser(server)).secretKey }));
    expect(unknown).toBe('wrong_secret_key');
    expect(known).toBe(unknown);
  });

  it('finishes a login at most once', async () => {
    const user = await signUpUser(server);
    // Replay the finish request the SDK sent.
    const bodies: string[] = [];
    const spy = new LatchkeyClient({
      server: server.url,
      fetch: (input, init) => {
        if (String(input).endsWith('/api/auth/login/finish') && typeof init?.body === 'string') bodies.push(init.body);
        return fetch(input, init);
      },
    });
    await spy.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const replay = await fetch(`${server.url}/api/auth/login/finish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0]! });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.code).toBe('login_expired');
  });
});

describe('lock and unlock', () => {
  it('drops keys on lock and needs the password to read again', async () => {
    const user = await signUpUser(server);
    user.client.lock();
    expect(user.client.isUnlocked).toBe(false);
    expect(await errorCodeOf(user.client.vaults.list())).toBe('client_locked');
    expect(await errorCodeOf(user.client.unlock('wrong password'))).toBe('wrong_password');
    await user.client.unlock(user.password);
    expect((await user.client.vaults.list()).length).toBe(1);
  });
});

describe('sessions', () => {
  it('lists sessions and signs out everywhere else', async () => {
    const user = await signUpUser(server);
    const phone = server.client();
    await phone.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const sessions = await user.client.sessions.list();
    expect(sessions.length).toBe(2);
    expect(sessions.filter((s) => s.current).length).toBe(1);
    expect(await user.client.sessions.revokeOthers()).toBe(1);
    expect(await errorCodeOf(phone.whoami())).toBe('unauthenticated');
    expect((await user.client.sessions.list()).length).toBe(1);
  });

  it('revokes one session by id', async () => {
    const user = await signUpUser(server);
    const phone = server.client();
    await phone.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    const phoneSession = (await phone.sessions.list()).find((s) => s.current)!;
    await user.client.sessions.revoke(phoneSession.id);
    expect(await errorCodeOf(phone.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(user.client.sessions.revoke(phoneSession.id))).toBe('not_found');
  });
});

describe('changing credentials', () => {
  it('changes the password: other sessions end, the old password fails, items stay, the owner is told', async () => {
    const user = await signUpUser(server);
    const vaultId = (await user.client.vaults.list())[0]!.id;
    await user.client.items.create(vaultId, { kind: 'password', title: 'Wi-Fi', password: 'pa55' });
    const other = server.client();
    await other.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });

    const before = Date.now();
    const newPassword = 'a brand new password';
    const result = await user.client.account.changePassword(user.password, newPassword);
    expect(result.signedOutSessions).toBe(1);
    expect(await errorCodeOf(other.whoami())).toBe('unauthenticated');
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'password was changed', after: before - 1000 });

    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey }))).toBe('wrong_password');
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: newPassword, secretKey: user.secretKey });
    expect((await fresh.items.list()).map((i) => i.password)).toEqual(['pa55']);
    expect((await fresh.securityLog()).map((e) => e.type)).toContain('password.changed');
  });

  it('changes the Secret Key: the old one fails, the new one works, the keyset and items stay', async () => {
    const user = await signUpUser(server);
    const vaultId = (await user.client.vaults.list())[0]!.id;
    await user.client.items.create(vaultId, { kind: 'note', title: 'Recovery notes', notes: 'top secret' });
    const publicKeyBefore = (await user.client.whoami()).keyset.publicKey;
    const { secretKey } = await user.client.account.changeSecretKey(user.password);
    expect(secretKey).not.toBe(user.secretKey);
    expect(secretKey.split('-')[1]).toBe(user.secretKey.split('-')[1]);

    expect(await errorCodeOf(server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey }))).toBe('wrong_secret_key');
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: user.password, secretKey });
    expect((await fresh.items.list()).map((i) => i.notes)).toEqual(['top secret']);
    expect((await fresh.whoami()).keyset.publicKey).toBe(publicKeyBefore);
    // The device that made the change remembers the new key.
    const sameDevice = server.client(user.store);
    await sameDevice.signIn({ email: user.email, password: user.password });
  });

  it('needs a recent re-authentication', async () => {
    const user = await signUpUser(server);
    const token = (await user.store.read()).session!.token;
    server.advanceClock(6 * 60_000);
    try {
      const res = await fetch(`${server.url}/api/account/credentials/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ registrationRequest: 'AAAA' }),
      });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('reauthentication_required');
    } finally {
      server.advanceClock(-6 * 60_000);
    }
  });

  it('gives the Emergency Kit again with the current Secret Key, only after the password', async () => {
    const user = await signUpUser(server);
    expect(await errorCodeOf(user.client.account.emergencyKit('not the password at all'))).toBe('wrong_password');
    const kit = await user.client.account.emergencyKit(user.password);
    expect(kit).toEqual({ signInAddress: server.url, email: user.email, name: user.name, secretKey: user.secretKey });
    const { secretKey } = await user.client.account.changeSecretKey(user.password);
    expect((await user.client.account.emergencyKit(user.password)).secretKey).toBe(secretKey);
  });
});

describe('notifications', () => {
  it('never puts a code in a subject line, and says what to do in every security notice', async () => {
    const mails = await readOutbox(server.dataDir);
    expect(mails.length).toBeGreaterThan(5);
    for (const mail of mails) {
      expect(mail.subject).not.toMatch(/\d{6}/);
      if (!/verification code/.test(mail.subject)) expect(mail.text).toMatch(/If (this wasn't you|it was you|you did not)/);
    }
  });
});

describe('a pending Secret Key on the device', () => {
  it('is tried when the device remembers none, as after a recovery whose reply was lost', async () => {
    const user = await signUpUser(server);
    const store = new MemoryStore();
    const { accountKey } = await import('@latchkey/client/local-store');
    // As the recovering device leaves it when the final reply never arrives: only a pending key.
    await store.write({ pendingSecretKeys: { [accountKey(server.url, user.email)]: user.secretKey } });
    const device = server.client(store);
    await device.signIn({ email: user.email, password: user.password });
    const after = await store.read();
    expect(after.secretKeys?.[accountKey(server.url, user.email)]).toBe(user.secretKey);
    expect(after.pendingSecretKeys?.[accountKey(server.url, user.email)]).toBeUndefined();
  });
});
