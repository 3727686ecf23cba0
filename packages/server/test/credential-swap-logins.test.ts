/**
 * A sign-in or re-authentication started before a credential swap (password change, Secret Key
 * change, recovery) cannot be finished after it: its OPAQUE state comes from the old record, so
 * the swap deletes the account's pending login attempts in the same transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beginReauth,
  beginSignIn,
  expectApiError,
  extractCode,
  type PendingLogin,
  send,
  signInAgain,
  signUpUser,
  startTestServer,
  testDatabaseKind,
  type TestServer,
  type TestUser,
  waitForEmail,
} from '@latchkey/server/testing';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const device = { id: 'device-pending-login-raw', name: 'raw client', platform: 'test' };

const finishSignIn = (pending: PendingLogin) =>
  send(server, { method: 'POST', path: '/api/auth/login/finish', body: { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest, device } });

async function pendingLoginsOf(user: TestUser): Promise<number> {
  const { id } = await user.client.whoami();
  const rows = await server.running.context.db.selectFrom('login_attempts').select('id').where('user_id', '=', id).execute();
  return rows.length;
}

describe(`pending logins across a credential swap (${testDatabaseKind()})`, () => {
  it('a sign-in whose attempt was stored after a swap (the narrow race) cannot finish either: its state carries the credentials version', async () => {
    const user = await signUpUser(server);
    const pending = await beginSignIn(server, user);
    // As if the swap committed between this login's read of the record and the storing of its attempt:
    // the attempt survives the swap's cleanup, but names the old credentials version.
    await server.running.context.db
      .updateTable('users')
      .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
      .where('email', '=', user.email)
      .execute();
    expectApiError(await finishSignIn(pending), 'login_expired');
  });

  it('stores the OPAQUE login state sealed, never as the library wrote it', async () => {
    const user = await signUpUser(server);
    const pending = await beginSignIn(server, user);
    const row = await server.running.context.db.selectFrom('login_attempts').select('server_state').where('id', '=', pending.loginId).executeTakeFirstOrThrow();
    expect(row.server_state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(row.server_state.length).toBeGreaterThan(100);
    expect((await finishSignIn(pending)).status).toBe(200);
  });

  it('a sign-in started with the old password cannot finish after a password change', async () => {
    const user = await signUpUser(server);
    const pending = await beginSignIn(server, user);
    await user.client.account.changePassword(user.password, `${user.password}-new`);
    expect(await pendingLoginsOf(user)).toBe(0);
    expectApiError(await finishSignIn(pending), 'login_expired');
  });

  it('a sign-in started before a Secret Key change cannot finish after it', async () => {
    const user = await signUpUser(server);
    const pending = await beginSignIn(server, user);
    await user.client.account.changeSecretKey(user.password);
    expectApiError(await finishSignIn(pending), 'login_expired');
  });

  it('a re-authentication started in another session before the change cannot finish after it', async () => {
    const user = await signUpUser(server);
    const other = await signInAgain(server, user);
    const pending = await beginReauth(server, user, other.token);
    await user.client.account.changePassword(user.password, `${user.password}-new`);
    // The other session is gone too; either way the old attempt is not usable.
    const reply = await send(server, {
      method: 'POST',
      path: '/api/auth/reauth/finish',
      token: other.token,
      body: { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest },
    });
    expectApiError(reply, ['login_expired', 'unauthenticated']);
    expect(await pendingLoginsOf(user)).toBe(0);
  });

  it('a sign-in started before a recovery cannot finish after it', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    await user.client.recoveryCode.confirm(recoveryCode);
    const pending = await beginSignIn(server, user);

    const client = server.client();
    const before = Date.now() - 1000;
    await client.recovery.start(user.email);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
    await client.recovery.complete({ email: user.email, emailCode: extractCode(mail.text), newPassword: 'recovered password', recoveryCode });

    expectApiError(await finishSignIn(pending), 'login_expired');
  });

  it('a sign-in started after the change still works', async () => {
    const user = await signUpUser(server);
    await user.client.account.changePassword(user.password, `${user.password}-new`);
    const pending = await beginSignIn(server, { ...user, password: `${user.password}-new` });
    const reply = await finishSignIn(pending);
    expect(reply.status, reply.text).toBe(200);
  });
});
