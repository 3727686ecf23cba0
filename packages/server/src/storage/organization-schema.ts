/**
 * Kysely types of the families-and-teams tables (migration `0009_organizations`, docs/protocol.md
 * §22.7), column for column. Kept apart from schema.ts so the organization tables read as one
 * unit; `Database` includes them.
 *
 * Nothing secret has a column here: keysets are public keys plus private halves sealed under a
 * key only members can unwrap, wraps are HPKE ciphertexts, invitations keep a token hash.
 */
import type { ColumnType, Generated } from 'kysely';
import type { GroupCertificate, MemberCertificate } from '@latchkey/core/keyset-certificate';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import type { CreatedAt, JsonObject, NullableTimestamp, Timestamp } from './schema.ts';

export type OrganizationKind = 'family' | 'team';
/** Family: organizer, member. Team: owner, admin, recovery_admin (an admin with recovery powers), member. */
export type OrganizationRole = 'organizer' | 'owner' | 'admin' | 'recovery_admin' | 'member';
/** Invited people have an `invitations` row and no membership until they accept. */
export type MembershipStatus = 'accepted' | 'confirmed' | 'suspended';
export type GroupKind = 'standard' | 'recovery';
export type VaultShareRole = 'view' | 'edit' | 'manage';

/** A JSON column written as a JSON string and read back parsed (see migrate.ts conventions). */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

interface SealedKeysetColumns {
  keyset_id: string;
  public_key: string;
  signing_public_key: string;
  encrypted_private_key: string;
  encrypted_signing_key: string;
}

interface WrapColumns {
  recipient_keyset_id: string;
  wrapped_key: string;
  wrap_version: number;
  wrap_signer_keyset_id: string;
  wrap_signature: string;
}

export interface OrganizationsTable {
  id: string;
  kind: OrganizationKind;
  name: string;
  created_by: string;
  key_version: Generated<number>;
  /** Organizer recovery policy (migration 0018): the waiting period after the member's step, and approvals needed. */
  recovery_waiting_seconds: Generated<number>;
  recovery_approvals_required: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface OrganizationKeysetsTable extends SealedKeysetColumns {
  organization_id: string;
  key_version: number;
  created_at: CreatedAt;
}

export interface MembershipsTable {
  id: string;
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  status: MembershipStatus;
  acceptance: Json<MemberAcceptance>;
  certificate: NullableJson<MemberCertificate>;
  invitation_id: string | null;
  confirmed_by: string | null;
  confirmed_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface OrganizationKeyWrapsTable extends WrapColumns {
  organization_id: string;
  key_version: number;
  user_id: string;
  created_at: CreatedAt;
}

export interface InvitationsTable {
  id: string;
  organization_id: string;
  email: string;
  role: OrganizationRole;
  token_hash: string;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by: string | null;
  revoked_at: NullableTimestamp;
  resent_count: Generated<number>;
  last_sent_at: Timestamp;
  created_at: CreatedAt;
}

export interface GroupsTable {
  id: string;
  organization_id: string;
  kind: GroupKind;
  name: string;
  key_version: number;
  /** Someone left since the current version was made (migration 0014): the next re-key clears it. */
  rekey_needed: Generated<boolean>;
  created_by: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface GroupKeysetsTable extends SealedKeysetColumns {
  group_id: string;
  key_version: number;
  certificate: Json<GroupCertificate>;
  created_at: CreatedAt;
}

export interface GroupMembershipsTable {
  group_id: string;
  user_id: string;
  created_at: CreatedAt;
}

export interface GroupKeyWrapsTable extends WrapColumns {
  group_id: string;
  key_version: number;
  user_id: string;
  created_at: CreatedAt;
}

export interface VaultSharesTable extends WrapColumns {
  id: string;
  vault_id: string;
  organization_id: string;
  user_id: string | null;
  group_id: string | null;
  group_key_version: number | null;
  role: VaultShareRole;
  shared_by: string;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface OrganizationEventsTable {
  id: Generated<number>;
  organization_id: string;
  actor_user_id: string | null;
  subject_user_id: string | null;
  type: string;
  detail: ColumnType<JsonObject, string | undefined, string>;
  created_at: CreatedAt;
}

/**
 * A vault key escrowed to an organization's Recovery Group (migration 0014, docs/protocol.md
 * §22.8): the signed escrow wrap as JSON, sealed with the server keyring. Never returned.
 */
export interface RecoveryEscrowTable {
  vault_id: string;
  organization_id: string;
  recovery_key_version: number;
  sealed_wrap: string;
  created_at: CreatedAt;
}

export type OrganizerRecoveryStatus = 'awaiting_member' | 'waiting' | 'completed' | 'cancelled';

/** An organizer recovery (migration 0018, docs/protocol.md §22.8); `pending_*` are the member's new credentials until completion. */
export interface OrganizerRecoveriesTable {
  id: string;
  organization_id: string;
  member_user_id: string;
  started_by: string;
  status: OrganizerRecoveryStatus;
  token_hash: string;
  token_used_at: NullableTimestamp;
  approvals_required: number;
  waiting_period_seconds: number;
  waiting_until: NullableTimestamp;
  pending_opaque_record: string | null;
  pending_secret_key_verifier: string | null;
  pending_encrypted_symmetric_key: string | null;
  pending_keyset: NullableJson<JsonObject>;
  pending_acceptance: NullableJson<MemberAcceptance>;
  released_to: string | null;
  released_at: NullableTimestamp;
  ended_by: string | null;
  end_reason: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  ended_at: NullableTimestamp;
}

export interface OrganizerRecoveryApprovalsTable {
  recovery_id: string;
  approver_user_id: string;
  approved_at: CreatedAt;
}

export interface OrganizationTables {
  organizer_recoveries: OrganizerRecoveriesTable;
  organizer_recovery_approvals: OrganizerRecoveryApprovalsTable;
  organizations: OrganizationsTable;
  organization_keysets: OrganizationKeysetsTable;
  memberships: MembershipsTable;
  organization_key_wraps: OrganizationKeyWrapsTable;
  invitations: InvitationsTable;
  groups: GroupsTable;
  group_keysets: GroupKeysetsTable;
  group_memberships: GroupMembershipsTable;
  group_key_wraps: GroupKeyWrapsTable;
  vault_shares: VaultSharesTable;
  organization_events: OrganizationEventsTable;
  recovery_escrow: RecoveryEscrowTable;
}
