/**
 * Filler accounts for the scale benchmark: many accounts inserted straight into PostgreSQL, each
 * a copy of one real account (made through the SDK's sign-up, with items written by the SDK)
 * under fresh ids and a fresh email, in every table that account has rows in.
 *
 * Copies are made by PostgreSQL itself (`INSERT … SELECT` over `generate_series`), so 100,000
 * accounts take seconds instead of the hours the HTTP sign-up would need on two cores. Columns
 * are read from the catalog, so a column added by a later migration is copied too; a table that
 * references `users` and is not handled here is reported (`notCopied`) if the template has rows
 * in it. Filler accounts never sign in: their OPAQUE records, signatures and ciphertexts are the
 * template's, which do not verify under the new ids, and no client ever opens them. They are
 * there to make the tables and indexes the size 100,000 accounts make them.
 */
import type pg from 'pg';

export interface FillerTemplate {
  readonly userId: string;
}

export interface FillerResult {
  /** INSERTs (one transaction). */
  readonly insertSeconds: number;
  /** `VACUUM (ANALYZE)` of the filled tables afterwards. */
  readonly vacuumSeconds: number;
  /** Rows inserted per table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly databaseMiB: number;
  /** Tables referencing `users` in which the template has rows that were not copied. */
  readonly notCopied: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = /^[0-9a-f]+$/;

/** SQL for a random value of the same form (UUID, lowercase hex or base64url) and length as `example`. */
function randomLike(example: string): string {
  if (UUID.test(example)) return 'gen_random_uuid()::text';
  const digest = 'sha256(gen_random_uuid()::text::bytea)';
  if (HEX.test(example)) return `left(encode(${digest} || ${digest}, 'hex'), ${example.length})`;
  // PostgreSQL's base64 breaks lines every 76 characters: translate() drops the newlines and padding.
  return `left(translate(encode(${digest} || ${digest}, 'base64'), E'+/=\\n', '-_'), ${Math.min(example.length, 80)})`;
}

/**
 * SQL for a value of the same form as `example` derived from `seed` (an SQL expression): the same
 * seed gives the same value, so rows that refer to one another (a session and its device) still do.
 */
function derivedLike(example: string, seed: string): string {
  const digest = `sha256((${seed})::bytea)`;
  if (UUID.test(example)) {
    const hex = `encode(${digest}, 'hex')`;
    return `(substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-4' || substr(${hex}, 14, 3) || '-a' || substr(${hex}, 18, 3) || '-' || substr(${hex}, 21, 12))`;
  }
  if (HEX.test(example)) return `left(encode(${digest}, 'hex'), ${Math.min(example.length, 64)})`;
  return `left(translate(encode(${digest}, 'base64'), E'+/=\\n', '-_'), ${Math.min(example.length, 43)})`;
}

interface TableCopy {
  readonly table: string;
  /** Which of the template's rows to copy (`t` is the template row); `:user` is the template's user id, `:vault` its vault id. */
  readonly where: string;
  /** Column → SQL expression over `f` (the filler account) for the columns that must differ. */
  readonly set: Readonly<Record<string, string>>;
}

async function one<T>(client: pg.Client, text: string, values: unknown[] = []): Promise<T> {
  const result = await client.query(text, values);
  if (result.rows.length !== 1) throw new Error(`expected one row from: ${text} (got ${result.rows.length})`);
  return result.rows[0] as T;
}

export async function insertFillerAccounts(client: pg.Client, template: FillerTemplate, count: number): Promise<FillerResult> {
  const user = await one<{ id: string; account_id: string; keyset_id: string }>(client, 'select id, account_id, keyset_id from users where id = $1', [
    template.userId,
  ]);
  const vault = await one<{ id: string }>(client, "select id from vaults where created_by = $1 and kind = 'personal'", [user.id]);
  const vaultCount = await one<{ n: number }>(client, 'select count(*)::int as n from vault_access where user_id = $1', [user.id]);
  if (vaultCount.n !== 1) throw new Error(`the template account must have only its Personal vault (it has ${vaultCount.n})`);
  const device = await client.query<{ id: string }>('select id from devices where user_id = $1 limit 1', [user.id]);
  const deviceId = (column: string) => derivedLike(device.rows[0]?.id ?? 'x'.repeat(22), `f.user_id || ':' || ${column}`);
  const session = await client.query<{ id: string; token_hash: string }>('select id, token_hash from sessions where user_id = $1 limit 1', [user.id]);
  const item = await client.query<{ id: string }>('select id from items where vault_id = $1 limit 1', [vault.id]);

  const copies: TableCopy[] = [
    { table: 'keysets', where: 't.id = (select keyset_id from users where id = :user)', set: { id: 'f.keyset_id', owner_user_id: 'f.user_id' } },
    { table: 'users', where: 't.id = :user', set: { id: 'f.user_id', email: 'f.email', account_id: 'f.account_id', keyset_id: 'f.keyset_id' } },
    { table: 'vaults', where: 't.id = :vault', set: { id: 'f.vault_id', created_by: 'f.user_id' } },
    {
      table: 'vault_access',
      where: 't.vault_id = :vault and t.user_id = :user',
      set: { vault_id: 'f.vault_id', user_id: 'f.user_id', wrap_signer_keyset_id: 'f.keyset_id' },
    },
    { table: 'devices', where: 't.user_id = :user', set: { user_id: 'f.user_id', id: deviceId('t.id') } },
    {
      table: 'sessions',
      where: 't.user_id = :user',
      set: {
        id: randomLike(session.rows[0]?.id ?? 'x'.repeat(22)),
        user_id: 'f.user_id',
        token_hash: randomLike(session.rows[0]?.token_hash ?? '0'.repeat(64)),
        device_id: deviceId('t.device_id'),
      },
    },
    { table: 'security_events', where: 't.user_id = :user', set: { user_id: 'f.user_id' } },
    { table: 'items', where: 't.vault_id = :vault', set: { id: randomLike(item.rows[0]?.id ?? crypto.randomUUID()), vault_id: 'f.vault_id' } },
  ];

  // Tables that reference users (directly) and are not copied: say so if the template has rows there.
  const referencing = await client.query<{ table_name: string; column_name: string }>(`
    select distinct kcu.table_name, kcu.column_name
    from information_schema.referential_constraints rc
    join information_schema.key_column_usage kcu on kcu.constraint_name = rc.constraint_name and kcu.constraint_schema = rc.constraint_schema
    join information_schema.constraint_column_usage ccu on ccu.constraint_name = rc.unique_constraint_name and ccu.constraint_schema = rc.unique_constraint_schema
    where ccu.table_name = 'users' and kcu.constraint_schema = current_schema()`);
  const handled = new Set(copies.map((c) => c.table));
  const notCopied: string[] = [];
  for (const { table_name, column_name } of referencing.rows) {
    if (handled.has(table_name)) continue;
    const { n } = await one<{ n: number }>(client, `select count(*)::int as n from "${table_name}" where "${column_name}" = $1`, [user.id]);
    if (n > 0) notCopied.push(`${table_name} (${n} rows)`);
  }

  const columns = await client.query<{ table_name: string; column_name: string; is_identity: string; is_generated: string }>(
    'select table_name, column_name, is_identity, is_generated from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position',
  );
  const columnsOf = (table: string) =>
    columns.rows.filter((c) => c.table_name === table && c.is_identity !== 'YES' && c.is_generated !== 'ALWAYS').map((c) => c.column_name);

  const started = performance.now();
  const rows: Record<string, number> = {};
  await client.query('begin');
  try {
    // One row per filler account with the ids its rows share; emails spread over the whole index.
    await client.query(
      `create temp table filler on commit drop as
       select g as n,
              ${randomLike(user.id)} as user_id,
              left(md5(g::text || ':' || random()::text), 12) || '.' || g || '@filler.bench.example' as email,
              ${randomLike(user.account_id)} as account_id,
              ${randomLike(user.keyset_id)} as keyset_id,
              ${randomLike(vault.id)} as vault_id
       from generate_series(1, $1::int) g`,
      [count],
    );
    for (const copy of copies) {
      const names = columnsOf(copy.table);
      const list = names.map((c) => `"${c}"`).join(', ');
      const values = names.map((c) => copy.set[c] ?? `t."${c}"`).join(', ');
      const params: string[] = [];
      const where = copy.where.replace(/:(user|vault)\b/g, (_, name: string) => {
        params.push(name === 'user' ? user.id : vault.id);
        return `$${params.length}`;
      });
      const result = await client.query(
        `insert into "${copy.table}" (${list}) select ${values} from filler f cross join "${copy.table}" t where ${where}`,
        params,
      );
      rows[copy.table] = result.rowCount ?? 0;
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  const insertSeconds = (performance.now() - started) / 1000;

  // What autovacuum would have done long since on a database that grew to this size, done now
  // so that it does not start in the middle of the measurement.
  const vacuumStarted = performance.now();
  for (const copy of copies) await client.query(`vacuum (analyze) "${copy.table}"`);
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  const { bytes } = await one<{ bytes: string }>(client, 'select pg_database_size(current_database())::text as bytes');
  return { insertSeconds, vacuumSeconds, rows, databaseMiB: Number(bytes) / 2 ** 20, notCopied };
}
