/**
 * SPEC §5 invariants 1 and 2, each with a test that would fail on a regression:
 * 1. no plaintext secret is ever stored or logged (every flow, then every table, log line and email);
 * 2. a stolen database plus the server's secrets cannot confirm a password guess or decrypt
 *    anything without the Secret Key.
 * Invariant 8 (unknown and known emails look the same) is in account-enumeration.test.ts,
 * invariant 9 (nobody locks the owner out) in lockout.test.ts, and the silent guesses of
 * invariant 12 in silent-guessing.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from 'kysely';
import { opaqueClient, opaqueReady, opaqueServer, twoSecretPasswordInput } from '@latchkey/core/opaque';
import { generateSecretKey, parseSecretKey } from '@latchkey/core/secret-key';
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { decryptKeyset } from '@latchkey/core/keyset';
import { extractCode, listTables, readOutbox, signUpUser, startTestServer, type TestServer, waitForEmail } from '@latchkey/server/testing';
import { Secret, TOTP } from 'otpauth';
import { deriveRecoveryKeys, parseRecoveryCode } from '@latchkey/core/recovery-code';
import { encodings, recoverAccountKeys } from './helpers/account-keys.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function dumpDatabase(): Promise<string> {
  const db = server.running.context.db;
  const tables = (await listTables(db)).map((table_name) => ({ table_name }));
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(db);
    parts.push(`${table_name}: ${JSON.stringify(rows.rows, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`);
  }
  expect(tables.map((t) => t.table_name)).toEqual(
    expect.arrayContaining([
      'users',
      'keysets',
      'items',
      'vaults',
      'sessions',
      'email_codes',
      'organizations',
      'organization_keysets',
      'memberships',
      'organization_key_wraps',
      'invitations',
      'groups',
      'group_keysets',
      'group_key_wraps',
      'vault_shares',
      'organization_events',
      'outbox',
    ]),
  );
  return parts.join('\n');
}

/**
 * Every bearer secret the flows hand out or present: session tokens (the sign-up one the server
 * chooses, and the OPAQUE-derived ones, which only ever travel in Authorization headers),
 * sign-up and recovery tickets, and recovery grants. Collected by wrapping `fetch` for every
 * SDK client the test makes, so nothing depends on knowing where the SDK keeps them.
 *
 * Why this can fail: the server keeps only SHA-256 hashes of these (`hashToken`). Had it stored
 * any of them as given (say `token_hash: token`), the exact string would be in the dump and the
 * `dump.includes(bearer)` check below fails; the same for a log line echoing a header or a
 * ticket. Every kind passes through `hashToken`, so making it the identity fails this test.
 */
function recordBearerSecrets(into: Set<string>): () => void {
  const original = globalThis.fetch;
  const collect = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && ['token', 'ticket', 'grant'].includes(key)) into.add(v);
      else collect(v);
    }
  };
  globalThis.fetch = async (input, init) => {
    const authorization = new Headers(init?.headers).get('authorization');
    if (authorization?.startsWith('Bearer ')) into.add(authorization.slice('Bearer '.length));
    if (typeof init?.body === 'string') collect(JSON.parse(init.body) as unknown);
    const response = await original(input, init);
    const text = await response.clone().text();
    try {
      collect(JSON.parse(text) as unknown);
    } catch {
      // not JSON: nothing to collect
    }
    return response;
  };
  return () => {
    globalThis.fetch = original;
  };
}

describe('invariant 1: no plaintext secret is stored or logged', () => {
  it('finds no password, Secret Key, recovery code, TOTP secret, backup code, email code, key, item field, bearer token, ticket or grant in any table, log line or email', async () => {
    const tag = () => `marker-${Math.random().toString(36).slice(2, 12)}`;
    const secrets: string[] = [];
    const bearers = new Set<string>();
    const stopRecording = recordBearerSecrets(bearers);
    onTestFinished(stopRecording);
    const user = await signUpUser(server, { password: `${tag()}-first-password` });
    secrets.push(user.password, user.secretKey, user.secretKey.replace(/-/g, ''));

    const vaultName = tag();
    const vault = await user.client.vaults.create(vaultName);
    const fields = { kind: 'login' as const, title: tag(), username: tag(), password: tag(), urls: [`https://${tag()}.example`], notes: tag(), totp: tag() };
    const item = await user.client.items.create(vault.id, fields);
    const edited = { password: tag(), notes: tag() };
    await user.client.items.update(item.id, edited);
    secrets.push(vaultName, fields.title, fields.username, fields.password, fields.urls[0]!, fields.notes, fields.totp, edited.password, edited.notes);

    const laptop = server.client();
    await laptop.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    await laptop.items.list();
    const newPassword = `${tag()}-second-password`;
    await user.client.account.changePassword(user.password, newPassword);
    const { secretKey: newSecretKey } = await user.client.account.changeSecretKey(newPassword);
    secrets.push(newPassword, newSecretKey, newSecretKey.replace(/-/g, ''));
    await user.client.sessions.list();

    // Recovery code: set up, confirmed, used once; every derivative of it is a secret too.
    await user.client.unlock(newPassword);
    const { recoveryCode } = await user.client.recoveryCode.create();
    await user.client.recoveryCode.confirm(recoveryCode);
    const rescuer = server.client();
    const sentAfter = Date.now();
    await rescuer.recovery.start(user.email);
    const recoveryMail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: sentAfter });
    const recoveredPassword = `${tag()}-recovered-password`;
    const { secretKey: recoveredSecretKey } = await rescuer.recovery.complete({
      email: user.email,
      emailCode: extractCode(recoveryMail.text),
      newPassword: recoveredPassword,
      recoveryCode,
    });
    const recoveryKeys = deriveRecoveryKeys(parseRecoveryCode(recoveryCode));
    secrets.push(recoveryCode, recoveryCode.replace(/-/g, ''), recoveredPassword, recoveredSecretKey, recoveredSecretKey.replace(/-/g, ''));

    // Two-step verification: the TOTP secret and the backup codes.
    const again = server.client();
    await again.signIn({ email: user.email, password: recoveredPassword, secretKey: recoveredSecretKey });
    const { secret: totpSecret } = await again.twoStep.enableTotp();
    const backupCodes = await again.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30 }).generate());
    await server.client().signIn({ email: user.email, password: recoveredPassword, secretKey: recoveredSecretKey, twoStep: { backupCode: backupCodes[0]! } });
    secrets.push(totpSecret, ...backupCodes, ...backupCodes.map((c) => c.replace(/-/g, '')));

    // Failed attempts are logged somewhere too: make sure they leak nothing either.
    await server
      .client()
      .signIn({ email: user.email, password: `${tag()}-wrong`, secretKey: recoveredSecretKey })
      .catch(() => undefined);

    // With two-step verification on, a credential change and a recovery-code change carry a factor proof.
    const recoveredAgain = `${tag()}-after-two-step-password`;
    await again.account.changePassword(recoveredPassword, recoveredAgain, { backupCode: backupCodes[2]! });
    await again.unlock(recoveredAgain);
    await again.recoveryCode.delete({ backupCode: backupCodes[3]! });
    secrets.push(recoveredAgain);

    await again.twoStep.disableTotp({ backupCode: backupCodes[1]! });
    const keys = await recoverAccountKeys(server.url, user.email, recoveredAgain, recoveredSecretKey);
    const keyStrings = [...keys, recoveryKeys.authSecretKey, recoveryKeys.wrappingKey].flatMap(encodings);

    const codes = (await readOutbox(server.dataDir)).flatMap((m) => [...m.text.matchAll(/^(\d{6,8})$/gm)].map((x) => x[1]!));
    expect(codes.length).toBeGreaterThan(0);

    stopRecording();
    // Every kind was seen: the sign-up session token, derived session tokens, the sign-up and recovery tickets, the recovery grant.
    expect(bearers.size).toBeGreaterThanOrEqual(6);
    // The OPAQUE server setup is a server secret too: the database holds it only sealed.
    secrets.push(server.running.context.opaqueServerSetup);

    // The notice outbox holds what every notice above was built from (not vacuous: the flows queued many kinds).
    const queued = await server.running.context.db.selectFrom('outbox').select('kind').distinct().execute();
    expect(queued.map((r) => r.kind)).toEqual(
      expect.arrayContaining([
        'credentials-changed',
        'recovery-code-activated',
        'recovery-proved',
        'account-recovered',
        'backup-code-used',
        'two-factor-changed',
        'new-device-sign-in',
      ]),
    );
    const dump = await dumpDatabase();
    const logs = server.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const bearer of bearers) {
      expect(bearer.length).toBeGreaterThanOrEqual(20);
      expect(dump.includes(bearer), `database holds a bearer secret ${bearer.slice(0, 6)}…`).toBe(false);
      expect(logs.includes(bearer), `logs hold a bearer secret ${bearer.slice(0, 6)}…`).toBe(false);
    }
    for (const secret of [...secrets, ...keyStrings]) {
      expect(dump.includes(secret), `database holds ${secret.slice(0, 12)}…`).toBe(false);
      expect(logs.includes(secret), `logs hold ${secret.slice(0, 12)}…`).toBe(false);
    }
    for (const code of codes) {
      expect(new RegExp(`\\b${code}\\b`).test(dump), 'database holds an email code').toBe(false);
      expect(logs.includes(code), 'logs hold an email code').toBe(false);
    }
    const mails = (await readOutbox(server.dataDir)).map((m) => `${m.subject}\n${m.text}`).join('\n');
    for (const secret of [...secrets, ...bearers]) expect(mails.includes(secret), 'an email holds a secret').toBe(false);
  });
});

describe('invariant 2: a stolen database and server secrets are useless without the Secret Key', () => {
  it('cannot confirm even the right password, nor open the keyset, without the Secret Key', async () => {
    await opaqueReady;
    const user = await signUpUser(server);
    const db = server.running.context.db;
    const stolen = await db
      .selectFrom('users')
      .innerJoin('keysets', 'keysets.id', 'users.keyset_id')
      .selectAll('keysets')
      .select(['users.id as user_id', 'users.opaque_record', 'users.secret_key_verifier', 'users.keyset_id'])
      .where('users.email', '=', user.email)
      .executeTakeFirstOrThrow();
    // The setup is sealed in the database; "server secrets" means the keyring too, so the thief has it.
    const setup = server.running.context.opaqueServerSetup;

    // The attacker runs both sides of OPAQUE offline with the stolen record and server setup.
    const offlineGuess = (input: string) => {
      const { clientLoginState, startLoginRequest } = opaqueClient.startLogin(input);
      const { loginResponse } = opaqueServer.startLogin({
        serverSetup: setup,
        registrationRecord: stolen.opaque_record,
        startLoginRequest,
        userIdentifier: stolen.user_id,
      });
      return opaqueClient.finishLogin({ clientLoginState, loginResponse, password: input });
    };
    // Even the right password is not confirmed with a guessed Secret Key, or with none at all.
    expect(offlineGuess(twoSecretPasswordInput(user.password, generateSecretKey()))).toBeUndefined();
    expect(offlineGuess(user.password)).toBeUndefined();
    // With the Secret Key it would be (so this test can fail if the Secret Key stopped mattering).
    const real = offlineGuess(twoSecretPasswordInput(user.password, parseSecretKey(user.secretKey)));
    expect(real).toBeDefined();
    const keyset = {
      id: stolen.keyset_id,
      encryptedSymmetricKey: stolen.encrypted_symmetric_key,
      publicKey: stolen.public_key,
      encryptedPrivateKey: stolen.encrypted_private_key,
      signingPublicKey: stolen.signing_public_key,
      encryptedSigningKey: stolen.encrypted_signing_key,
    };
    await expect(decryptKeyset(keyset, deriveAccountUnlockKey(real!.exportKey))).resolves.toBeDefined();

    // The Secret Key verifier depends on the Secret Key alone, so it cannot test password guesses.
    await user.client.account.changePassword(user.password, 'another password entirely');
    const after = await db.selectFrom('users').select(['secret_key_verifier', 'opaque_record']).where('email', '=', user.email).executeTakeFirstOrThrow();
    expect(after.secret_key_verifier).toBe(stolen.secret_key_verifier);
    expect(after.opaque_record).not.toBe(stolen.opaque_record);
  });
});
