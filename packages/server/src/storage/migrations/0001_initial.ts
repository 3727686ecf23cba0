/**
 * Migration 0001: the initial schema, on SQLite and PostgreSQL (written in the shared
 * conventions of migrate.ts; on PostgreSQL it creates exactly the schema it always has).
 *
 * Protects against: inconsistent data under concurrency and crashes — uniqueness of emails,
 * session token hashes and verification tickets, and ownership links are enforced by the
 * database itself (constraints, foreign keys with cascades), not only by application code that
 * several server instances run at once.
 */
import { type Kysely, type CreateTableBuilder, type RawBuilder, sql } from 'kysely';
import { identityColumn, now as nowFor } from '../migration-sql.ts';

// Migrations must not depend on the evolving `Database` type: they describe history.
type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now: RawBuilder<unknown> = nowFor(db);
  /** Adds the standard `created_at timestamptz not null default now()` column. */
  const withCreatedAt = <T extends string, C extends string>(table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C | 'created_at'> =>
    table.addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now));
  const identity = identityColumn(db);

  await withCreatedAt(
    db.schema
      .createTable('server_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull()),
  ).execute();

  await withCreatedAt(
    db.schema
      .createTable('keysets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_user_id', 'text')
      .addColumn('encrypted_symmetric_key', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('encrypted_private_key', 'text', (c) => c.notNull())
      .addColumn('signing_public_key', 'text', (c) => c.notNull())
      .addColumn('encrypted_signing_key', 'text', (c) => c.notNull()),
  )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await withCreatedAt(
    db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('opaque_record', 'text', (c) => c.notNull())
      .addColumn('secret_key_verifier', 'text', (c) => c.notNull())
      .addColumn('keyset_id', 'text', (c) => c.notNull().references('keysets.id'))
      .addColumn('credentials_version', 'integer', (c) => c.notNull().defaultTo(1)),
  )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await withCreatedAt(
    db.schema
      .createTable('email_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ticket_hash', 'text', (c) => c.unique())
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
      .addColumn('verified_at', 'timestamptz')
      .addColumn('consumed_at', 'timestamptz'),
  ).execute();
  await db.schema.createIndex('email_codes_email_purpose_idx').on('email_codes').columns(['email', 'purpose']).execute();

  await withCreatedAt(
    db.schema
      .createTable('login_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('server_state', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull()),
  ).execute();

  await withCreatedAt(
    db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('device_name', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('ip', 'text'),
  )
    .addColumn('last_used_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reauthenticated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();

  await withCreatedAt(
    db.schema
      .createTable('devices')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull()),
  )
    .addColumn('last_used_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('devices_pkey', ['user_id', 'id'])
    .execute();

  await withCreatedAt(
    db.schema
      .createTable('vaults')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('personal', 'shared')`))
      .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('encrypted_attrs', 'text', (c) => c.notNull()),
  )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await withCreatedAt(
    db.schema
      .createTable('vault_access')
      .addColumn('vault_id', 'text', (c) => c.notNull().references('vaults.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('wrapped_key', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member')`)),
  )
    .addPrimaryKeyConstraint('vault_access_pkey', ['vault_id', 'user_id'])
    .execute();
  await db.schema.createIndex('vault_access_user_id_idx').on('vault_access').column('user_id').execute();

  await withCreatedAt(
    db.schema
      .createTable('items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('vault_id', 'text', (c) => c.notNull().references('vaults.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull()),
  )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('items_vault_id_idx').on('items').column('vault_id').execute();

  await withCreatedAt(
    db.schema
      .createTable('security_events')
      .addColumn('id', identity.type, identity.define)
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('ip', 'text'),
  ).execute();
  await db.schema.createIndex('security_events_user_id_created_at_idx').on('security_events').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pkey', ['bucket', 'window_start'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  // Reverse dependency order so foreign keys never block a drop.
  for (const table of [
    'rate_limits',
    'security_events',
    'items',
    'vault_access',
    'vaults',
    'devices',
    'sessions',
    'login_attempts',
    'email_codes',
    'users',
    'keysets',
    'server_secrets',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
