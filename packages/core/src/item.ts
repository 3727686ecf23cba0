/**
 * Items: a login, a secure note or a password, encrypted whole with the vault key. The
 * associated data binds the ciphertext to its item id, vault id and version, so a server
 * cannot swap two items, move one to another vault or present an old version as the current
 * one under a new number without decryption failing. An item in the Trash is sealed under its
 * own purpose (`trashed-item`), so the server cannot present a trashed item as a live one, or a
 * live one as trashed, without decryption failing either (docs/protocol.md §8.4).
 */
import { associatedData } from './associated-data.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import { openBox, sealBox, type BoxKey } from './sealed-box.ts';

export const ITEM_KINDS = ['login', 'note', 'password'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface ItemFields {
  readonly kind: ItemKind;
  readonly title: string;
  readonly username?: string;
  readonly password?: string;
  readonly urls?: readonly string[];
  readonly notes?: string;
  /** An otpauth:// URI or base32 TOTP secret for the site this login is for. */
  readonly totp?: string;
}

export interface ItemRef {
  readonly vaultId: string;
  readonly itemId: string;
  readonly version: number;
}

const itemAd = (ref: ItemRef, state: 'live' | 'trashed' = 'live') =>
  associatedData(state === 'live' ? 'item' : 'trashed-item', { vault: ref.vaultId, item: ref.itemId, version: ref.version });

export async function encryptItem(vaultKey: BoxKey, ref: ItemRef, fields: ItemFields): Promise<string> {
  return sealBox(vaultKey, utf8(JSON.stringify(validateItemFields(fields))), itemAd(ref));
}

/** The item as it sits in the Trash at `ref.version` (the version its deletion made). */
export async function encryptTrashedItem(vaultKey: BoxKey, ref: ItemRef, fields: ItemFields): Promise<string> {
  return sealBox(vaultKey, utf8(JSON.stringify(validateItemFields(fields))), itemAd(ref, 'trashed'));
}

/** Throws `decryption_failed` for a wrong key, a moved/swapped/renumbered item, or malformed content. */
export async function decryptItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string): Promise<ItemFields> {
  return openItem(vaultKey, ref, ciphertext, 'live');
}

/** Throws `decryption_failed` as `decryptItem` does, and for a live item passed off as trashed. */
export async function decryptTrashedItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string): Promise<ItemFields> {
  return openItem(vaultKey, ref, ciphertext, 'trashed');
}

async function openItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string, state: 'live' | 'trashed'): Promise<ItemFields> {
  const plaintext = await openBox(vaultKey, ciphertext, itemAd(ref, state));
  try {
    return validateItemFields(JSON.parse(fromUtf8(plaintext)));
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The item content is malformed.', { cause });
  }
}

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new LatchkeyError('invalid_request', `Item field "${name}" must be text.`);
  return value;
};

/** Checks shape and keeps only known fields, so nothing unexpected is encrypted or shown. */
export function validateItemFields(value: unknown): ItemFields {
  if (typeof value !== 'object' || value === null) throw new LatchkeyError('invalid_request', 'An item must be an object.');
  const v = value as Record<string, unknown>;
  if (!ITEM_KINDS.includes(v.kind as ItemKind)) throw new LatchkeyError('invalid_request', `Item kind must be one of ${ITEM_KINDS.join(', ')}.`);
  const title = optionalString(v.title, 'title');
  if (title === undefined || title.trim() === '') throw new LatchkeyError('invalid_request', 'An item needs a title.');
  if (v.urls !== undefined && (!Array.isArray(v.urls) || v.urls.some((u) => typeof u !== 'string'))) {
    throw new LatchkeyError('invalid_request', 'Item field "urls" must be a list of text.');
  }
  const fields: { -readonly [K in keyof ItemFields]: ItemFields[K] } = { kind: v.kind as ItemKind, title };
  const username = optionalString(v.username, 'username');
  const password = optionalString(v.password, 'password');
  const notes = optionalString(v.notes, 'notes');
  const totp = optionalString(v.totp, 'totp');
  if (username !== undefined) fields.username = username;
  if (password !== undefined) fields.password = password;
  if (v.urls !== undefined) fields.urls = [...(v.urls as string[])];
  if (notes !== undefined) fields.notes = notes;
  if (totp !== undefined) fields.totp = totp;
  return fields;
}
