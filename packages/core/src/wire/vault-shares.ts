/**
 * Wire schemas of sharing vaults inside an organization (docs/protocol.md §22.6): with a
 * confirmed member or a group, with a role, as the vault key wrapped (format 1, signed by the
 * sharer) to the recipient's certified keyset or the group's current keyset.
 */
import { Type, type Static } from '@sinclair/typebox';
import { UserIdSchema, Uuid, VaultIdSchema, strictObject } from './common.ts';
import { KeyWrap, KeyWrapInput } from './key-wrap.ts';

export const VaultShareRole = Type.Union([Type.Literal('view'), Type.Literal('edit'), Type.Literal('manage')]);
export type VaultShareRole = Static<typeof VaultShareRole>;

export const VaultShareParams = strictObject({ vaultId: VaultIdSchema, shareId: Uuid });

export const ShareRecipient = Type.Union([strictObject({ userId: UserIdSchema }), strictObject({ groupId: Uuid })]);
export const ShareVaultRequest = strictObject({
  /** The new share's id, chosen by the client. */
  id: Uuid,
  organizationId: Uuid,
  recipient: ShareRecipient,
  role: VaultShareRole,
  wrap: KeyWrapInput,
});
export type ShareVaultRequest = Static<typeof ShareVaultRequest>;
export const CreatedVaultShare = Type.Object({ shareId: Uuid });

export const ChangeShareRoleRequest = strictObject({ role: VaultShareRole });
export type ChangeShareRoleRequest = Static<typeof ChangeShareRoleRequest>;
export const ChangedShareRole = Type.Object({ role: VaultShareRole });
/** Always true: the person (or the group's members) saw the items and may have kept them. */
export const UnsharedVault = Type.Object({ rotateSecrets: Type.Literal(true) });

export const VaultShare = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  userId: Type.Union([Uuid, Type.Null()]),
  groupId: Type.Union([Uuid, Type.Null()]),
  role: VaultShareRole,
});
export type VaultShare = Static<typeof VaultShare>;
export const VaultShareList = Type.Object({ shares: Type.Array(VaultShare) });

/**
 * A vault shared with the caller, one entry per way they reach it (directly, or through a group:
 * then the wrap is to that group's keyset of `groupKeyVersion`, opened with the group keyset).
 */
export const SharedVault = Type.Object({
  vaultId: VaultIdSchema,
  shareId: Uuid,
  organizationId: Uuid,
  role: VaultShareRole,
  encryptedAttrs: Type.String(),
  groupId: Type.Union([Uuid, Type.Null()]),
  groupKeyVersion: Type.Union([Type.Integer(), Type.Null()]),
  /** Signed by the sharer's keyset: the client checks the sharer's member certificate first. */
  sharedBy: Uuid,
  wrap: KeyWrap,
});
export type SharedVault = Static<typeof SharedVault>;
export const SharedVaultList = Type.Object({ vaults: Type.Array(SharedVault) });
