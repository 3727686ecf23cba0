/**
 * Enrolling a new device of a passkey account through the SDK (docs/protocol.md §24.4, §24.7),
 * both sides real: the new device proves the passkey and asks, the trusted device approves and
 * shows a code, the two run CPace over the relay, the new device seals the bundle under its own
 * device key and becomes trusted. Then: it unlocks with its own key after the original device is
 * gone; a wrong code fails both sides and spends the enrollment; one code allows one run, also
 * when tried at once; an expired code fails; a server playing either device without the code
 * completes nothing, and neither the database nor the logs hold the bundle.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesToHex, fromBase64Url, randomBytes, toBase64Url } from '@latchkey/core/bytes';
import { importDeviceKey, openDeviceCredentialBundle } from '@latchkey/core/device-credential-bundle';
import { answerEnrollment, sealEnrollmentBundle, startEnrollment } from '@latchkey/core/device-enrollment';
import { generateEnrollmentCode } from '@latchkey/core/enrollment-code';
import { decodeCredentialBundle, passkeyPassword, passkeySecretKey } from '@latchkey/core/passkey-account';
import { ENROLLMENT_TTL_MS } from '../src/services/device-enrollment.ts';
import { listTables, sdkClient, startTestServer, type TestServer } from '@latchkey/server/testing';
import { newDeviceOf, type PasskeyPerson, passkeyPerson } from './helpers/device-enrollment.ts';
import { errorCodeOf } from './helpers/error-code.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());
beforeEach(async () => {
  await server.running.context.db.deleteFrom('rate_limits').execute();
});

const POLL = { pollIntervalMs: 20 };
const at = () => ({ url: server.url, dataDir: server.dataDir, origin: new URL(server.running.context.config.publicUrl).origin });
const db = () => server.running.context.db;
const deviceIdOf = async (p: { store: { read(): Promise<{ deviceId?: string }> } }) => (await p.store.read()).deviceId!;

/** The new device asks (with the person's synced passkey); the trusted device approves it. */
async function askAndApprove(person: PasskeyPerson) {
  const fresh = newDeviceOf(at());
  const asking = await fresh.client.devices.requestEnrollment({
    email: person.email,
    authenticator: person.authenticator,
    deviceKeys: fresh.deviceKeys,
    ...POLL,
  });
  const pending = await person.client.devices.pendingEnrollments();
  expect(pending.map((p) => p.enrollmentId)).toContain(asking.enrollmentId);
  const approved = await person.client.devices.approveEnrollment(asking.enrollmentId, {
    authenticator: person.authenticator,
    deviceKeys: person.deviceKeys,
    ...POLL,
  });
  // Nobody may leave a rejection unobserved while the test looks elsewhere.
  approved.completion.catch(() => undefined);
  return { fresh, asking, ...approved };
}

describe('enrolling a new device with the SDK', () => {
  it('enrolls by code; the new device then unlocks with its own device key, with the original device gone', async () => {
    const alice = await passkeyPerson(at(), 'Alice');
    const [vault] = await alice.client.vaults.list();
    await alice.client.items.create(vault!.id, { kind: 'login', title: 'Bank', username: 'alice', password: 'item-secret-93' });

    const { fresh, asking, code, completion } = await askAndApprove(alice);
    expect(await asking.waitForApproval()).toEqual({ trustedDeviceId: await deviceIdOf(alice) });
    const [account] = await Promise.all([asking.enterCode(code.toLowerCase()), completion]);
    expect(account.id).toBe(alice.userId);
    expect((await fresh.client.items.list(vault!.id)).map((i) => i.title)).toEqual(['Bank']);
    // The device keeps no Secret Key: only its own sealed bundle on the server.
    expect((await fresh.store.read()).secretKeys ?? {}).toEqual({});

    // Every trusted device was told (security log, emailed notices), and the new device is listed.
    const kinds = (await db().selectFrom('outbox').select('kind').where('recipient', '=', alice.email).execute()).map((n) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['device-enrollment-requested', 'device-enrolled']));
    const devices = await fresh.client.devices.list();
    expect(devices).toHaveLength(2);
    const original = devices.find((d) => !d.current)!;

    // The new device removes the original (it just signed in, so its re-authentication is fresh).
    await fresh.client.devices.remove(original.id);
    expect(
      await errorCodeOf(
        sdkClient(server.url, { store: alice.store }).unlockWithPasskey({
          email: alice.email,
          authenticator: alice.authenticator,
          deviceKeys: alice.deviceKeys,
        }),
      ),
    ).toBe('device_not_trusted');
    const later = sdkClient(server.url, { store: fresh.store });
    await later.unlockWithPasskey({ email: alice.email, authenticator: alice.authenticator, deviceKeys: fresh.deviceKeys });
    expect((await later.items.list(vault!.id)).map((i) => i.title)).toEqual(['Bank']);
    // Its row holds the bundle under its own key, bound to its own device id.
    const row = await db()
      .selectFrom('trusted_devices')
      .select('sealed_bundle')
      .where('user_id', '=', alice.userId)
      .where('device_id', '=', await deviceIdOf(fresh))
      .executeTakeFirstOrThrow();
    const bundle = await openDeviceCredentialBundle(
      await importDeviceKey(fresh.deviceKeys.bytes!),
      { accountId: alice.userId, deviceId: await deviceIdOf(fresh) },
      row.sealed_bundle,
    );
    expect(decodeCredentialBundle(bundle).accountId).toHaveLength(6);
  });

  it('a wrong code fails key confirmation on both sides and spends the enrollment; asking again with a new code works', async () => {
    const bob = await passkeyPerson(at(), 'Bob');
    const { fresh, asking, code, completion } = await askAndApprove(bob);
    let wrong = generateEnrollmentCode();
    while (wrong === code) wrong = generateEnrollmentCode();
    const [newSide, trustedSide] = await Promise.allSettled([asking.enterCode(wrong), completion]);
    expect(newSide.status === 'rejected' && (newSide.reason as { code?: string }).code).toBe('cpace_confirmation_failed');
    expect(trustedSide.status === 'rejected' && (trustedSide.reason as { code?: string }).code).toBe('cpace_confirmation_failed');
    // The run is over: no bundle was sealed, the device is not trusted, and the code cannot be tried again.
    const row = await db().selectFrom('device_enrollments').select(['message_3', 'message_4']).where('id', '=', asking.enrollmentId).executeTakeFirstOrThrow();
    expect(row.message_3).not.toBeNull();
    expect(row.message_4).toBeNull();
    expect(await errorCodeOf(asking.enterCode(code))).toBe('cpace_state_used');
    expect(
      await db()
        .selectFrom('trusted_devices')
        .select('device_id')
        .where('device_id', '=', await deviceIdOf(fresh))
        .executeTakeFirst(),
    ).toBeUndefined();

    // A typo is caught before anything is spent; a new enrollment gets a new code.
    const next = await asking.again();
    expect(next.enrollmentId).not.toBe(asking.enrollmentId);
    const approved = await bob.client.devices.approveEnrollment(next.enrollmentId, { authenticator: bob.authenticator, deviceKeys: bob.deviceKeys, ...POLL });
    expect(approved.code).not.toBe(code);
    const typo = approved.code.slice(0, -1) + (approved.code.endsWith('A') ? 'B' : 'A');
    expect(await errorCodeOf(next.enterCode(typo))).toBe('enrollment_code_typo');
    const [account] = await Promise.all([next.enterCode(approved.code), approved.completion]);
    expect(account.id).toBe(bob.userId);
  });

  it('one code allows one run: five attempts at once on the new device, one enrolls it', async () => {
    const carol = await passkeyPerson(at(), 'Carol');
    const { asking, code, completion } = await askAndApprove(carol);
    const attempts = await Promise.allSettled(Array.from({ length: 5 }, () => asking.enterCode(code)));
    await completion;
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of attempts.filter((x) => x.status === 'rejected')) expect((a as PromiseRejectedResult).reason.code).toBe('cpace_state_used');
    expect(await db().selectFrom('device_enrollments').select('id').where('id', '=', asking.enrollmentId).executeTakeFirst()).toBeUndefined();
  });

  it('an expired code fails on both sides', async () => {
    const dave = await passkeyPerson(at(), 'Dave');
    const { asking, code, completion } = await askAndApprove(dave);
    server.advanceClock(ENROLLMENT_TTL_MS + 1_000);
    try {
      expect(await errorCodeOf(asking.enterCode(code))).toBe('code_expired');
      expect(await errorCodeOf(completion)).toBe('code_expired');
    } finally {
      server.advanceClock(-(ENROLLMENT_TTL_MS + 1_000));
    }
  });
});

describe('a malicious server relaying an enrollment', () => {
  it('playing the trusted device without the code, it gets nothing: the new device refuses its reply and any bundle it offers', async () => {
    const erin = await passkeyPerson(at(), 'Erin');
    const fresh = newDeviceOf(at());
    const asking = await fresh.client.devices.requestEnrollment({
      email: erin.email,
      authenticator: erin.authenticator,
      deviceKeys: fresh.deviceKeys,
      ...POLL,
    });
    const typed = generateEnrollmentCode(); // what the person was tricked into typing
    const trustedDeviceId = await deviceIdOf(erin);
    // The server "approves" by itself and answers message 1 with its own guess at the code.
    await db().updateTable('device_enrollments').set({ trusted_device_id: trustedDeviceId }).where('id', '=', asking.enrollmentId).execute();
    const running = asking.enterCode(typed);
    running.catch(() => undefined);
    const context = { accountId: erin.userId, newDeviceId: await deviceIdOf(fresh), trustedDeviceId, sessionId: asking.enrollmentId };
    let share: string | null = null;
    while (share === null) {
      share = (await db().selectFrom('device_enrollments').select('message_1').where('id', '=', asking.enrollmentId).executeTakeFirstOrThrow()).message_1;
      await new Promise((r) => setTimeout(r, 10));
    }
    const guess = answerEnrollment(generateEnrollmentCode(), context, { share });
    // And offers a bundle of its choosing under a key it knows, as if CPace had run.
    const forged = await sealEnrollmentBundle(randomBytes(64), context, randomBytes(42));
    const reply = toBase64Url(new Uint8Array([...fromBase64Url(guess.message.share), ...fromBase64Url(guess.message.confirmation)]));
    await db().updateTable('device_enrollments').set({ message_2: reply, message_4: forged }).where('id', '=', asking.enrollmentId).execute();
    expect(await errorCodeOf(running)).toBe('cpace_confirmation_failed');
    expect(
      await db()
        .selectFrom('trusted_devices')
        .select('device_id')
        .where('device_id', '=', await deviceIdOf(fresh))
        .executeTakeFirst(),
    ).toBeUndefined();
    expect(fresh.deviceKeys.bytes).toBeUndefined(); // it never got as far as making a device key
  });

  it('playing the new device without the code, it gets no bundle from the trusted device', async () => {
    const frank = await passkeyPerson(at(), 'Frank');
    const { asking, completion } = await askAndApprove(frank);
    const context = {
      accountId: frank.userId,
      newDeviceId: (await db().selectFrom('device_enrollments').select('new_device_id').where('id', '=', asking.enrollmentId).executeTakeFirstOrThrow())
        .new_device_id,
      trustedDeviceId: await deviceIdOf(frank),
      sessionId: asking.enrollmentId,
    };
    const mine = startEnrollment(generateEnrollmentCode(), context);
    await db().updateTable('device_enrollments').set({ message_1: mine.message.share }).where('id', '=', asking.enrollmentId).execute();
    let reply: string | null = null;
    while (reply === null) {
      reply = (await db().selectFrom('device_enrollments').select('message_2').where('id', '=', asking.enrollmentId).executeTakeFirstOrThrow()).message_2;
      await new Promise((r) => setTimeout(r, 10));
    }
    // Without the code it cannot compute Ta; its best is a guess.
    await db()
      .updateTable('device_enrollments')
      .set({ message_3: toBase64Url(randomBytes(64)) })
      .where('id', '=', asking.enrollmentId)
      .execute();
    expect(await errorCodeOf(completion)).toBe('cpace_confirmation_failed');
    const row = await db().selectFrom('device_enrollments').select('message_4').where('id', '=', asking.enrollmentId).executeTakeFirstOrThrow();
    expect(row.message_4).toBeNull();
  });

  it('relaying a real enrollment, it holds neither the bundle nor the code in its database or its logs', async () => {
    const grace = await passkeyPerson(at(), 'Grace');
    const { fresh, asking, code, completion } = await askAndApprove(grace);
    await Promise.all([asking.enterCode(code), completion]);
    const bundle = await openDeviceCredentialBundle(
      await importDeviceKey(grace.deviceKeys.bytes!),
      { accountId: grace.userId, deviceId: await deviceIdOf(grace) },
      (
        await db()
          .selectFrom('trusted_devices')
          .select('sealed_bundle')
          .where('device_id', '=', await deviceIdOf(grace))
          .executeTakeFirstOrThrow()
      ).sealed_bundle,
    );
    const credentials = decodeCredentialBundle(bundle);
    const secretKey = passkeySecretKey(credentials);
    const needles = [
      toBase64Url(bundle),
      bytesToHex(bundle),
      Buffer.from(bundle).toString('base64'),
      toBase64Url(credentials.accountSecret),
      bytesToHex(credentials.accountSecret),
      Buffer.from(credentials.accountSecret).toString('base64'),
      passkeyPassword(credentials),
      secretKey,
      secretKey.replaceAll('-', ''),
      toBase64Url(fresh.deviceKeys.bytes!),
      bytesToHex(fresh.deviceKeys.bytes!),
      code,
      code.replaceAll('-', ''),
    ];
    const leaks: string[] = [];
    for (const table of await listTables(db())) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db());
      const text = JSON.stringify(rows.rows).toLowerCase();
      for (const needle of needles) if (text.includes(needle.toLowerCase())) leaks.push(`${table}: ${needle.slice(0, 8)}…`);
    }
    const logs = server.logs.join('\n').toLowerCase();
    for (const needle of needles) if (logs.includes(needle.toLowerCase())) leaks.push(`logs: ${needle.slice(0, 8)}…`);
    expect(leaks).toEqual([]);
  });
});
