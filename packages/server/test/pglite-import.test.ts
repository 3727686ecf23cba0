/**
 * The one-time import of a PGlite data directory (what every Latchkey before SQLite kept in
 * `<data-dir>/db`) into SQLite: a server that finds one at start-up copies it, and the accounts
 * work as before — sign-in with the same password, Secret Key and second step, the same items,
 * the same sessions' devices.
 *
 * The PGlite directory is built the way the earlier server built it: PGlite with the same
 * migrations on PostgreSQL and the same domain code (the server, given that storage), written
 * to through the SDK. Then the real server starts on the data directory, imports, and serves.
 * Runs once (it is about the embedded default), in the server-sqlite project.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClient } from '@latchkey/client/client';
import { MemoryStore } from '@latchkey/client/local-store';
import { loadConfig } from '../src/config.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { importPgliteDataDir } from '../src/storage/pglite-import.ts';
import type { Database } from '../src/storage/schema.ts';
import { sqliteDatabasePath } from '../src/storage/sqlite-file.ts';
import { PGliteDialect } from './helpers/pglite-dialect.ts';
import { extractCode, testDatabaseKind, waitForEmail } from '@latchkey/server/testing';
import { snapshotItems, ITEM_FIXTURES, fillTwoVaults, type ExpectedItem } from './helpers/crash-rounds.ts';

const INT8_OID = 20;

function clientOf(server: RunningServer, store = new MemoryStore()): LatchkeyClient {
  return new LatchkeyClient({ server: server.url, store, device: { name: 'import test', platform: 'vitest' } });
}

/** Starts the server of earlier versions: PGlite under `<dataDir>/db`, migrated, the same domain code. */
async function startPgliteServer(dataDir: string): Promise<RunningServer> {
  const pglite = await PGlite.create(path.join(dataDir, 'db'), { parsers: { [INT8_OID]: (v: string) => Number(v) } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db as unknown as Kysely<unknown>);
  const config = loadConfig(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], {});
  return startServer(config, { logger: false, storage: { db, kind: 'postgres', close: () => db.destroy() } });
}

interface Before {
  readonly email: string;
  readonly password: string;
  readonly secretKey: string;
  readonly totpSecret: string;
  readonly backupCodes: string[];
  readonly items: ExpectedItem[];
}

describe.runIf(testDatabaseKind() === 'sqlite')('a PGlite data directory is imported into SQLite once', () => {
  let dataDir: string;
  let before: Before;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-pglite-import-'));
    const old = await startPgliteServer(dataDir);
    try {
      const email = `import-${Date.now().toString(36)}@example.com`;
      const password = 'the password from before the switch';
      const client = clientOf(old);
      const started = Date.now();
      await client.signup.start(email);
      const mail = await waitForEmail(dataDir, { to: email, subjectIncludes: 'verification code', after: started - 1000 });
      const { secretKey } = await client.signup.complete({ email, name: 'Imported User', password, code: extractCode(mail.text) });
      const items = await fillTwoVaults(client, ITEM_FIXTURES);
      const { secret } = await client.twoStep.enableTotp();
      const backupCodes = await client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
      before = { email, password, secretKey, totpSecret: secret, backupCodes, items };
    } finally {
      await old.close();
    }
    expect(existsSync(path.join(dataDir, 'db', 'PG_VERSION'))).toBe(true);
    expect(existsSync(sqliteDatabasePath(dataDir))).toBe(false);
  }, 180_000);

  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('the server imports at start-up; the account signs in with its password, Secret Key and a backup code, and every item is there', async () => {
    const config = loadConfig(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], {});
    const server = await startServer(config, { logger: false });
    try {
      expect(existsSync(sqliteDatabasePath(dataDir))).toBe(true);
      // Left in place for the operator to remove once satisfied.
      expect(existsSync(path.join(dataDir, 'db', 'PG_VERSION'))).toBe(true);
      const client = clientOf(server);
      // Two-step verification came across (TOTP sealed with the unchanged keyring, hashed backup codes).
      await expect(client.signIn({ email: before.email, password: before.password, secretKey: before.secretKey })).rejects.toMatchObject({
        code: 'second_factor_required',
      });
      await client.signIn({ email: before.email, password: before.password, secretKey: before.secretKey, twoStep: { backupCode: before.backupCodes[0]! } });
      expect(await snapshotItems(client)).toEqual(before.items);
      expect(await client.twoStep.status()).toMatchObject({ enabled: true, totp: true, backupCodesRemaining: before.backupCodes.length - 1 });
      // The wrong password is still refused: the OPAQUE record and server setup came across as they were.
      await expect(clientOf(server).signIn({ email: before.email, password: 'not it', secretKey: before.secretKey })).rejects.toMatchObject({
        code: expect.stringMatching(/wrong_password|invalid_credentials/),
      });
      // Writes go to SQLite now.
      const personal = (await client.vaults.list()).find((v) => v.kind === 'personal')!;
      await client.items.create(personal.id, { kind: 'note', title: 'after the import', notes: 'in SQLite' });
    } finally {
      await server.close();
    }
  }, 120_000);

  it('happens once: a later start (or `latchkey migrate-storage`) leaves the SQLite database as it is', async () => {
    expect(await importPgliteDataDir(dataDir)).toBeUndefined();
    const config = loadConfig(['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], {});
    const server = await startServer(config, { logger: false });
    try {
      const client = clientOf(server);
      await client.signIn({ email: before.email, password: before.password, secretKey: before.secretKey, twoStep: { backupCode: before.backupCodes[1]! } });
      const titles = (await snapshotItems(client)).map((i) => i.fields.title);
      expect(titles).toContain('after the import');
      expect(titles).toHaveLength(before.items.length + 1);
    } finally {
      await server.close();
    }
  }, 120_000);
});
