/**
 * `latchkey backup FILE` and the restore of docs/operations.md §6, on the embedded database:
 * a backup taken while the server runs and writes is a consistent copy; after more writes, the
 * documented restore (stop, remove the database and its log, copy the backup in, start, same
 * keyring) brings back exactly the backed-up state — nothing written later, nothing lost or torn.
 * The backup refuses to overwrite a file and refuses on PostgreSQL (pg_dump is the tool there).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultId } from '@latchkey/core/ids';
import type { ItemFields } from '@latchkey/core/item';
import { sqliteDatabasePath } from '../src/storage/sqlite-file.ts';
import {
  sdkClient,
  type ServerProcess,
  signUpUser,
  startServerProcess,
  stopAllServerProcesses,
  testDatabaseKind,
  type TestUser,
} from '@latchkey/server/testing';
import { snapshotItems } from './helpers/crash-rounds.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli/bin/latchkey.js');

function latchkey(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const note = (title: string): ItemFields => ({ kind: 'note', title, notes: `${title}: ${'x'.repeat(300)}` });

describe.runIf(testDatabaseKind() === 'sqlite')('backup and restore of the embedded database', () => {
  let dir: string;
  let dataDir: string;
  let server: ServerProcess;
  let account: TestUser;
  let vaultId: VaultId;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'latchkey-backup-'));
    dataDir = path.join(dir, 'data');
    server = await startServerProcess({ dataDir, startTimeoutMs: 90_000 });
    account = await signUpUser({ url: server.url, dataDir });
    vaultId = (await account.client.vaults.list()).find((v) => v.kind === 'personal')!.id;
  }, 180_000);

  afterAll(async () => {
    await stopAllServerProcesses();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies the database while the server runs and writes; the documented restore brings back exactly that state', async () => {
    for (let i = 0; i < 5; i++) await account.client.items.create(vaultId, note(`before ${i}`));
    const acknowledgedBefore = await snapshotItems(account.client);

    // Writes keep coming while the backup runs.
    const sentDuring: ItemFields[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const fields = note(`during ${i}`);
        sentDuring.push(fields);
        await account.client.items.create(vaultId, fields);
      }
    })();
    const file = path.join(dir, 'latchkey-backup.db');
    const run = await latchkey(['backup', file, '--data-dir', dataDir]);
    writing = false;
    await writer;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Backed up \d+ bytes to /);
    expect(run.stderr).toContain('server-keys.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(existsSync(`${file}-wal`)).toBe(false);

    // More writes after the backup: a new item, an edit and a deletion of backed-up ones.
    const [first, second] = acknowledgedBefore;
    await account.client.items.create(vaultId, note('after the backup'));
    await account.client.items.update(first!.id, { title: 'edited after the backup' });
    await account.client.items.delete(second!.id);
    const keyring = await readFile(path.join(dataDir, 'server-keys.json'), 'utf8');

    // The restore, step by step as docs/operations.md §6 says.
    await server.stop();
    const db = sqliteDatabasePath(dataDir);
    await rm(db, { force: true });
    await rm(`${db}-wal`, { force: true });
    await rm(`${db}-shm`, { force: true });
    await copyFile(file, db);
    expect(await readFile(path.join(dataDir, 'server-keys.json'), 'utf8')).toBe(keyring);
    await server.restart();

    // A fresh client: the credentials of the backup's time open the account.
    const client = sdkClient(server.url);
    await client.signIn({ email: account.email, password: account.password, secretKey: account.secretKey });
    const restored = await snapshotItems(client);
    const byId = new Map(restored.map((i) => [i.id, i]));
    // Everything acknowledged before the backup began, exactly as it was then.
    for (const item of acknowledgedBefore) expect(byId.get(item.id), `"${item.fields.title}"`).toEqual(item);
    // Nothing written after the backup finished.
    const titles = restored.map((i) => i.fields.title);
    expect(titles).not.toContain('after the backup');
    expect(titles).not.toContain('edited after the backup');
    // Writes that raced the backup are there whole or not at all, and only a prefix of them
    // (one snapshot: never a later write without an earlier one).
    const during = restored.filter((i) => !acknowledgedBefore.some((b) => b.id === i.id));
    for (const item of during) {
      expect(sentDuring).toContainEqual(item.fields);
      expect(item.version).toBe(1);
    }
    const indexes = during.map((i) => Number(/during (\d+)/.exec(i.fields.title)![1])).sort((a, b) => a - b);
    expect(indexes).toEqual(indexes.map((_, k) => k));
    expect(restored).toHaveLength(acknowledgedBefore.length + during.length);
  }, 240_000);

  it('never overwrites a file, and sends PostgreSQL users to pg_dump', async () => {
    const existing = path.join(dir, 'already-there.db');
    await writeFile(existing, 'precious');
    const refused = await latchkey(['backup', existing, '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists/);
    expect(await readFile(existing, 'utf8')).toBe('precious');

    const postgres = await latchkey(['backup', path.join(dir, 'pg.db'), '--data-dir', dataDir, '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toMatch(/pg_dump/);
    expect(existsSync(path.join(dir, 'pg.db'))).toBe(false);

    const missing = await latchkey(['backup', path.join(dir, 'nothing.db'), '--data-dir', path.join(dir, 'no-such-data-dir')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no database/i);
  }, 300_000);
});
