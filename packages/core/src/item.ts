/**
 * Items (a login, a secure note, a password, a credit card or an identity; item-fields.ts says
 * what each holds), encrypted whole with the vault key. The
 * associated data binds the ciphertext to its item id, vault id and version, so a server
 * cannot swap two items, move one to another vault or present an old version as the current
 * one under a new number without decryption failing. An item in the Trash is sealed under its
 * own purpose (`trashed-item`), so the server cannot present a trashed item as a live one, or a
 * live one as trashed, without decryption failing either (docs/protocol.md §8.4).
 */
import { associatedData } from './associated-data.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import { validateItemFields, type ItemFields } from './item-fields.ts';
import { boxAssociatedData, openBox, openBoxes, sealBox, type BoxKey } from './sealed-box.ts';

export * from './item-fields.ts';

/**
 * The payload format this client writes (`format` in the JSON). Format 1 is the payload before
 * the field was added (login, note, password; no `format`); format 2 adds card and identity
 * items, custom fields, favourites, tags and password history. Older payloads open as they are
 * and are written as the current format on their next change.
 */
export const ITEM_FORMAT = 2;

export interface ItemRef {
  readonly vaultId: string;
  readonly itemId: string;
  readonly version: number;
}

const itemBinding = (ref: ItemRef) => ({ vault: ref.vaultId, item: ref.itemId, version: ref.version });
const itemPurpose = (state: 'live' | 'trashed') => (state === 'live' ? 'item' : 'trashed-item');
const itemAd = (ref: ItemRef, state: 'live' | 'trashed' = 'live') => associatedData(itemPurpose(state), itemBinding(ref));

/** The JSON that is sealed: the checked fields under the current format number. */
function payload(fields: ItemFields): Uint8Array {
  if (fields.newerFormat !== undefined) {
    throw new LatchkeyError('invalid_request', 'This item was saved by a newer version of Latchkey; update this app before changing it.');
  }
  return utf8(JSON.stringify({ format: ITEM_FORMAT, ...validateItemFields(fields) }));
}

export async function encryptItem(vaultKey: BoxKey, ref: ItemRef, fields: ItemFields): Promise<string> {
  return sealBox(vaultKey, payload(fields), itemAd(ref));
}

/** The item as it sits in the Trash at `ref.version` (the version its deletion made). */
export async function encryptTrashedItem(vaultKey: BoxKey, ref: ItemRef, fields: ItemFields): Promise<string> {
  return sealBox(vaultKey, payload(fields), itemAd(ref, 'trashed'));
}

/** Throws `decryption_failed` for a wrong key, a moved/swapped/renumbered item, or malformed content. */
export async function decryptItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string): Promise<ItemFields> {
  return openItem(vaultKey, ref, ciphertext, 'live');
}

/** Throws `decryption_failed` as `decryptItem` does, and for a live item passed off as trashed. */
export async function decryptTrashedItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string): Promise<ItemFields> {
  return openItem(vaultKey, ref, ciphertext, 'trashed');
}

/** One item as a listing returns it: where it belongs (what the client asked for) and its box. */
export interface SealedItem {
  readonly ref: ItemRef;
  readonly ciphertext: string;
}

/**
 * `decryptItem` for many items under one vault key, in input order: what a sync runs, in one
 * pass with no promise per item on the native back end. Each ciphertext is still opened against
 * its own item id, vault id and version. Throws `decryption_failed` if any item does not open.
 */
export async function decryptItems(vaultKey: BoxKey, items: readonly SealedItem[]): Promise<ItemFields[]> {
  return openItems(vaultKey, items, 'live');
}

/** `decryptTrashedItem` for many items under one vault key, as `decryptItems`. */
export async function decryptTrashedItems(vaultKey: BoxKey, items: readonly SealedItem[]): Promise<ItemFields[]> {
  return openItems(vaultKey, items, 'trashed');
}

async function openItem(vaultKey: BoxKey, ref: ItemRef, ciphertext: string, state: 'live' | 'trashed'): Promise<ItemFields> {
  return parseItem(await openBox(vaultKey, ciphertext, itemAd(ref, state)));
}

async function openItems(vaultKey: BoxKey, items: readonly SealedItem[], state: 'live' | 'trashed'): Promise<ItemFields[]> {
  const plaintexts = await openBoxes(
    vaultKey,
    items.map((i) => ({ box: i.ciphertext, ad: boxAssociatedData(itemPurpose(state), itemBinding(i.ref)) })),
  );
  return plaintexts.map(parseItem);
}

function parseItem(plaintext: Uint8Array): ItemFields {
  try {
    return readPayload(JSON.parse(fromUtf8(plaintext)));
  } catch (cause) {
    throw new LatchkeyError('decryption_failed', 'The item content is malformed.', { cause });
  }
}

/** Any format opens: absent is format 1, a newer one keeps the fields this client knows and says so. */
function readPayload(value: unknown): ItemFields {
  const stated = typeof value === 'object' && value !== null ? (value as { format?: unknown }).format : undefined;
  const format = stated === undefined ? 1 : stated;
  if (!Number.isSafeInteger(format) || (format as number) < 1) throw new LatchkeyError('invalid_request', 'The item format must be a positive whole number.');
  const fields = validateItemFields(value);
  return (format as number) > ITEM_FORMAT ? { ...fields, newerFormat: format as number } : fields;
}
