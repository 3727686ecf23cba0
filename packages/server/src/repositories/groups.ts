/**
 * Groups, their keyset per key version, who is in them, and the organization-signed wraps of each
 * version per member. A member reads only their own wrap. Re-keying moves `groups.key_version`
 * with a compare-and-set, so two admins re-keying at once cannot both succeed.
 */
import type { GroupCertificate } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import type { Tx } from '../context.ts';
import type { GroupKind } from '../storage/organization-schema.ts';
import { sealedKeysetColumns, sealedKeysetFromColumns, wrapColumns, wrapFromColumns } from './organizations.ts';

export interface GroupRow {
  id: string;
  organizationId: string;
  kind: GroupKind;
  name: string;
  keyVersion: number;
  /** Someone left since the current version was made. */
  rekeyNeeded: boolean;
}

export interface GroupKeysetRow {
  groupId: string;
  keyVersion: number;
  keyset: SealedKeyset;
  certificate: GroupCertificate;
}

const groupColumns = ['id', 'organization_id as organizationId', 'kind', 'name', 'key_version as keyVersion', 'rekey_needed as rekeyNeeded'] as const;

export async function insertGroup(
  db: Tx,
  g: { id: string; organizationId: string; kind: GroupKind; name: string; createdBy: string; keyVersion: number; now: Date },
): Promise<void> {
  await db
    .insertInto('groups')
    .values({
      id: g.id,
      organization_id: g.organizationId,
      kind: g.kind,
      name: g.name,
      key_version: g.keyVersion,
      created_by: g.createdBy,
      created_at: g.now,
      updated_at: g.now,
    })
    .execute();
}

export async function findGroup(db: Tx, organizationId: string, groupId: string): Promise<GroupRow | undefined> {
  return db.selectFrom('groups').select(groupColumns).where('organization_id', '=', organizationId).where('id', '=', groupId).executeTakeFirst();
}

export async function listGroups(db: Tx, organizationId: string): Promise<GroupRow[]> {
  return db.selectFrom('groups').select(groupColumns).where('organization_id', '=', organizationId).orderBy('created_at', 'asc').execute();
}

export async function deleteGroup(db: Tx, organizationId: string, groupId: string): Promise<boolean> {
  const result = await db.deleteFrom('groups').where('organization_id', '=', organizationId).where('id', '=', groupId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function insertGroupKeyset(
  db: Tx,
  k: { groupId: string; keyVersion: number; keyset: SealedKeyset; certificate: GroupCertificate; now: Date },
): Promise<void> {
  await db
    .insertInto('group_keysets')
    .values({ group_id: k.groupId, key_version: k.keyVersion, ...sealedKeysetColumns(k.keyset), certificate: JSON.stringify(k.certificate), created_at: k.now })
    .execute();
}

export async function findGroupKeyset(db: Tx, groupId: string, keyVersion: number): Promise<GroupKeysetRow | undefined> {
  const row = await db.selectFrom('group_keysets').selectAll().where('group_id', '=', groupId).where('key_version', '=', keyVersion).executeTakeFirst();
  return row === undefined
    ? undefined
    : { groupId: row.group_id, keyVersion: row.key_version, keyset: sealedKeysetFromColumns(row), certificate: row.certificate };
}

/** Moves the group to `to` only if it is still at `from`. */
export async function advanceGroupKeyVersion(db: Tx, groupId: string, from: number, to: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('groups')
    .set({ key_version: to, rekey_needed: false, updated_at: now })
    .where('id', '=', groupId)
    .where('key_version', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Drops every keyset version (and, by cascade, every wrap) below `keyVersion`. */
export async function deleteGroupKeysetsBelow(db: Tx, groupId: string, keyVersion: number): Promise<void> {
  await db.deleteFrom('group_key_wraps').where('group_id', '=', groupId).where('key_version', '<', keyVersion).execute();
  await db.deleteFrom('group_keysets').where('group_id', '=', groupId).where('key_version', '<', keyVersion).execute();
}

export async function insertGroupMember(db: Tx, m: { groupId: string; userId: string; now: Date }): Promise<void> {
  await db.insertInto('group_memberships').values({ group_id: m.groupId, user_id: m.userId, created_at: m.now }).execute();
}

export async function listGroupMemberIds(db: Tx, groupId: string): Promise<string[]> {
  return (await db.selectFrom('group_memberships').select('user_id').where('group_id', '=', groupId).execute()).map((r) => r.user_id);
}

export async function deleteGroupMembers(db: Tx, groupId: string, userIds: readonly string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  await db.deleteFrom('group_key_wraps').where('group_id', '=', groupId).where('user_id', 'in', userIds).execute();
  const result = await db.deleteFrom('group_memberships').where('group_id', '=', groupId).where('user_id', 'in', userIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes the user from every group of the organization, with every wrap they hold. Returns the groups they left. */
export async function removeUserFromOrganizationGroups(db: Tx, organizationId: string, userId: string): Promise<string[]> {
  const groups = (
    await db
      .selectFrom('group_memberships')
      .innerJoin('groups', 'groups.id', 'group_memberships.group_id')
      .select('groups.id')
      .where('groups.organization_id', '=', organizationId)
      .where('group_memberships.user_id', '=', userId)
      .execute()
  ).map((r) => r.id);
  if (groups.length === 0) return [];
  await db.deleteFrom('group_key_wraps').where('group_id', 'in', groups).where('user_id', '=', userId).execute();
  await db.deleteFrom('group_memberships').where('group_id', 'in', groups).where('user_id', '=', userId).execute();
  await db.updateTable('groups').set({ rekey_needed: true }).where('id', 'in', groups).execute();
  return groups;
}

export async function insertGroupKeyWrap(db: Tx, w: { groupId: string; keyVersion: number; userId: string; wrap: KeyWrap; now: Date }): Promise<void> {
  await db
    .insertInto('group_key_wraps')
    .values({ group_id: w.groupId, key_version: w.keyVersion, user_id: w.userId, ...wrapColumns(w.wrap), created_at: w.now })
    .execute();
}

/** The caller's own wrap of version `keyVersion`. */
export async function findGroupKeyWrapFor(db: Tx, groupId: string, keyVersion: number, userId: string): Promise<KeyWrap | undefined> {
  const row = await db
    .selectFrom('group_key_wraps')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('key_version', '=', keyVersion)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row === undefined ? undefined : wrapFromColumns(row);
}

/** Every member's wrap of version `keyVersion` (for an admin checking who holds it before a re-key). */
export async function listGroupKeyWraps(db: Tx, groupId: string, keyVersion: number): Promise<{ userId: string; wrap: KeyWrap }[]> {
  const rows = await db.selectFrom('group_key_wraps').selectAll().where('group_id', '=', groupId).where('key_version', '=', keyVersion).execute();
  return rows.map((r) => ({ userId: r.user_id, wrap: wrapFromColumns(r) }));
}

/** The groups of `organizationId` that `userId` is in. */
export async function listGroupIdsOfUser(db: Tx, organizationId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_memberships')
    .innerJoin('groups', 'groups.id', 'group_memberships.group_id')
    .select('groups.id')
    .where('groups.organization_id', '=', organizationId)
    .where('group_memberships.user_id', '=', userId)
    .execute();
  return rows.map((r) => r.id);
}

/** The organization's Recovery Group (docs/protocol.md §22.8), if it has one yet. */
export async function findRecoveryGroup(db: Tx, organizationId: string): Promise<GroupRow | undefined> {
  return db.selectFrom('groups').select(groupColumns).where('organization_id', '=', organizationId).where('kind', '=', 'recovery').executeTakeFirst();
}

/** Every stored key version of a group, oldest first (a Recovery Group keeps them all). */
export async function listGroupKeyVersions(db: Tx, groupId: string): Promise<number[]> {
  const rows = await db.selectFrom('group_keysets').select('key_version').where('group_id', '=', groupId).orderBy('key_version', 'asc').execute();
  return rows.map((r) => r.key_version);
}

/** Every stored version of a group with the user's own wrap of it, oldest first. */
export async function listGroupVersionsWithWrapFor(db: Tx, groupId: string, userId: string): Promise<(GroupKeysetRow & { keyWrap: KeyWrap | undefined })[]> {
  const versions = [];
  for (const keyVersion of await listGroupKeyVersions(db, groupId)) {
    const keyset = (await findGroupKeyset(db, groupId, keyVersion))!;
    versions.push({ ...keyset, keyWrap: await findGroupKeyWrapFor(db, groupId, keyVersion, userId) });
  }
  return versions;
}

/** Marks the group for a re-key (someone left it outside a re-key). */
export async function markRekeyNeeded(db: Tx, groupId: string): Promise<void> {
  await db.updateTable('groups').set({ rekey_needed: true }).where('id', '=', groupId).execute();
}

/** A new group at key version 1: the row, its keyset and certificate, and each member with their wrap. */
export async function insertNewGroup(
  db: Tx,
  g: {
    id: string;
    organizationId: string;
    kind: GroupKind;
    name: string;
    createdBy: string;
    keyset: SealedKeyset;
    certificate: GroupCertificate;
    members: readonly { userId: string; wrap: KeyWrap }[];
    now: Date;
  },
): Promise<void> {
  await insertGroup(db, { id: g.id, organizationId: g.organizationId, kind: g.kind, name: g.name, createdBy: g.createdBy, keyVersion: 1, now: g.now });
  await insertGroupKeyset(db, { groupId: g.id, keyVersion: 1, keyset: g.keyset, certificate: g.certificate, now: g.now });
  for (const m of g.members) {
    await insertGroupMember(db, { groupId: g.id, userId: m.userId, now: g.now });
    await insertGroupKeyWrap(db, { groupId: g.id, keyVersion: 1, userId: m.userId, wrap: m.wrap, now: g.now });
  }
}
