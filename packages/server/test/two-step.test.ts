/**
 * Two-step verification end to end through the SDK (SPEC §2.3): TOTP setup confirmed by a first
 * code, sign-in demanding the second step, single-use time steps and backup codes (also under
 * concurrency), regeneration, disabling with a factor, locks, and recovery never bypassing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { LatchkeyError } from '@latchkey/core/errors';
import { backupCodeAttemptHash } from '../src/services/backup-codes.ts';
import { consumeBackupCode } from '../src/repositories/backup-codes.ts';
import {
  extractCode,
  listTables,
  readOutbox,
  signInAgain,
  signUpUser,
  startTestServer,
  type TestServer,
  type TestUser,
  waitForEmail,
} from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
let offset = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Moves the server clock to the next TOTP step, so each sign-in in a test has a fresh code. */
function nextStep(): void {
  server.advanceClock(30_000);
  offset += 30_000;
}

const codeAt = (secret: string, deltaSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset + deltaSteps * 30_000 });

async function withTotp(user: TestUser): Promise<{ secret: string; backupCodes: string[] }> {
  const { secret, uri } = await user.client.twoStep.enableTotp();
  expect(uri).toMatch(/^otpauth:\/\/totp\/Latchkey:/);
  expect(uri).toContain(`secret=${secret}`);
  expect(Secret.fromBase32(secret).bytes.length).toBeGreaterThanOrEqual(20);
  const backupCodes = await user.client.twoStep.confirmTotp(codeAt(secret));
  return { secret, backupCodes };
}

const signIn = (user: TestUser, twoStep?: { otp: string } | { backupCode: string }) =>
  server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey, ...(twoStep ? { twoStep } : {}) });

describe('authenticator app (TOTP)', () => {
  it('is confirmed by a first valid code, issues 10 backup codes, and is then required at sign-in', async () => {
    const user = await signUpUser(server);
    const { secret } = await user.client.twoStep.enableTotp();
    expect(await errorCodeOf(user.client.twoStep.confirmTotp(codeAt(secret, 3)))).toBe('invalid_code');
    expect((await user.client.twoStep.status()).totp).toBe(false);
    const backupCodes = await user.client.twoStep.confirmTotp(codeAt(secret));
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    expect(await user.client.twoStep.status()).toMatchObject({ enabled: true, totp: true, backupCodesRemaining: 10 });

    const error = await signIn(user).catch((e: LatchkeyError) => e);
    expect((error as LatchkeyError).code).toBe('second_factor_required');
    expect((error as LatchkeyError).details?.methods).toEqual(['totp', 'backup-code']);
    nextStep();
    const client = server.client();
    await client.signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { otp: codeAt(secret) } });
    expect((await client.vaults.list()).length).toBe(1);
  });

  it('accepts each time step once (a replayed code fails) and refuses a code two steps away', async () => {
    const user = await signUpUser(server);
    const { secret } = await withTotp(user);
    nextStep();
    const otp = codeAt(secret);
    await signIn(user, { otp });
    expect(await errorCodeOf(signIn(user, { otp }))).toBe('invalid_code');
    nextStep();
    const before = Date.now();
    expect(await errorCodeOf(signIn(user, { otp: codeAt(secret, -2) }))).toBe('invalid_code');
    // Only someone with the password and the Secret Key gets this far: the owner is told.
    const notice = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'wrong two-step verification code', after: before - 1000 });
    expect(notice.text).toContain('change your password and your Secret Key');
    expect(await errorCodeOf(signIn(user, { otp: codeAt(secret, 2) }))).toBe('invalid_code');
    await signIn(user, { otp: codeAt(secret, 1) });
  });

  it('gives a waiting session nothing but the two-step step', async () => {
    const user = await signUpUser(server);
    await withTotp(user);
    // A raw sign-in that stops where the second step is due: its session is waiting.
    const { token: pendingToken } = await signInAgain(server, user);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${pendingToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    for (const [method, path, body] of [
      ['GET', '/api/vaults'],
      ['GET', '/api/account'],
      ['GET', '/api/sessions'],
      ['GET', '/api/two-step'],
      ['POST', '/api/auth/reauth/start', { secretKeyVerifier: 'ab'.repeat(32), startLoginRequest: 'AAAA' }],
      ['POST', '/api/two-step/backup-codes/regenerate', {}],
    ] as const) {
      expect(await call(method, path, body), `${method} ${path}`).toEqual({ status: 401, code: 'second_factor_required' });
    }
    // The two-step routes do accept it.
    expect((await call('POST', '/api/auth/two-step', { otp: '000000' })).code).toBe('invalid_code');
  });

  it('turns off only with re-authentication and a factor, and says so by email', async () => {
    const user = await signUpUser(server);
    const { secret, backupCodes } = await withTotp(user);
    nextStep();
    expect(await errorCodeOf(user.client.twoStep.disableTotp({}))).toBe('second_factor_required');
    expect(await errorCodeOf(user.client.twoStep.disableTotp({ otp: '000000' === codeAt(secret) ? '111111' : '000000' }))).toBe('invalid_code');
    const before = Date.now();
    await user.client.twoStep.disableTotp({ otp: codeAt(secret) });
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'two-step verification changed', after: before - 1000 });
    expect(await user.client.twoStep.status()).toMatchObject({ enabled: false, totp: false, backupCodesRemaining: 0 });
    await signIn(user);
    expect(backupCodes.length).toBe(10);
  });
});

describe('security key challenges', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /** What a browser would send for `challenge`, with an attestation or signature that does not verify. */
  const forgedRegistration = (challenge: string) => ({
    id: 'a2V5LWlk',
    rawId: 'a2V5LWlk',
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: b64({ type: 'webauthn.create', challenge, origin: server.url }), attestationObject: 'o2NmbXRkbm9uZQ' },
  });
  const forgedAssertion = (keyId: string, challenge: string) => ({
    id: keyId,
    rawId: keyId,
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: b64({ type: 'webauthn.get', challenge, origin: server.url }), authenticatorData: 'AAAA', signature: 'AAAA' },
  });

  it('are answered at most once, and only when issued: challenge_expired otherwise', async () => {
    const user = await signUpUser(server);
    // Registration, answering a challenge the server never issued.
    expect(await errorCodeOf(user.client.twoStep.registerSecurityKey('Key', async () => forgedRegistration('bmV2ZXItaXNzdWVk')))).toBe('challenge_expired');

    // A proof by a security key (a key row is enough to be offered a challenge).
    await withTotp(user);
    const keyId = 'c2VjdXJpdHkta2V5LWlk';
    await server.running.context.db
      .insertInto('security_keys')
      .values({ id: keyId, user_id: (await user.client.whoami()).id, name: 'A key', public_key: 'AAAA' })
      .execute();
    const proof = await user.client.twoStep.securityKeyProof(async (options) => forgedAssertion(keyId, String(options.challenge)));
    // The server takes the challenge, then finds the signature does not verify.
    expect(await errorCodeOf(user.client.twoStep.regenerateBackupCodes(proof))).toBe('invalid_code');
    // The same answer again: its challenge is used up.
    expect(await errorCodeOf(user.client.twoStep.regenerateBackupCodes(proof))).toBe('challenge_expired');
    expect(await errorCodeOf(user.client.twoStep.regenerateBackupCodes({ securityKey: forgedAssertion(keyId, 'bmV2ZXItaXNzdWVk') }))).toBe('challenge_expired');
  });
});

describe('an abandoned sign-in', () => {
  it('ends its waiting session, so it does not linger as someone who knows the password and Secret Key', async () => {
    const user = await signUpUser(server);
    await withTotp(user);
    const userId = (await user.client.whoami()).id;
    const waiting = () =>
      server.running.context.db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('second_factor_pending', '=', true).execute();
    expect(await errorCodeOf(signIn(user))).toBe('second_factor_required');
    expect(await errorCodeOf(signIn(user, { otp: '000000' }))).toBe('invalid_code');
    expect(await waiting()).toEqual([]);
    // A raw sign-in that stops there does leave one, and the session list marks it.
    await signInAgain(server, user);
    expect((await waiting()).length).toBe(1);
    expect((await user.client.sessions.list()).filter((s) => s.twoStepPending)).toHaveLength(1);
  });
});

describe('backup codes', () => {
  it('sign in once each, are emailed on use, and all stop working when regenerated', async () => {
    const user = await signUpUser(server);
    const { backupCodes } = await withTotp(user);
    const before = Date.now();
    await signIn(user, { backupCode: backupCodes[0]!.toLowerCase() });
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'backup code was used', after: before - 1000 });
    expect(mail.text).toContain('9 unused backup code(s) remain');
    expect(await errorCodeOf(signIn(user, { backupCode: backupCodes[0]! }))).toBe('invalid_code');
    expect((await user.client.twoStep.status()).backupCodesRemaining).toBe(9);

    expect(await errorCodeOf(user.client.twoStep.regenerateBackupCodes({}))).toBe('second_factor_required');
    const fresh = await user.client.twoStep.regenerateBackupCodes({ backupCode: backupCodes[9]! });
    expect(fresh).toHaveLength(10);
    for (const old of backupCodes.slice(1, 4)) expect(await errorCodeOf(signIn(user, { backupCode: old }))).toBe('invalid_code');
    await signIn(user, { backupCode: fresh[5]! });
  });

  it('prompts to regenerate when 3 or fewer remain', async () => {
    const user = await signUpUser(server);
    const { backupCodes } = await withTotp(user);
    const db = server.running.context.db;
    const userId = (await user.client.whoami()).id;
    await db.updateTable('backup_codes').set({ used_at: new Date() }).where('user_id', '=', userId).execute();
    await db
      .updateTable('backup_codes')
      .set({ used_at: null })
      .where('user_id', '=', userId)
      .where(
        'id',
        'in',
        (await db.selectFrom('backup_codes').select('id').where('user_id', '=', userId).limit(3).execute()).map((r) => r.id),
      )
      .execute();
    expect(await user.client.twoStep.status()).toMatchObject({ backupCodesRemaining: 3, regenerateBackupCodes: true });
    expect(backupCodes.length).toBe(10);
  });

  it('succeed at most once when the same code is used by 50 concurrent sign-ins', async () => {
    const user = await signUpUser(server);
    const { backupCodes } = await withTotp(user);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => signIn(user, { backupCode: backupCodes[0]! })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as LatchkeyError).code);
    // The losers were refused as a used code, or rate limited before their attempt was evaluated.
    expect(errors.every((c) => c === 'invalid_code' || c === 'rate_limited')).toBe(true);
    expect(errors).toContain('invalid_code');
    const userId = (await user.client.whoami()).id;
    const used = await server.running.context.db
      .selectFrom('backup_codes')
      .select('id')
      .where('user_id', '=', userId)
      .where('used_at', 'is not', null)
      .execute();
    expect(used.length).toBe(1);
  });

  it('are consumed exactly once by 50 concurrent uses below the rate limit', async () => {
    const user = await signUpUser(server);
    const { backupCodes } = await withTotp(user);
    const userId = (await user.client.whoami()).id;
    const db = server.running.context.db;
    const hash = await backupCodeAttemptHash(db, userId, backupCodes[2]!);
    const wins = await Promise.all(Array.from({ length: 50 }, () => consumeBackupCode(db, userId, hash!, new Date())));
    expect(wins.filter(Boolean).length).toBe(1);
  });
});

describe('locks and recovery', () => {
  it('locks a factor after 100 failures for the life of its secret: owner successes do not reopen it, setting the app up again does', async () => {
    const user = await signUpUser(server);
    const { secret, backupCodes } = await withTotp(user);
    const userId = (await user.client.whoami()).id;
    const failures = async () =>
      (
        await server.running.context.db
          .selectFrom('totp_factors')
          .select('failures')
          .where('user_id', '=', userId)
          .where('status', '=', 'active')
          .executeTakeFirstOrThrow()
      ).failures;
    await server.running.context.db.updateTable('totp_factors').set({ failures: 98 }).where('user_id', '=', userId).execute();
    nextStep();
    expect(await errorCodeOf(signIn(user, { otp: codeAt(secret, 3) }))).toBe('invalid_code');
    // The owner signs in with the app and with a backup code: the count of wrong guesses stays.
    await signIn(user, { otp: codeAt(secret) });
    await signIn(user, { backupCode: backupCodes[0]! });
    expect(await failures()).toBe(99);
    nextStep();
    expect(await errorCodeOf(signIn(user, { otp: codeAt(secret, 3) }))).toBe('invalid_code');
    expect(await errorCodeOf(signIn(user, { otp: codeAt(secret) }))).toBe('too_many_attempts');
    // The way out needs a full session, a fresh unlock and another factor: a new secret, a new count.
    const client = server.client();
    await client.signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { backupCode: backupCodes[1]! } });
    expect(await errorCodeOf(client.twoStep.enableTotp({ otp: codeAt(secret) }))).toBe('too_many_attempts');
    const { secret: fresh } = await client.twoStep.enableTotp({ backupCode: backupCodes[2]! });
    await client.twoStep.confirmTotp(codeAt(fresh));
    expect(await failures()).toBe(0);
    nextStep();
    await signIn(user, { otp: codeAt(fresh) });
  });

  it('a recovery-code recovery keeps two-step verification: the next sign-in still demands it and vault data stays closed until it is given', async () => {
    const user = await signUpUser(server);
    const vaultId = (await user.client.vaults.list())[0]!.id;
    await user.client.items.create(vaultId, { kind: 'login', title: 'Guarded', password: 'inside' });
    const { recoveryCode } = await user.client.recoveryCode.create();
    await user.client.recoveryCode.confirm(recoveryCode);
    const { secret } = await withTotp(user);

    const rescuer = server.client();
    const before = Date.now();
    await rescuer.recovery.start(user.email);
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: before });
    const { secretKey } = await rescuer.recovery.complete({
      email: user.email,
      emailCode: extractCode(mail.text),
      newPassword: 'recovered but still 2fa',
      recoveryCode,
    });

    const attempt = server.client();
    expect(await errorCodeOf(attempt.signIn({ email: user.email, password: 'recovered but still 2fa', secretKey }))).toBe('second_factor_required');
    expect(await errorCodeOf(attempt.vaults.list())).toBe('client_locked');
    // A waiting session's own token (from a raw sign-in) cannot read vaults either.
    const { token } = await signInAgain(server, { email: user.email, password: 'recovered but still 2fa', secretKey });
    const vaults = await fetch(`${server.url}/api/vaults`, { headers: { authorization: `Bearer ${token}` } });
    expect(vaults.status).toBe(401);
    expect(((await vaults.json()) as { error: { code: string } }).error.code).toBe('second_factor_required');
    nextStep();
    const ok = server.client();
    await ok.signIn({ email: user.email, password: 'recovered but still 2fa', secretKey, twoStep: { otp: codeAt(secret) } });
    expect((await ok.items.list()).map((i) => i.password)).toEqual(['inside']);
  });
});

describe('no TOTP secret or backup code in the clear', () => {
  it('stores neither in any table nor log', async () => {
    const user = await signUpUser(server);
    const { secret, backupCodes } = await withTotp(user);
    const db = server.running.context.db;
    let dump = '';
    for (const table_name of await listTables(db)) dump += JSON.stringify((await sql`select * from ${sql.table(table_name)}`.execute(db)).rows);
    const logs = server.logs.join('\n');
    const compact = (c: string) => c.replace(/-/g, '');
    for (const needle of [secret, secret.toLowerCase(), ...backupCodes, ...backupCodes.map(compact)]) {
      expect(dump.includes(needle)).toBe(false);
      expect(logs.includes(needle)).toBe(false);
    }
    const mails = (await readOutbox(server.dataDir)).map((m) => m.text).join('\n');
    for (const needle of [secret, ...backupCodes]) expect(mails.includes(needle)).toBe(false);
  });
});

describe('the server keyring', () => {
  // A second server on the same database (SQLite in WAL mode lets a second process open the file).
  it('refuses to start when its file is gone but the database holds secrets sealed with it', async () => {
    const user = await signUpUser(server);
    await withTotp(user);
    const { rm } = await import('node:fs/promises');
    const { startServer } = await import('../src/server.ts');
    const config = { ...server.running.context.config, port: 0, serverKeysFile: `${server.dataDir}/moved-away-keys.json` };
    await expect(startServer(config, { logger: false })).rejects.toThrow(/did not exist, but the database holds secrets sealed/);
    await rm(config.serverKeysFile, { force: true });
  });
});
