/**
 * Migration 0014: escrowed vault keys (docs/protocol.md §22.8). One row per (vault, organization):
 * the vault key wrapped by its owner's client to that organization's Recovery Group at
 * `recovery_key_version`, sealed a second time with the server keyring (purpose
 * `recovery-escrow`, bound to vault and organization, §17.1), so a database copy alone, even in
 * the hands of a Recovery Group member, opens nothing. Re-escrowing at a newer Recovery Group
 * version replaces the row. Rows go with their vault and with their organization. Plain SQL both
 * databases accept.
 *
 * Also `groups.rekey_needed`: set when someone leaves a group (removed, suspended, or leaving the
 * organization) and cleared by the next re-key, so a holder's client knows the Recovery Group
 * still has to be re-keyed after a holder left by themselves (no one else was told to).
 */
import { type Kysely, sql } from 'kysely';
import { now as nowFor } from '../migration-sql.ts';

type AnyDb = Kysely<unknown>;

export async function up(db: AnyDb): Promise<void> {
  const now = nowFor(db);
  await sql`
    create table recovery_escrow (
      vault_id text not null references vaults(id) on delete cascade,
      organization_id text not null references organizations(id) on delete cascade,
      recovery_key_version integer not null,
      sealed_wrap text not null,
      created_at timestamptz not null default ${now},
      primary key (vault_id, organization_id)
    )`.execute(db);
  await sql`create index recovery_escrow_organization on recovery_escrow (organization_id)`.execute(db);
  await sql`alter table groups add column rekey_needed boolean not null default false`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop table recovery_escrow`.execute(db);
  await sql`alter table groups drop column rekey_needed`.execute(db);
}
