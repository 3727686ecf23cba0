/**
 * Wire schemas of groups (docs/protocol.md §22.5): each version of a group keyset is made,
 * certified and wrapped (format 2, signed by the organization keyset) by a client; the server
 * stores it and hands each member their own wrap.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Name, UserIdSchema, Uuid, VaultIdSchema, strictObject } from './common.ts';
import { KeyWrap, KeyWrapInput, VersionedKeyWrapInput } from './key-wrap.ts';
import { GroupCertificate, GroupCertificateInput, SealedKeyset, SealedKeysetInput } from './organizations.ts';

export const GroupParams = strictObject({ organizationId: Uuid, groupId: Uuid });
export const GroupKind = Type.Union([Type.Literal('standard'), Type.Literal('recovery')]);

const MAX_MEMBERS = 1000;
const MAX_SHARES = 10_000;

/** The group's current key version wrapped to one confirmed member's certified keyset. */
export const GroupMemberWrapInput = strictObject({ userId: UserIdSchema, wrap: VersionedKeyWrapInput });
export const GroupMemberWrap = Type.Object({ userId: Uuid, wrap: KeyWrap });

export const CreateGroupRequest = strictObject({
  id: Uuid,
  name: Name,
  keyset: SealedKeysetInput,
  certificate: GroupCertificateInput,
  members: Type.Array(GroupMemberWrapInput, { maxItems: MAX_MEMBERS }),
});
export type CreateGroupRequest = Static<typeof CreateGroupRequest>;
export const CreatedGroup = Type.Object({ id: Uuid, keyVersion: Type.Integer() });

export const GroupSummary = Type.Object({ id: Uuid, name: Type.String(), kind: GroupKind, keyVersion: Type.Integer(), members: Type.Array(Uuid) });
export type GroupSummary = Static<typeof GroupSummary>;
/** The groups a caller is in (all of them for those who manage groups). */
export const GroupList = Type.Object({ groups: Type.Array(GroupSummary) });

/**
 * A group as a member (or someone who manages groups) reads it: the current keyset and its
 * certificate, the caller's own wrap when they are a member, every member's wrap for managers
 * (checked with `currentGroupMembers` before a re-key), and the vaults shared with the group
 * (each must be re-wrapped at a re-key).
 */
export const Group = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: GroupKind,
  keyVersion: Type.Integer(),
  keyset: SealedKeyset,
  certificate: GroupCertificate,
  members: Type.Array(Uuid),
  keyWrap: Type.Optional(KeyWrap),
  memberWraps: Type.Optional(Type.Array(GroupMemberWrap)),
  sharedVaultIds: Type.Array(VaultIdSchema),
});
export type Group = Static<typeof Group>;

/** `keyVersion` is the version the wrap is of: a re-key meanwhile makes it a `conflict`. */
export const AddGroupMemberRequest = strictObject({ userId: UserIdSchema, keyVersion: Type.Integer({ minimum: 1 }), wrap: VersionedKeyWrapInput });
export type AddGroupMemberRequest = Static<typeof AddGroupMemberRequest>;
export const AddedGroupMember = Type.Object({ added: Type.Literal(true) });

/**
 * Removing members = re-keying to `fromKeyVersion + 1`: the new version wrapped to exactly the
 * members who remain, and every vault shared with the group re-wrapped (format 1, signed by the
 * caller) to the new group keyset.
 */
export const RekeyGroupRequest = strictObject({
  fromKeyVersion: Type.Integer({ minimum: 1 }),
  keyset: SealedKeysetInput,
  certificate: GroupCertificateInput,
  removeUserIds: Type.Array(UserIdSchema, { maxItems: MAX_MEMBERS }),
  members: Type.Array(GroupMemberWrapInput, { maxItems: MAX_MEMBERS }),
  vaultShares: Type.Array(strictObject({ vaultId: VaultIdSchema, wrap: KeyWrapInput }), { maxItems: MAX_SHARES }),
});
export type RekeyGroupRequest = Static<typeof RekeyGroupRequest>;
export const RekeyedGroup = Type.Object({ keyVersion: Type.Integer() });
export const DeletedGroup = Type.Object({ deleted: Type.Literal(true) });
