/**
 * The OPAQUE server setup is sealed with the server keyring (issue 8 item 8): a copy of the
 * database alone does not hold it. A plaintext setup left by an older version is sealed at
 * start-up (accounts made with it keep signing in), a rotated keyring re-seals it, and a server
 * given a new or wrong keyring for a database with a sealed setup refuses to start.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';
import { openDatabase } from '../src/storage/database.ts';
import { PLAINTEXT_SETUP, SEALED_SETUP } from '../src/services/opaque-setup.ts';
import { createEmptyPostgresDatabase, signUpUser, startTestServer, testDatabaseKind, type TestServer, type TestUser } from '@latchkey/server/testing';

let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let user: TestUser;
let setup: string;
/** Each test starts a server (and the first signs up): slow on a busy machine. */
const SLOW = 240_000;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-opaque-setup-'));
  if (testDatabaseKind() === 'postgres') {
    const created = await createEmptyPostgresDatabase();
    databaseUrl = created.databaseUrl;
    dropDatabase = created.drop;
  }
});
afterAll(async () => {
  await dropDatabase?.();
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
});

const start = (): Promise<TestServer> => startTestServer({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
const keysFile = () => path.join(dataDir, 'server-keys.json');

async function secretRows(server: TestServer): Promise<Array<{ name: string; value: string }>> {
  return server.running.context.db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
}

/** Signs in on a fresh device: only works if the server's setup is the one the account was registered with. */
async function signsIn(server: TestServer): Promise<void> {
  await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
}

describe('the sealed OPAQUE server setup', () => {
  it(
    'is stored only sealed: the database holds no copy of it, and it opens only for its purpose',
    async () => {
      const server = await start();
      try {
        user = await signUpUser(server);
        setup = server.running.context.opaqueServerSetup;
        const rows = await secretRows(server);
        expect(rows.map((r) => r.name)).toEqual([SEALED_SETUP]);
        const sealed = rows[0]!.value;
        expect(sealed.startsWith(`${server.running.context.keyring.currentId}.`)).toBe(true);
        expect(JSON.stringify(rows)).not.toContain(setup);
        const { keyring } = server.running.context;
        expect(new TextDecoder().decode(await keyring.open(sealed, 'opaque-server-setup', { secret: SEALED_SETUP }))).toBe(setup);
        await expect(keyring.open(sealed, 'totp-secret', { secret: SEALED_SETUP })).rejects.toThrow();
        await expect(keyring.open(sealed, 'opaque-server-setup', { secret: 'something-else' })).rejects.toThrow();
      } finally {
        await server.close();
      }
    },
    SLOW,
  );

  it(
    'left in plaintext by an older version, is sealed at start-up; accounts made with it still sign in',
    async () => {
      const storage = await openDatabase({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
      await storage.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('server_secrets').where('name', '=', SEALED_SETUP).execute();
        await tx.insertInto('server_secrets').values({ name: PLAINTEXT_SETUP, value: setup }).execute();
      });
      await storage.close();

      const server = await start();
      try {
        const rows = await secretRows(server);
        expect(rows.map((r) => r.name)).toEqual([SEALED_SETUP]);
        expect(JSON.stringify(rows)).not.toContain(setup);
        expect(server.running.context.opaqueServerSetup).toBe(setup);
        expect(server.logs.join('\n')).toContain('sealed the OPAQUE server setup with the server keyring');
        await signsIn(server);
      } finally {
        await server.close();
      }
    },
    SLOW,
  );

  it(
    'is re-sealed under a new current key after a keyring rotation',
    async () => {
      const file = JSON.parse(await readFile(keysFile(), 'utf8')) as { current: string; keys: Record<string, string> };
      await writeFile(keysFile(), JSON.stringify({ current: 'k2', keys: { ...file.keys, k2: randomBytes(32).toString('base64url') } }), { mode: 0o600 });
      const server = await start();
      try {
        expect((await secretRows(server))[0]!.value.startsWith('k2.')).toBe(true);
        expect(server.logs.join('\n')).toContain('re-sealed the OPAQUE server setup under the current server key');
        await signsIn(server);
      } finally {
        await server.close();
      }
    },
    SLOW,
  );

  it(
    'is not opened with a keyring that did not seal it: a missing or a wrong keyring refuses to start',
    async () => {
      const args = ['--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
      // No TOTP factor exists here: the refusal is for the sealed OPAQUE setup alone.
      const missing = path.join(dataDir, 'moved-away-keys.json');
      await expect(startServer(loadConfig([...args, '--server-keys-file', missing], {}), { logger: false })).rejects.toThrow(
        /did not exist, but the database holds secrets sealed/,
      );
      await rm(missing, { force: true });
      const wrong = path.join(dataDir, 'wrong-keys.json');
      await writeFile(wrong, JSON.stringify({ current: 'k2', keys: { k2: randomBytes(32).toString('base64url') } }), { mode: 0o600 });
      await expect(startServer(loadConfig([...args, '--server-keys-file', wrong], {}), { logger: false })).rejects.toThrow(
        /cannot be opened with this server keyring/,
      );
      // The right keyring still works.
      const server = await start();
      try {
        await signsIn(server);
      } finally {
        await server.close();
      }
    },
    SLOW,
  );
});
