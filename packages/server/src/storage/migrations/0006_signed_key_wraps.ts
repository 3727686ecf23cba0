/**
 * Migration 0006: signed key wraps (docs/protocol.md §8.3). Each vault-key wrap
 * keeps, beside its HPKE ciphertext (`wrapped_key`), the format version, the keyset that signed
 * it and the Ed25519 signature (docs/protocol.md, "Signed key wraps").
 *
 * Rows written before this migration get version 0 and no signer or signature. Clients refuse
 * such a wrap (`untrusted_key`): an unsigned wrap is exactly what a malicious server would
 * plant, so nothing is grandfathered in. There were no production users when this shipped;
 * docs/operations.md says what an older development database needs.
 */
import type { Kysely } from 'kysely';

// Migrations must not depend on the evolving `Database` type: they describe history.
type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema
    .alterTable('vault_access')
    .addColumn('wrap_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('vault_access')
    .addColumn('wrap_signer_keyset_id', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('vault_access')
    .addColumn('wrap_signature', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('vault_access').dropColumn('wrap_signature').execute();
  await db.schema.alterTable('vault_access').dropColumn('wrap_signer_keyset_id').execute();
  await db.schema.alterTable('vault_access').dropColumn('wrap_version').execute();
}
