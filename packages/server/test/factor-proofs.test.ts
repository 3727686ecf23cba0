/**
 * SPEC §5.11 end to end through the SDK: with two-step verification on, nothing that could lock
 * the owner out or let a thief stay changes without a second step, and pending setups expire.
 * The attacker here holds a signed-in session and the password (a stolen, unlocked device) but
 * no factor. Also: OPAQUE registration records are checked before they are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { fromBase64Url, toBase64Url } from '@latchkey/core/bytes';
import { secretKeyVerifier, generateSecretKey, accountIdOf } from '@latchkey/core/secret-key';
import { accountKey } from '@latchkey/client/local-store';
import {
  credentialsChangeBody,
  expectApiError,
  prepareSignup,
  send,
  signUpUser,
  startTestServer,
  type TestServer,
  type TestUser,
  uniqueEmail,
} from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
let offset = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Moves the server clock (and the codes the tests compute) forward. */
function advance(ms: number): void {
  server.advanceClock(ms);
  offset += ms;
}
/** Each use of a TOTP code claims its time step: move to a fresh one first. */
const nextStep = () => advance(30_000);
const codeAt = (secret: string, deltaSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset + deltaSteps * 30_000 });
/** A well-formed code that is not the current one (three steps ahead is outside the ±1 window). */
const wrongCode = (secret: string) => codeAt(secret, 3);

interface TwoStepUser extends TestUser {
  readonly secret: string;
  readonly backupCodes: string[];
}

async function withTotp(user: TestUser): Promise<TwoStepUser> {
  const { secret } = await user.client.twoStep.enableTotp();
  const backupCodes = await user.client.twoStep.confirmTotp(codeAt(secret));
  return { ...user, secret, backupCodes };
}

/** Another signed-in, unlocked device of the same account (it passed the second step with a backup code). */
async function secondDevice(user: TwoStepUser, backupCode: string) {
  const client = server.client();
  await client.signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { backupCode } });
  return client;
}

const userRow = async (email: string) =>
  server.running.context.db.selectFrom('users').select(['id', 'opaque_record', 'secret_key_verifier']).where('email', '=', email).executeTakeFirstOrThrow();

describe('credential changes with two-step verification on', () => {
  it('changing the password needs a proof: none or a wrong one changes nothing; a backup code does it', async () => {
    const user = await withTotp(await signUpUser(server));
    const before = await userRow(user.email);
    const next = `${user.password}-next`;
    const missing = await user.client.account.changePassword(user.password, next).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'second_factor_required', details: { methods: ['totp', 'backup-code'] } });
    nextStep();
    expect(await errorCodeOf(user.client.account.changePassword(user.password, next, { otp: wrongCode(user.secret) }))).toBe('invalid_code');
    expect(await errorCodeOf(user.client.account.changePassword(user.password, next, { backupCode: 'ABCD-EFGH-JKLM' }))).toBe('invalid_code');
    expect(await userRow(user.email)).toEqual(before);

    await user.client.account.changePassword(user.password, next, { backupCode: user.backupCodes[0]! });
    expect((await userRow(user.email)).opaque_record).not.toBe(before.opaque_record);
    nextStep();
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: next, secretKey: user.secretKey, twoStep: { otp: codeAt(user.secret) } });
    expect((await fresh.vaults.list()).length).toBe(1);
  });

  it('changing the Secret Key needs a proof; a refused change leaves the old key working and no pending key on the device', async () => {
    const user = await withTotp(await signUpUser(server));
    const before = await userRow(user.email);
    expect(await errorCodeOf(user.client.account.changeSecretKey(user.password))).toBe('second_factor_required');
    expect(await userRow(user.email)).toEqual(before);
    expect((await user.store.read()).pendingSecretKeys?.[accountKey(server.url, user.email)]).toBeUndefined();

    nextStep();
    const { secretKey } = await user.client.account.changeSecretKey(user.password, { otp: codeAt(user.secret) });
    expect(secretKey).not.toBe(user.secretKey);
    expect((await userRow(user.email)).secret_key_verifier).not.toBe(before.secret_key_verifier);
    const fresh = server.client();
    await fresh.signIn({ email: user.email, password: user.password, secretKey, twoStep: { backupCode: user.backupCodes[1]! } });
  });

  it('a proof does not stand in for the re-authentication: an old unlock is refused even with a valid code', async () => {
    const user = await withTotp(await signUpUser(server));
    const token = (await user.store.read()).session!.token;
    const body = await credentialsChangeBody(server, user, token, `${user.password}-raw`);
    advance(6 * 60_000);
    expectApiError(
      await send(server, { method: 'POST', path: '/api/account/credentials/finish', token, body: { ...body, otp: codeAt(user.secret) } }),
      'reauthentication_required',
    );
  });
});

describe('the recovery code with two-step verification on', () => {
  it('creating and deleting need a proof; the proof at creation covers confirming it, from that session only', async () => {
    const user = await withTotp(await signUpUser(server));
    expect(await errorCodeOf(user.client.recoveryCode.create())).toBe('second_factor_required');
    expect((await user.client.recoveryCode.status()).pendingReplacement).toBe(false);

    const { recoveryCode } = await user.client.recoveryCode.create({ backupCode: user.backupCodes[0]! });
    // Another device of the same account (password known, factor used at its sign-in) cannot
    // confirm it: the proof that counts is the one given at creation, by the creating session.
    const other = await secondDevice(user, user.backupCodes[1]!);
    expect(await errorCodeOf(other.recoveryCode.confirm(recoveryCode))).toBe('second_factor_required');
    expect(await user.client.recoveryCode.confirm(recoveryCode)).toMatchObject({ status: 'active' });

    await user.client.unlock(user.password);
    expect(await errorCodeOf(user.client.recoveryCode.delete())).toBe('second_factor_required');
    nextStep();
    expect(await errorCodeOf(user.client.recoveryCode.delete({ otp: wrongCode(user.secret) }))).toBe('invalid_code');
    expect((await user.client.recoveryCode.status()).status).toBe('active');
    expect(await user.client.recoveryCode.delete({ otp: codeAt(user.secret) })).toMatchObject({ status: 'none' });
  });

  it('a code created while two-step verification was off cannot be confirmed once it is on', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    await withTotp(user);
    expect(await errorCodeOf(user.client.recoveryCode.confirm(recoveryCode))).toBe('second_factor_required');
    expect((await user.client.recoveryCode.status()).status).toBe('pending');
  });

  it('without two-step verification nothing more is asked (re-authentication still is)', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    expect(await user.client.recoveryCode.confirm(recoveryCode)).toMatchObject({ status: 'active' });
    await user.client.account.changePassword(user.password, `${user.password}-2`);
  });
});

describe('pending setups expire and need a recent re-authentication to confirm', () => {
  it('a TOTP setup cannot be confirmed after 6 minutes without a new unlock, nor at all after 10 minutes', async () => {
    const user = await signUpUser(server);
    const { secret } = await user.client.twoStep.enableTotp();
    advance(6 * 60_000);
    expect(await errorCodeOf(user.client.twoStep.confirmTotp(codeAt(secret)))).toBe('reauthentication_required');
    await user.client.unlock(user.password);
    advance(5 * 60_000);
    await user.client.unlock(user.password);
    expect(await errorCodeOf(user.client.twoStep.confirmTotp(codeAt(secret)))).toBe('code_expired');
    expect((await user.client.twoStep.status()).totp).toBe(false);
    // Starting again works.
    const again = await user.client.twoStep.enableTotp();
    expect((await user.client.twoStep.confirmTotp(codeAt(again.secret))).length).toBe(10);
  });

  it('with two-step verification on, a replacement authenticator started (with a proof) by one session cannot be confirmed by another', async () => {
    const user = await withTotp(await signUpUser(server));
    nextStep();
    const { secret: replacement } = await user.client.twoStep.enableTotp({ otp: codeAt(user.secret) });
    const other = await secondDevice(user, user.backupCodes[0]!);
    expect(await errorCodeOf(other.twoStep.confirmTotp(codeAt(replacement)))).toBe('second_factor_required');
    // The starting session confirms it; the old app stops working.
    expect(await user.client.twoStep.confirmTotp(codeAt(replacement))).toEqual([]);
    nextStep();
    const attempt = server.client();
    expect(
      await errorCodeOf(attempt.signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { otp: codeAt(user.secret) } })),
    ).toBe('invalid_code');
    await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { otp: codeAt(replacement) } });
  });

  it('a new recovery code must be confirmed within 30 minutes', async () => {
    const user = await signUpUser(server);
    const { recoveryCode } = await user.client.recoveryCode.create();
    expect((await user.client.recoveryCode.status()).pendingReplacement).toBe(true);
    advance(31 * 60_000);
    expect((await user.client.recoveryCode.status()).pendingReplacement).toBe(false);
    expect(await errorCodeOf(user.client.recoveryCode.confirm(recoveryCode))).toBe('no_recovery_code');
  });
});

describe('OPAQUE registration records are checked before they are stored', () => {
  /** A record of the right size whose client public key is not a valid point. */
  const brokenRecord = (record: string) => {
    const bytes = fromBase64Url(record);
    bytes.fill(0xff, 0, 32);
    return toBase64Url(bytes);
  };

  it('sign-up refuses a record the OPAQUE library cannot use, creates nothing, and the ticket still works', async () => {
    const email = uniqueEmail('record');
    const { body } = await prepareSignup(server, email);
    expectApiError(
      await send(server, { method: 'POST', path: '/api/signup/finish', body: { ...body, registrationRecord: brokenRecord(body.registrationRecord) } }),
      'invalid_registration_record',
    );
    expectApiError(
      await send(server, { method: 'POST', path: '/api/signup/finish', body: { ...body, registrationRecord: body.registrationRecord.slice(0, 200) } }),
      'invalid_request',
    );
    expect(await server.running.context.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([]);
    expect((await send(server, { method: 'POST', path: '/api/signup/finish', body })).status).toBe(201);
  });

  it('a credential change refuses it before the proof is checked (the code is not used up), and the old password keeps working', async () => {
    const user = await withTotp(await signUpUser(server));
    const token = (await user.store.read()).session!.token;
    const body = await credentialsChangeBody(server, user, token, `${user.password}-broken`);
    const before = await userRow(user.email);
    const refused = await send(server, {
      method: 'POST',
      path: '/api/account/credentials/finish',
      token,
      body: { ...body, registrationRecord: brokenRecord(body.registrationRecord), backupCode: user.backupCodes[0]! },
    });
    expectApiError(refused, 'invalid_registration_record');
    expect(await userRow(user.email)).toEqual(before);
    await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey, twoStep: { backupCode: user.backupCodes[0]! } });
    // A new Secret Key's verifier with a broken record: refused the same way.
    const newKey = generateSecretKey();
    const swapped = {
      ...body,
      accountId: accountIdOf(newKey),
      secretKeyVerifier: secretKeyVerifier(newKey),
      registrationRecord: brokenRecord(body.registrationRecord),
      reason: 'secret-key',
      backupCode: user.backupCodes[1]!,
    };
    expectApiError(await send(server, { method: 'POST', path: '/api/account/credentials/finish', token, body: swapped }), 'invalid_registration_record');
    expect(await userRow(user.email)).toEqual(before);
  });
});
