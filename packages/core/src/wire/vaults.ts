import { Type, type Static } from '@sinclair/typebox';
import type { VaultId } from '../ids.ts';
import { Base64Url, ItemIdSchema, Timestamp, VaultIdSchema, strictObject } from './common.ts';
import { KeyWrap, KeyWrapInput } from './key-wrap.ts';

const MAX_ITEM_CIPHERTEXT = 256 * 1024;

export const VaultSummary = Type.Object({
  id: VaultIdSchema,
  kind: Type.Union([Type.Literal('personal'), Type.Literal('shared')]),
  role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
  encryptedAttrs: Type.String(),
  /** The vault key, wrapped to the caller's keyset and signed by the keyset that wrapped it. */
  keyWrap: KeyWrap,
});
export type VaultSummary = Static<typeof VaultSummary>;
export const VaultList = Type.Object({ vaults: Type.Array(VaultSummary) });
export type VaultList = Static<typeof VaultList>;

export const CreateVaultRequest = strictObject({ id: VaultIdSchema, encryptedAttrs: Base64Url(), keyWrap: KeyWrapInput });
export type CreateVaultRequest = Static<typeof CreateVaultRequest>;
/** A plain string schema (as before), typed as the vault id it is. */
export const CreatedVault = Type.Object({ id: Type.Unsafe<VaultId>(Type.String()) });

export const VaultParams = strictObject({ vaultId: VaultIdSchema });
export const ItemParams = strictObject({ vaultId: VaultIdSchema, itemId: ItemIdSchema });
export const ItemIdParams = strictObject({ itemId: ItemIdSchema });

export const EncryptedItem = Type.Object({
  id: ItemIdSchema,
  vaultId: VaultIdSchema,
  version: Type.Integer(),
  ciphertext: Type.String(),
  updatedAt: Timestamp,
});
export type EncryptedItem = Static<typeof EncryptedItem>;
export const ItemList = Type.Object({ items: Type.Array(EncryptedItem) });
export type ItemList = Static<typeof ItemList>;

export const CreateItemRequest = strictObject({ id: ItemIdSchema, ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT) });
export type CreateItemRequest = Static<typeof CreateItemRequest>;
/** The ciphertext is bound to `expectedVersion + 1`; a stale `expectedVersion` is a conflict. */
export const UpdateItemRequest = strictObject({ expectedVersion: Type.Integer({ minimum: 1 }), ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT) });
export type UpdateItemRequest = Static<typeof UpdateItemRequest>;
export const DeleteItemRequest = strictObject({ expectedVersion: Type.Integer({ minimum: 1 }) });
export type DeleteItemRequest = Static<typeof DeleteItemRequest>;
export const ItemVersion = Type.Object({ id: ItemIdSchema, version: Type.Integer() });
export type ItemVersion = Static<typeof ItemVersion>;
export const DeleteItemResponse = Type.Object({ deleted: Type.Boolean() });
