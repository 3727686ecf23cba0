/**
 * Organizations, their keyset versions, the wraps of the organization keyset to its organizers,
 * owners and admins, and the organization event log. Finders that hand out a wrap are scoped to
 * the recipient, so an admin only ever reads their own wrap.
 */
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import type { Tx } from '../context.ts';
import type { OrganizationKind } from '../storage/organization-schema.ts';
import type { JsonObject } from '../storage/schema.ts';

export interface OrganizationRow {
  id: string;
  kind: OrganizationKind;
  name: string;
  createdBy: string;
  keyVersion: number;
}

export interface OrganizationKeysetRow {
  organizationId: string;
  keyVersion: number;
  keyset: SealedKeyset;
}

/** A stored wrap as the columns hold it (the same shape as `vault_access`). */
export interface WrapColumns {
  recipient_keyset_id: string;
  wrapped_key: string;
  wrap_version: number;
  wrap_signer_keyset_id: string;
  wrap_signature: string;
}

export const wrapColumns = (wrap: KeyWrap): WrapColumns => ({
  recipient_keyset_id: wrap.recipientKeysetId,
  wrapped_key: wrap.ciphertext,
  wrap_version: wrap.version,
  wrap_signer_keyset_id: wrap.signerKeysetId,
  wrap_signature: wrap.signature,
});

export const wrapFromColumns = (row: WrapColumns): KeyWrap => ({
  version: row.wrap_version,
  recipientKeysetId: row.recipient_keyset_id,
  ciphertext: row.wrapped_key,
  signerKeysetId: row.wrap_signer_keyset_id,
  signature: row.wrap_signature,
});

export const sealedKeysetColumns = (keyset: SealedKeyset) => ({
  keyset_id: keyset.id,
  public_key: keyset.publicKey,
  signing_public_key: keyset.signingPublicKey,
  encrypted_private_key: keyset.encryptedPrivateKey,
  encrypted_signing_key: keyset.encryptedSigningKey,
});

export const sealedKeysetFromColumns = (row: ReturnType<typeof sealedKeysetColumns>): SealedKeyset => ({
  id: row.keyset_id,
  publicKey: row.public_key,
  signingPublicKey: row.signing_public_key,
  encryptedPrivateKey: row.encrypted_private_key,
  encryptedSigningKey: row.encrypted_signing_key,
});

export async function insertOrganization(
  db: Tx,
  org: { id: string; kind: OrganizationKind; name: string; createdBy: string; keyset: SealedKeyset; now: Date },
): Promise<void> {
  await db
    .insertInto('organizations')
    .values({ id: org.id, kind: org.kind, name: org.name, created_by: org.createdBy, key_version: 1, created_at: org.now, updated_at: org.now })
    .execute();
  await db
    .insertInto('organization_keysets')
    .values({ organization_id: org.id, key_version: 1, ...sealedKeysetColumns(org.keyset), created_at: org.now })
    .execute();
}

export async function findOrganization(db: Tx, id: string): Promise<OrganizationRow | undefined> {
  return db
    .selectFrom('organizations')
    .select(['id', 'kind', 'name', 'created_by as createdBy', 'key_version as keyVersion'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The organization's current keyset version. */
export async function findCurrentOrganizationKeyset(db: Tx, organizationId: string): Promise<OrganizationKeysetRow | undefined> {
  const row = await db
    .selectFrom('organization_keysets')
    .innerJoin('organizations', (j) =>
      j.onRef('organizations.id', '=', 'organization_keysets.organization_id').onRef('organizations.key_version', '=', 'organization_keysets.key_version'),
    )
    .selectAll('organization_keysets')
    .where('organization_keysets.organization_id', '=', organizationId)
    .executeTakeFirst();
  return row === undefined ? undefined : { organizationId: row.organization_id, keyVersion: row.key_version, keyset: sealedKeysetFromColumns(row) };
}

export async function insertOrganizationKeyWrap(
  db: Tx,
  wrap: { organizationId: string; keyVersion: number; userId: string; wrap: KeyWrap; now: Date },
): Promise<void> {
  await db
    .insertInto('organization_key_wraps')
    .values({ organization_id: wrap.organizationId, key_version: wrap.keyVersion, user_id: wrap.userId, ...wrapColumns(wrap.wrap), created_at: wrap.now })
    .execute();
}

/** The caller's own wrap of the organization keyset (version `keyVersion`), if they hold one. */
export async function findOrganizationKeyWrapFor(db: Tx, organizationId: string, keyVersion: number, userId: string): Promise<KeyWrap | undefined> {
  const row = await db
    .selectFrom('organization_key_wraps')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('key_version', '=', keyVersion)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row === undefined ? undefined : wrapFromColumns(row);
}

export async function deleteOrganizationKeyWrapsFor(db: Tx, organizationId: string, userId: string): Promise<number> {
  const result = await db.deleteFrom('organization_key_wraps').where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export type OrganizationEventType =
  | 'organization.created'
  | 'invitation.created'
  | 'invitation.resent'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'member.confirmed'
  | 'member.removed'
  | 'member.suspended'
  | 'member.reinstated'
  | 'member.role-changed'
  | 'organization.ownership-transferred'
  | 'member.two-step-reset'
  | 'group.created'
  | 'group.member-added'
  | 'group.rekeyed'
  | 'group.deleted'
  | 'recovery-group.created'
  | 'organizer-recovery.started'
  | 'organizer-recovery.member-step-done'
  | 'organizer-recovery.approved'
  | 'organizer-recovery.completed'
  | 'organizer-recovery.cancelled'
  | 'organizer-recovery.policy-changed'
  | 'vault.shared'
  | 'vault.share-changed'
  | 'vault.unshared'
  | 'vault.deleted';

/** The organization's security log: who did what to whom. `detail` holds ids and roles only. */
export async function recordOrganizationEvent(
  db: Tx,
  event: { organizationId: string; actorUserId: string | null; subjectUserId?: string | null; type: OrganizationEventType; detail?: JsonObject; now: Date },
): Promise<void> {
  await db
    .insertInto('organization_events')
    .values({
      organization_id: event.organizationId,
      actor_user_id: event.actorUserId,
      subject_user_id: event.subjectUserId ?? null,
      type: event.type,
      detail: JSON.stringify(event.detail ?? {}),
      created_at: event.now,
    })
    .execute();
}

/**
 * The newest events first, each with the emails of its actor's and subject's accounts (joined
 * here, not stored: the log keeps ids, and someone no longer a member is still named by it).
 */
export async function listOrganizationEvents(db: Tx, organizationId: string, limit = 200) {
  return db
    .selectFrom('organization_events as e')
    .leftJoin('users as actor', 'actor.id', 'e.actor_user_id')
    .leftJoin('users as subject', 'subject.id', 'e.subject_user_id')
    .select([
      'e.id',
      'e.actor_user_id as actorUserId',
      'e.subject_user_id as subjectUserId',
      'actor.email as actorEmail',
      'subject.email as subjectEmail',
      'e.type',
      'e.detail',
      'e.created_at as createdAt',
    ])
    .where('e.organization_id', '=', organizationId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

/** Locks the organization row for the rest of the transaction (PostgreSQL row lock; SQLite transactions are serial). */
export async function lockOrganizationRow(db: Tx, organizationId: string, now: Date): Promise<void> {
  await db.updateTable('organizations').set({ updated_at: now }).where('id', '=', organizationId).execute();
}
