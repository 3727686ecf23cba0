/**
 * Migration 0008: which session proved a second factor when a setup began (docs/protocol.md §16.4, §16.6).
 * A pending TOTP factor, a pending recovery code and a security-key registration challenge
 * remember the session that gave a factor proof when it was started, so its confirmation can
 * count that proof and a setup begun while two-step verification was off cannot be confirmed
 * once it is on. Text columns only, so the same migration runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<unknown>;

const TABLES = ['totp_factors', 'recovery_codes', 'challenges'] as const;

export async function up(db: AnyDb): Promise<void> {
  for (const table of TABLES) await db.schema.alterTable(table).addColumn('proof_session_id', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('proof_session_id').execute();
}
