/**
 * Migration 0009: families and teams (docs/protocol.md §22.7). Organizations and their keysets,
 * memberships with the member's signed acceptance and the organization's certificate,
 * invitations (only a hash of the token), groups with one keyset per key version, the signed
 * wraps of organization and group keysets per member and version, vault shares with a person or
 * a group, and the organization's own event log.
 *
 * Protects against: half-removed members and double use under concurrency. Foreign keys cascade
 * from an organization, a group, a keyset version and a user to every wrap and share that hangs
 * on them; uniqueness of (organization, user), (vault, recipient) and token hashes is enforced by
 * the database, not only by the several server instances that run the same code.
 *
 * Names are stored in the clear (organization and group names), because the server writes them
 * into invitation and notice emails; nothing secret is in this schema (§22.7).
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { identityColumn, now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

/** The columns of one signed key wrap (docs/protocol.md §8.3), as in `vault_access`. */
const withWrap = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
  table
    .addColumn('recipient_keyset_id', 'text', (c) => c.notNull())
    .addColumn('wrapped_key', 'text', (c) => c.notNull())
    .addColumn('wrap_version', 'integer', (c) => c.notNull())
    .addColumn('wrap_signer_keyset_id', 'text', (c) => c.notNull())
    .addColumn('wrap_signature', 'text', (c) => c.notNull());

/** The public half and the sealed private halves of an organization's or a group's keyset. */
const withSealedKeyset = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
  table
    .addColumn('keyset_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signing_public_key', 'text', (c) => c.notNull())
    .addColumn('encrypted_private_key', 'text', (c) => c.notNull())
    .addColumn('encrypted_signing_key', 'text', (c) => c.notNull());

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  const identity = identityColumn(db);

  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('family', 'team')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await withSealedKeyset(
    db.schema
      .createTable('organization_keysets')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('key_version', 'integer', (c) => c.notNull()),
  )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('organization_keysets_pkey', ['organization_id', 'key_version'])
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('organizer', 'owner', 'admin', 'recovery_admin', 'member')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'confirmed', 'suspended')`))
    // The member's signed acceptance (member-acceptance.ts) and the organization's certificate
    // (keyset-certificate.ts), as JSON; both public.
    .addColumn('acceptance', 'jsonb', (c) => c.notNull())
    .addColumn('certificate', 'jsonb')
    .addColumn('invitation_id', 'text')
    .addColumn('confirmed_by', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('memberships_organization_user_key', ['organization_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user_id_idx').on('memberships').column('user_id').execute();

  await withWrap(
    db.schema
      .createTable('organization_key_wraps')
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('key_version', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade')),
  )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('organization_key_wraps_pkey', ['organization_id', 'key_version', 'user_id'])
    .addForeignKeyConstraint(
      'organization_key_wraps_keyset_fkey',
      ['organization_id', 'key_version'],
      'organization_keysets',
      ['organization_id', 'key_version'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('organizer', 'owner', 'admin', 'recovery_admin', 'member')`))
    // SHA-256 of the emailed token (security/tokens.ts); never the token.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('resent_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('invitations_organization_email_idx').on('invitations').columns(['organization_id', 'email']).execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    // 'recovery': the organization's Recovery Group (not yet implemented, docs/protocol.md §22.8), kept apart from ordinary groups.
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('standard', 'recovery')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('groups_organization_id_idx').on('groups').column('organization_id').execute();

  await withSealedKeyset(
    db.schema
      .createTable('group_keysets')
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('key_version', 'integer', (c) => c.notNull()),
  )
    .addColumn('certificate', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('group_keysets_pkey', ['group_id', 'key_version'])
    .execute();

  await db.schema
    .createTable('group_memberships')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('group_memberships_pkey', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_memberships_user_id_idx').on('group_memberships').column('user_id').execute();

  await withWrap(
    db.schema
      .createTable('group_key_wraps')
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('key_version', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade')),
  )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('group_key_wraps_pkey', ['group_id', 'key_version', 'user_id'])
    .addForeignKeyConstraint('group_key_wraps_keyset_fkey', ['group_id', 'key_version'], 'group_keysets', ['group_id', 'key_version'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await withWrap(
    db.schema
      .createTable('vault_shares')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('vault_id', 'text', (c) => c.notNull().references('vaults.id').onDelete('cascade'))
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('group_id', 'text', (c) => c.references('groups.id').onDelete('cascade'))
      // For a group share: the group key version the vault key is wrapped to.
      .addColumn('group_key_version', 'integer')
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('view', 'edit', 'manage')`))
      .addColumn('shared_by', 'text', (c) => c.notNull()),
  )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addCheckConstraint('vault_shares_one_recipient', sql`(user_id is null) <> (group_id is null)`)
    .addCheckConstraint('vault_shares_group_version', sql`(group_id is null) = (group_key_version is null)`)
    .addUniqueConstraint('vault_shares_vault_user_key', ['vault_id', 'user_id'])
    .addUniqueConstraint('vault_shares_vault_group_key', ['vault_id', 'group_id'])
    .execute();
  await db.schema.createIndex('vault_shares_user_id_idx').on('vault_shares').column('user_id').execute();
  await db.schema.createIndex('vault_shares_group_id_idx').on('vault_shares').column('group_id').execute();
  await db.schema.createIndex('vault_shares_organization_id_idx').on('vault_shares').column('organization_id').execute();

  await db.schema
    .createTable('organization_events')
    .addColumn('id', identity.type, identity.define)
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('actor_user_id', 'text')
    .addColumn('subject_user_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('organization_events_organization_created_idx').on('organization_events').columns(['organization_id', 'created_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'organization_events',
    'vault_shares',
    'group_key_wraps',
    'group_memberships',
    'group_keysets',
    'groups',
    'invitations',
    'organization_key_wraps',
    'memberships',
    'organization_keysets',
    'organizations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
