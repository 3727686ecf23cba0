/**
 * Storage: migrations, transactions and concurrency on the configured back end
 * (SQLite by default, PostgreSQL in the server-postgres project).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.ts';
import { MIGRATION_NAMES, migrateToLatest } from '../src/storage/migrate.ts';
import type { Database } from '../src/storage/schema.ts';
import { createTestStorage, testDatabaseKind, type TestStorage } from '@latchkey/server/testing';

const EXPECTED_TABLES = [
  'backup_codes',
  'challenges',
  'device_enrollments',
  'devices',
  'email_codes',
  'group_key_wraps',
  'group_keysets',
  'group_memberships',
  'groups',
  'invitations',
  'items',
  'keysets',
  'login_attempts',
  'memberships',
  'organization_events',
  'organization_key_wraps',
  'organization_keysets',
  'organizations',
  'organizer_recoveries',
  'organizer_recovery_approvals',
  'outbox',
  'passkeys',
  'rate_limits',
  'recovery_codes',
  'recovery_escrow',
  'recovery_grants',
  'security_events',
  'security_keys',
  'server_secrets',
  'sessions',
  'totp_factors',
  'trusted_devices',
  'users',
  'vault_access',
  'vault_shares',
  'vaults',
];

let t: TestStorage;
let db: Kysely<Database>;

beforeAll(async () => {
  t = await createTestStorage();
  db = t.storage.db;
});
afterAll(() => t.cleanup());

async function insertUser(id: string, executor: Kysely<Database> = db): Promise<void> {
  await executor
    .insertInto('keysets')
    .values({
      id: `ks-${id}`,
      owner_user_id: id,
      encrypted_symmetric_key: 'esk',
      public_key: 'pk',
      encrypted_private_key: 'epk',
      signing_public_key: 'spk',
      encrypted_signing_key: 'esgk',
    })
    .execute();
  await executor
    .insertInto('users')
    .values({
      id,
      email: `${id}@example.test`,
      name: id,
      account_id: `acct-${id}`,
      opaque_record: 'record',
      secret_key_verifier: 'verifier',
      keyset_id: `ks-${id}`,
    })
    .execute();
}

describe('migrations', () => {
  it('create every table', async () => {
    const tables = (await db.introspection.getTables()).map((table) => table.name).sort();
    expect(tables).toEqual(EXPECTED_TABLES);
    expect(t.storage.kind).toBe(testDatabaseKind());
  });

  it('are idempotent, also when run concurrently', async () => {
    const raw = db as unknown as Kysely<unknown>;
    await Promise.all([migrateToLatest(raw), migrateToLatest(raw), migrateToLatest(raw)]);
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES]);
  });

  it.runIf(testDatabaseKind() === 'postgres')('are safe when two server instances open one fresh PostgreSQL database at once', async () => {
    const { createEmptyPostgresDatabase } = await import('@latchkey/server/testing');
    const fresh = await createEmptyPostgresDatabase();
    try {
      const [a, b] = await Promise.all([
        openDatabase({ dataDir: t.dataDir, databaseUrl: fresh.databaseUrl }),
        openDatabase({ dataDir: t.dataDir, databaseUrl: fresh.databaseUrl }),
      ]);
      expect((await a.db.introspection.getTables()).length).toBe(EXPECTED_TABLES.length);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await fresh.drop();
    }
  });

  it('index the pending sign-ins by user and by expiry, so sweeps and credential swaps do not scan the table', async () => {
    // The statements of repositories/login-attempts.ts other than the lookup by id, as plans.
    const statements = {
      user: sql`delete from login_attempts where user_id = ${'u'}`,
      userExpired: sql`delete from login_attempts where expires_at <= ${new Date()} and user_id = ${'u'}`,
      expired: sql`delete from login_attempts where expires_at <= ${new Date()}`,
    };
    const plans = await db.transaction().execute(async (trx) => {
      // PostgreSQL prefers a sequential scan of a near-empty table; forbid it to see whether an index can serve.
      if (testDatabaseKind() === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
      const out: Record<string, string> = {};
      for (const [name, statement] of Object.entries(statements)) {
        const explain = testDatabaseKind() === 'postgres' ? sql`explain ${statement}` : sql`explain query plan ${statement}`;
        const rows = (await explain.execute(trx)).rows as Record<string, unknown>[];
        out[name] = rows.map((r) => Object.values(r).join(' ')).join('\n');
      }
      return out;
    });
    expect(plans.user).toMatch(/login_attempts_user\b/);
    expect(plans.userExpired).toMatch(/login_attempts_user\b/);
    expect(plans.expired).toMatch(/login_attempts_expires_at/);
  });

  it('enforce constraints (unique email, vault kind check, cascades)', async () => {
    await insertUser('mig-u1');
    await expect(
      db
        .insertInto('users')
        .values({
          id: 'mig-u2',
          email: 'mig-u1@example.test',
          name: 'x',
          account_id: 'a',
          opaque_record: 'r',
          secret_key_verifier: 'v',
          keyset_id: 'ks-mig-u1',
        })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);

    await expect(sql`insert into vaults (id, kind, created_by, encrypted_attrs) values ('v-bad', 'bogus', 'mig-u1', 'x')`.execute(db)).rejects.toThrow(
      /check/i,
    );

    await db.insertInto('vaults').values({ id: 'mig-v1', kind: 'personal', created_by: 'mig-u1', encrypted_attrs: 'a' }).execute();
    await db.insertInto('items').values({ id: 'mig-i1', vault_id: 'mig-v1', version: 1, ciphertext: 'c' }).execute();
    await db.deleteFrom('vaults').where('id', '=', 'mig-v1').execute();
    expect(await db.selectFrom('items').where('vault_id', '=', 'mig-v1').selectAll().execute()).toEqual([]);
  });
});

describe('value mapping', () => {
  it('reads timestamps as Date, bigint ids and counts as numbers, jsonb as objects', async () => {
    await insertUser('map-u1');
    const inserted = await db
      .insertInto('security_events')
      .values({ user_id: 'map-u1', type: 'signin', detail: JSON.stringify({ device: 'laptop', n: 2 }) })
      .returning(['id', 'created_at', 'detail'])
      .executeTakeFirstOrThrow();
    expect(typeof inserted.id).toBe('number');
    expect(inserted.created_at).toBeInstanceOf(Date);
    expect(inserted.detail).toEqual({ device: 'laptop', n: 2 });

    const { count } = await db
      .selectFrom('security_events')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', 'map-u1')
      .executeTakeFirstOrThrow();
    expect(count).toBe(1);

    const expires = new Date('2031-02-03T04:05:06.789Z');
    await db.insertInto('login_attempts').values({ id: 'map-la1', purpose: 'signin', server_state: 's', expires_at: expires }).execute();
    const attempt = await db.selectFrom('login_attempts').selectAll().where('id', '=', 'map-la1').executeTakeFirstOrThrow();
    expect(attempt.expires_at).toEqual(expires);
    expect(attempt.user_id).toBeNull();
  });

  it('reads booleans as booleans and compares timestamps as points in time', async () => {
    await insertUser('map-u2');
    const base = { user_id: 'map-u2', device_id: 'd', device_name: 'n', platform: 'cli', expires_at: new Date(Date.now() + 60_000) };
    await db
      .insertInto('sessions')
      .values([
        { ...base, id: 'map-s1', token_hash: 'map-th1', second_factor_pending: true },
        // Every row names the same columns: SQLite cannot write DEFAULT inside a multi-row VALUES list.
        { ...base, id: 'map-s2', token_hash: 'map-th2', second_factor_pending: false },
      ])
      .execute();
    const rows = await db
      .selectFrom('sessions')
      .select(['id', 'second_factor_pending as pending', 'created_at'])
      .where('user_id', '=', 'map-u2')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.pending)).toEqual([true, false]);
    const pending = await db.selectFrom('sessions').select('id').where('user_id', '=', 'map-u2').where('second_factor_pending', '=', true).execute();
    expect(pending).toEqual([{ id: 'map-s1' }]);
    // The default now() and a JS Date written later compare in time order, to the millisecond.
    const created = rows[0]!.created_at;
    expect(Math.abs(created.getTime() - Date.now())).toBeLessThan(60_000);
    const later = new Date(created.getTime() + 1);
    const before = await db.selectFrom('sessions').select('id').where('id', '=', 'map-s1').where('created_at', '<', later).execute();
    const notBefore = await db.selectFrom('sessions').select('id').where('id', '=', 'map-s1').where('created_at', '<', created).execute();
    expect(before).toHaveLength(1);
    expect(notBefore).toHaveLength(0);
  });

  it('reports affected rows for single-use updates', async () => {
    await db
      .insertInto('email_codes')
      .values({ id: 'map-c1', purpose: 'signup', email: 'e@example.test', code_hash: 'h', expires_at: new Date(Date.now() + 60_000) })
      .execute();
    const consume = () =>
      db.updateTable('email_codes').set({ consumed_at: new Date() }).where('id', '=', 'map-c1').where('consumed_at', 'is', null).executeTakeFirst();
    expect((await consume()).numUpdatedRows).toBe(1n);
    expect((await consume()).numUpdatedRows).toBe(0n);
  });
});

describe('transactions', () => {
  it('roll back every write when the callback throws', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await insertUser('tx-rollback', trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.selectFrom('users').where('id', '=', 'tx-rollback').selectAll().execute()).toEqual([]);
    // The connection is usable again after a rollback (on SQLite: the connection lock was released).
    expect(await db.selectFrom('users').select('id').limit(1).execute()).toBeDefined();
  });

  it('roll back after a failing statement and release the connection', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`select * from no_such_table`.execute(trx);
      }),
    ).rejects.toThrow(/no_such_table/);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('hide uncommitted writes from queries outside the transaction', async () => {
    let outside: Promise<unknown[]> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertUser('tx-isolated', trx);
        // Started while the transaction is open: PostgreSQL answers at once without the row,
        // SQLite makes it wait for the one connection, i.e. until after the rollback.
        outside = db.selectFrom('users').where('id', '=', 'tx-isolated').selectAll().execute();
        await sleep(20);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await outside).toEqual([]);
  });

  it('commit all writes together', async () => {
    await db.transaction().execute(async (trx) => {
      await insertUser('tx-commit', trx);
    });
    const user = await db.selectFrom('users').where('id', '=', 'tx-commit').select('keyset_id').executeTakeFirst();
    expect(user?.keyset_id).toBe('ks-tx-commit');
  });

  it('support savepoints in controlled transactions', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('server_secrets').values({ name: 'sp-outer', value: 'a' }).execute();
    const sp = await trx.savepoint('inner "quoted"').execute();
    await sp.insertInto('server_secrets').values({ name: 'sp-inner', value: 'b' }).execute();
    const rolledBack = await sp.rollbackToSavepoint('inner "quoted"').execute();
    await rolledBack.commit().execute();
    const names = await db.selectFrom('server_secrets').select('name').where('name', 'like', 'sp-%').execute();
    expect(names.map((n) => n.name)).toEqual(['sp-outer']);
  });

  it('serialize 20 concurrent read-modify-write transactions without losing an update', async () => {
    await db
      .insertInto('rate_limits')
      .values({ bucket: 'counter', window_start: new Date(0), count: 0 })
      .execute();
    const increment = () =>
      db.transaction().execute(async (trx) => {
        // FOR UPDATE makes PostgreSQL serialize; on SQLite BEGIN IMMEDIATE and the connection lock do.
        const row = await trx.selectFrom('rate_limits').select('count').where('bucket', '=', 'counter').forUpdate().executeTakeFirstOrThrow();
        // Yield so that, without serialization, other transactions would interleave here.
        await sleep(1);
        await trx
          .updateTable('rate_limits')
          .set({ count: row.count + 1 })
          .where('bucket', '=', 'counter')
          .execute();
      });
    // Plain queries mixed in must also wait their turn rather than deadlock.
    const reads = Array.from({ length: 10 }, () => db.selectFrom('rate_limits').select('count').execute());
    await Promise.all([...Array.from({ length: 20 }, increment), ...reads]);
    const row = await db.selectFrom('rate_limits').select('count').where('bucket', '=', 'counter').executeTakeFirstOrThrow();
    expect(row.count).toBe(20);
  });
});

describe.runIf(testDatabaseKind() === 'sqlite')('SQLite file', () => {
  it('keeps data across close and reopen of the data directory', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-persist-'));
    try {
      const first = await openDatabase({ dataDir });
      await first.db.insertInto('server_secrets').values({ name: 'persisted', value: 'v' }).execute();
      // Close waits for queued work instead of cutting it off.
      const pending = first.db.selectFrom('server_secrets').selectAll().execute();
      await first.close();
      expect(await pending).toHaveLength(1);
      await first.close(); // idempotent
      await expect(first.db.selectFrom('server_secrets').selectAll().execute()).rejects.toThrow(/closed|destroyed/);

      const second = await openDatabase({ dataDir });
      const row = await second.db.selectFrom('server_secrets').selectAll().where('name', '=', 'persisted').executeTakeFirst();
      expect(row?.value).toBe('v');
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('runs with WAL, synchronous=FULL and foreign keys, in an owner-only file', async () => {
    const { statSync } = await import('node:fs');
    const { sqliteDatabasePath } = await import('../src/storage/sqlite-file.ts');
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBeGreaterThan(0);
    expect(statSync(sqliteDatabasePath(t.dataDir)).mode & 0o777).toBe(0o600);
  });

  it('does not start on half an import: a PGlite directory that cannot be read leaves no SQLite database behind', async () => {
    const { mkdtemp, mkdir, writeFile, rm, readdir } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { sqliteDatabasePath } = await import('../src/storage/sqlite-file.ts');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-legacy-'));
    try {
      // Looks like a PGlite directory (what the import checks), but is not one.
      await mkdir(path.join(dataDir, 'db'));
      await writeFile(path.join(dataDir, 'db', 'PG_VERSION'), '17\n');
      await expect(openDatabase({ dataDir })).rejects.toThrow();
      expect(existsSync(sqliteDatabasePath(dataDir))).toBe(false);
      expect((await readdir(dataDir)).filter((name) => name.startsWith('latchkey.db'))).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
