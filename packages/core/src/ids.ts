/**
 * The kinds of id the protocol names (docs/protocol.md §20). On the wire every one is a lowercase
 * UUID; in the code each is its own type, so a vault id cannot be passed where an item id is meant.
 * Ids are minted in three places only: `new…Id()` for a fresh one, the storage layer's row mapping
 * for one read back from the database, and `parse…Id()` for one a person typed.
 */
import { LatchkeyError } from './errors.ts';

declare const brand: unique symbol;
type Branded<Kind extends string> = string & { readonly [brand]: Kind };

export type UserId = Branded<'UserId'>;
export type VaultId = Branded<'VaultId'>;
export type ItemId = Branded<'ItemId'>;
export type SessionId = Branded<'SessionId'>;

/** The same pattern as the wire's `Uuid` schema (wire/common.ts). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

/** Exactly what the server's schema accepts, so a typed id is refused here with the code the server would answer. */
function parseUuid(kind: string, text: string): string {
  if (!isUuid(text)) throw new LatchkeyError('invalid_request', `Not a ${kind} id: expected a lowercase UUID.`);
  return text;
}

export const parseUserId = (text: string): UserId => parseUuid('user', text) as UserId;
export const parseVaultId = (text: string): VaultId => parseUuid('vault', text) as VaultId;
export const parseItemId = (text: string): ItemId => parseUuid('item', text) as ItemId;
export const parseSessionId = (text: string): SessionId => parseUuid('session', text) as SessionId;

export const newUserId = (): UserId => crypto.randomUUID() as UserId;
export const newVaultId = (): VaultId => crypto.randomUUID() as VaultId;
export const newItemId = (): ItemId => crypto.randomUUID() as ItemId;
export const newSessionId = (): SessionId => crypto.randomUUID() as SessionId;
