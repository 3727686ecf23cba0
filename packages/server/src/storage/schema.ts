/**
 * The database schema as Kysely types: one interface per table, matching
 * `migrations/0001_initial.ts` column for column.
 *
 * Protects against: queries that drift from the real tables (a renamed or retyped column fails
 * type-checking instead of failing at run time). Everything secret-adjacent here is either
 * ciphertext produced by clients, a hash, or an OPAQUE record: no plaintext credential has a
 * column to live in.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { OrganizationTables } from './organization-schema.ts';

/** A `timestamptz not null default now()` column: optional on insert, a Date when read. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** A nullable `timestamptz` column. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `timestamptz not null` column without a default. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type VaultKind = 'personal' | 'shared';
export type VaultRole = 'owner' | 'member';

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

export interface KeysetsTable {
  id: string;
  owner_user_id: string | null;
  encrypted_symmetric_key: string;
  public_key: string;
  encrypted_private_key: string;
  signing_public_key: string;
  encrypted_signing_key: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  account_id: string;
  opaque_record: string;
  secret_key_verifier: string;
  keyset_id: string;
  credentials_version: Generated<number>;
  recovery_failures: Generated<number>;
  recovery_locked_at: NullableTimestamp;
  backup_code_salt: string | null;
  backup_code_failures: Generated<number>;
  security_key_failures: Generated<number>;
  unlock_method: Generated<'password' | 'passkey'>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface EmailCodesTable {
  id: string;
  purpose: string;
  email: string;
  code_hash: string;
  attempts: Generated<number>;
  ticket_hash: string | null;
  expires_at: Timestamp;
  verified_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface LoginAttemptsTable {
  id: string;
  purpose: string;
  user_id: string | null;
  session_id: string | null;
  server_state: string;
  /** Source address of the start request (migration 0007). */
  ip: string | null;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  device_id: string;
  device_name: string;
  platform: string;
  ip: string | null;
  created_at: CreatedAt;
  last_used_at: CreatedAt;
  expires_at: Timestamp;
  reauthenticated_at: NullableTimestamp;
  second_factor_pending: Generated<boolean>;
  /** `full`, or `enrollment`: a passkey-authenticated new device that may only use the enrollment relay (migration 0017). */
  kind: Generated<'full' | 'enrollment'>;
}

export interface DevicesTable {
  user_id: string;
  id: string;
  name: string;
  platform: string;
  created_at: CreatedAt;
  last_used_at: CreatedAt;
}

export interface VaultsTable {
  id: string;
  kind: VaultKind;
  created_by: string;
  encrypted_attrs: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** One recipient's signed wrap of a vault key (migration 0006 added the signature columns). */
export interface VaultAccessTable {
  vault_id: string;
  user_id: string;
  /** The HPKE ciphertext of the wrap. */
  wrapped_key: string;
  /** 1 for a signed wrap; 0 for a row from before signed wraps, which clients refuse. */
  wrap_version: number;
  wrap_signer_keyset_id: string;
  wrap_signature: string;
  role: VaultRole;
  created_at: CreatedAt;
}

export interface ItemsTable {
  id: string;
  vault_id: string;
  version: number;
  ciphertext: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Set while the item is in the Trash (docs/protocol.md §8.4). */
  deleted_at: NullableTimestamp;
}

/** Free-form event detail; never holds secrets (docs/protocol.md §12, security log). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface SecurityEventsTable {
  /** bigint identity; read back as a JS number (INT8 parser set in database.ts). */
  id: Generated<number>;
  user_id: string;
  type: string;
  // Written as a JSON string (JSON.stringify) so both drivers send the same text; read as an object.
  detail: ColumnType<JsonObject, string | undefined, string>;
  ip: string | null;
  created_at: CreatedAt;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: Timestamp;
  count: number;
}

/** The state of one stored recovery code (a row); what the account sees is the wire `RecoveryCodeStatus`. */
export type RecoveryCodeRowStatus = 'pending' | 'active';

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  status: RecoveryCodeRowStatus;
  auth_public_key: string;
  wrapped_symmetric_key: string;
  created_at: CreatedAt;
  confirmed_at: NullableTimestamp;
  last_checked_at: NullableTimestamp;
  /** The session that gave a two-step proof when this code was created (null: none was needed). */
  proof_session_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChallengesTable {
  id: string;
  user_id: string;
  purpose: string;
  challenge: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
  /** The session that gave a two-step proof for this challenge (null: none was given). */
  proof_session_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface RecoveryGrantsTable {
  id: string;
  user_id: string;
  token_hash: string;
  method: 'recovery-code';
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface TotpFactorsTable {
  user_id: string;
  status: 'pending' | 'active';
  encrypted_secret: string;
  last_used_step: Generated<number>;
  failures: Generated<number>;
  created_at: CreatedAt;
  confirmed_at: NullableTimestamp;
  /** For a pending factor: the session that gave a two-step proof when the setup began. */
  proof_session_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: Generated<number>;
  transports: Generated<string>;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
}

export interface TrustedDevicesTable {
  user_id: string;
  device_id: string;
  name: string;
  platform: string;
  sealed_bundle: string;
  created_at: CreatedAt;
  last_used_at: CreatedAt;
}

export interface SecurityKeysTable {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: Generated<number>;
  transports: Generated<string>;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
}

export interface BackupCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type OutboxStatus = 'queued' | 'sent' | 'failed';

/** A notice owed by a committed change, until it is delivered (migration 0010; services/notice-sender.ts). */
export interface OutboxTable {
  /** The notice id; also the local part of the email's Message-ID. */
  id: string;
  recipient: string;
  kind: string;
  /** The facts the notice's text is built from: never a secret, code or key. Written as a JSON string. */
  data: ColumnType<JsonObject, string, string>;
  /** At most one row per key: a second notice for the same occasion is dropped. */
  dedupe_key: string | null;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  created_at: CreatedAt;
  attempts: Generated<number>;
  next_attempt_at: CreatedAt;
  claimed_by: string | null;
  claim_token: string | null;
  claim_expires_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  last_error: string | null;
}

/** One relayed enrollment run (migration 0011); the messages are opaque base64url, each written once. */
export interface DeviceEnrollmentsTable {
  id: string;
  user_id: string;
  new_device_id: string;
  trusted_device_id: string | null;
  message_1: string | null;
  message_2: string | null;
  message_3: string | null;
  message_4: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** Every table; the families-and-teams tables are in organization-schema.ts. */
export interface Database extends OrganizationTables {
  totp_factors: TotpFactorsTable;
  security_keys: SecurityKeysTable;
  backup_codes: BackupCodesTable;
  recovery_codes: RecoveryCodesTable;
  challenges: ChallengesTable;
  recovery_grants: RecoveryGrantsTable;
  server_secrets: ServerSecretsTable;
  keysets: KeysetsTable;
  users: UsersTable;
  email_codes: EmailCodesTable;
  login_attempts: LoginAttemptsTable;
  sessions: SessionsTable;
  devices: DevicesTable;
  vaults: VaultsTable;
  vault_access: VaultAccessTable;
  items: ItemsTable;
  security_events: SecurityEventsTable;
  rate_limits: RateLimitsTable;
  outbox: OutboxTable;
  device_enrollments: DeviceEnrollmentsTable;
  passkeys: PasskeysTable;
  trusted_devices: TrustedDevicesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type EmailCodeRow = Selectable<EmailCodesTable>;
export type VaultRow = Selectable<VaultsTable>;
export type ItemRow = Selectable<ItemsTable>;
