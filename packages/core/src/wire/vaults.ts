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
/** Moving to the Trash is a new version: the client re-seals the item as trashed under `expectedVersion + 1` (§8.4). */
export const TrashItemRequest = strictObject({ expectedVersion: Type.Integer({ minimum: 1 }), ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT) });
export type TrashItemRequest = Static<typeof TrashItemRequest>;
/** Restoring is a new version too: the client re-seals the item as live under `expectedVersion + 1`. */
export const RestoreItemRequest = strictObject({ expectedVersion: Type.Integer({ minimum: 1 }), ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT) });
export type RestoreItemRequest = Static<typeof RestoreItemRequest>;
export const PurgeItemRequest = strictObject({ expectedVersion: Type.Integer({ minimum: 1 }) });
export type PurgeItemRequest = Static<typeof PurgeItemRequest>;
/**
 * An import in one transaction (docs/protocol.md §26): new vaults (each as `CreateVaultRequest`)
 * and items for them or for vaults the caller may edit. Each item is a `CreateItemRequest` with
 * its vault; its ciphertext is bound, as a single create's, to its item id, its vault id and
 * version 1. All of it is written, or nothing.
 */
export const MAX_ITEMS_PER_BATCH = 5000;
export const MAX_VAULTS_PER_BATCH = 100;
/** 5,000 typical items (a few hundred bytes of ciphertext each) fit with room to spare; the SDK splits by this too. */
export const ITEM_BATCH_BODY_LIMIT = 8 * 1024 * 1024;
export const BatchItem = strictObject({ vaultId: VaultIdSchema, id: ItemIdSchema, ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT) });
export type BatchItem = Static<typeof BatchItem>;
export const CreateItemsRequest = strictObject({
  vaults: Type.Optional(Type.Array(CreateVaultRequest, { maxItems: MAX_VAULTS_PER_BATCH })),
  items: Type.Array(BatchItem, { minItems: 1, maxItems: MAX_ITEMS_PER_BATCH }),
});
export type CreateItemsRequest = Static<typeof CreateItemsRequest>;
export const ItemVersion = Type.Object({ id: ItemIdSchema, version: Type.Integer() });
export type ItemVersion = Static<typeof ItemVersion>;
export const CreatedItems = Type.Object({ items: Type.Array(ItemVersion) });
export type CreatedItems = Static<typeof CreatedItems>;
export const TrashedItemVersion = Type.Object({ id: ItemIdSchema, version: Type.Integer(), deletedAt: Timestamp });
export type TrashedItemVersion = Static<typeof TrashedItemVersion>;
/** An item in the Trash: its ciphertext sealed as trashed (§8.4), and when it was moved there. */
export const TrashedItem = Type.Object({
  id: ItemIdSchema,
  vaultId: VaultIdSchema,
  version: Type.Integer(),
  ciphertext: Type.String(),
  updatedAt: Timestamp,
  deletedAt: Timestamp,
});
export type TrashedItem = Static<typeof TrashedItem>;
export const TrashList = Type.Object({ items: Type.Array(TrashedItem) });
export type TrashList = Static<typeof TrashList>;
/** What a purge removed for good, at the versions removed, so the client can remember them as purged. */
export const PurgedItems = Type.Object({ items: Type.Array(ItemVersion) });
export type PurgedItems = Static<typeof PurgedItems>;

/** A new name: the client re-seals the vault's attributes under its key (AD `vault-attrs` {vault}, §8.1). */
export const RenameVaultRequest = strictObject({ encryptedAttrs: Base64Url() });
export type RenameVaultRequest = Static<typeof RenameVaultRequest>;
export const RenamedVault = Type.Object({ id: VaultIdSchema });
/**
 * Deleting a vault deletes its items and its Trash for good (§8.6). The counts are what the
 * person was told before they confirmed (items live and in the Trash, and the vault's shares); if
 * either changed meanwhile the server answers `conflict` and deletes nothing.
 */
export const DeleteVaultRequest = strictObject({
  expectedItemCount: Type.Integer({ minimum: 0 }),
  expectedShareCount: Type.Integer({ minimum: 0 }),
});
export type DeleteVaultRequest = Static<typeof DeleteVaultRequest>;
/**
 * Moving an item to another vault (§8.7) is a new version: the client re-seals the item under the
 * target vault's key, bound to the target vault, the item and `expectedVersion + 1`.
 */
export const MoveItemRequest = strictObject({
  fromVaultId: VaultIdSchema,
  toVaultId: VaultIdSchema,
  expectedVersion: Type.Integer({ minimum: 1 }),
  ciphertext: Base64Url(MAX_ITEM_CIPHERTEXT),
});
export type MoveItemRequest = Static<typeof MoveItemRequest>;
export const MovedItem = Type.Object({ id: ItemIdSchema, vaultId: VaultIdSchema, version: Type.Integer() });
export type MovedItem = Static<typeof MovedItem>;
