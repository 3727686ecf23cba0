/**
 * What an item holds, and the check every item passes before it is encrypted and after it is
 * decrypted (docs/protocol.md §8.2). The check keeps only known fields, so nothing unexpected
 * is encrypted or shown, and it refuses a payload whose parts do not fit its kind (card details
 * on a login, a custom field without a label), so every client reads the same typed item.
 */
import { LatchkeyError } from './errors.ts';

export const ITEM_KINDS = ['login', 'note', 'password', 'card', 'identity'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const CUSTOM_FIELD_KINDS = ['text', 'hidden', 'url'] as const;
export type CustomFieldKind = (typeof CUSTOM_FIELD_KINDS)[number];

/** A field the person added: `hidden` is masked until shown, `url` is a web address. */
export interface CustomField {
  readonly label: string;
  readonly kind: CustomFieldKind;
  readonly value: string;
}

export interface CardDetails {
  readonly cardholder?: string;
  /** Digits, optionally grouped with spaces or hyphens as printed on the card. */
  readonly number?: string;
  /** MM/YY or MM/YYYY. */
  readonly expiry?: string;
  readonly securityCode?: string;
  readonly pin?: string;
  readonly brand?: string;
}

export interface IdentityDetails {
  readonly fullName?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly address?: string;
  readonly company?: string;
  /** YYYY-MM-DD. */
  readonly birthDate?: string;
}

/** A password the item had, and when it was replaced by the next one. Kept inside the encrypted payload. */
export interface PasswordHistoryEntry {
  readonly password: string;
  /** ISO 8601 time the password stopped being the item's password. */
  readonly replacedAt: string;
}

export interface ItemFields {
  readonly kind: ItemKind;
  readonly title: string;
  readonly username?: string;
  readonly password?: string;
  readonly urls?: readonly string[];
  readonly notes?: string;
  /** An otpauth:// URI or base32 TOTP secret for the site this login is for. */
  readonly totp?: string;
  /** Only on `card` items. */
  readonly card?: CardDetails;
  /** Only on `identity` items. */
  readonly identity?: IdentityDetails;
  readonly fields?: readonly CustomField[];
  /** Stored only when true. */
  readonly favourite?: boolean;
  /** Trimmed, without duplicates (compared case-insensitively), in the order given. */
  readonly tags?: readonly string[];
  /** Newest first. */
  readonly passwordHistory?: readonly PasswordHistoryEntry[];
  /**
   * Set by decryption only: the payload format the item was saved in, when it is newer than
   * this client knows (`ITEM_FORMAT`). Such an item is shown with the fields this client knows,
   * and cannot be sealed again here, so a newer client's fields are never silently dropped.
   */
  readonly newerFormat?: number;
}

export const MAX_CUSTOM_FIELDS = 100;
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 64;
/** Older passwords beyond this many are forgotten, oldest first. */
export const PASSWORD_HISTORY_LIMIT = 30;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const invalid = (message: string) => new LatchkeyError('invalid_request', message);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`Item field "${name}" must be text.`);
  return value;
};

/** Copies the listed text properties of `value` that are present; anything else is dropped. */
function textRecord<K extends string>(value: unknown, name: string, keys: readonly K[]): Partial<Record<K, string>> {
  if (!isRecord(value)) throw invalid(`Item field "${name}" must be an object.`);
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const text = optionalString(value[key], `${name}.${key}`);
    if (text !== undefined && text !== '') out[key] = text;
  }
  return out;
}

const CARD_KEYS = ['cardholder', 'number', 'expiry', 'securityCode', 'pin', 'brand'] as const;
const IDENTITY_KEYS = ['fullName', 'email', 'phone', 'address', 'company', 'birthDate'] as const;

function cardDetails(value: unknown): CardDetails {
  const card = textRecord(value, 'card', CARD_KEYS);
  if (card.number !== undefined && !/^\d[\d -]*$/.test(card.number.trim())) throw invalid('A card number has only digits, spaces and hyphens.');
  if (card.number !== undefined) {
    const digits = card.number.replace(/\D/g, '').length;
    if (digits < 8 || digits > 19) throw invalid('A card number has 8 to 19 digits.');
  }
  if (card.expiry !== undefined && !/^(0[1-9]|1[0-2])\/(\d{2}|\d{4})$/.test(card.expiry)) throw invalid('A card expiry is MM/YY or MM/YYYY.');
  if (card.securityCode !== undefined && !/^\d{3,4}$/.test(card.securityCode)) throw invalid('A card security code is 3 or 4 digits.');
  if (card.pin !== undefined && !/^\d{4,12}$/.test(card.pin)) throw invalid('A card PIN is 4 to 12 digits.');
  return card;
}

function identityDetails(value: unknown): IdentityDetails {
  const identity = textRecord(value, 'identity', IDENTITY_KEYS);
  if (identity.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(identity.email)) throw invalid('An identity email is name@domain.');
  if (identity.birthDate !== undefined && !isCalendarDate(identity.birthDate)) throw invalid('A birth date is YYYY-MM-DD.');
  return identity;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function customFields(value: unknown): CustomField[] {
  if (!Array.isArray(value)) throw invalid('Item field "fields" must be a list.');
  if (value.length > MAX_CUSTOM_FIELDS) throw invalid(`An item has at most ${MAX_CUSTOM_FIELDS} custom fields.`);
  return value.map((entry) => {
    if (!isRecord(entry)) throw invalid('A custom field must be an object.');
    const label = optionalString(entry.label, 'fields.label');
    if (label === undefined || label.trim() === '') throw invalid('A custom field needs a label.');
    if (!CUSTOM_FIELD_KINDS.includes(entry.kind as CustomFieldKind)) throw invalid(`A custom field's kind is one of ${CUSTOM_FIELD_KINDS.join(', ')}.`);
    const fieldValue = optionalString(entry.value, 'fields.value') ?? '';
    return { label, kind: entry.kind as CustomFieldKind, value: fieldValue };
  });
}

/** Trimmed, empty ones dropped, duplicates (by lower case) dropped keeping the first. */
export function normaliseTags(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw invalid('Item field "tags" must be a list of text.');
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of value as string[]) {
    const tag = raw.trim();
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    if (tag.length > MAX_TAG_LENGTH) throw invalid(`A tag has at most ${MAX_TAG_LENGTH} characters.`);
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  if (tags.length > MAX_TAGS) throw invalid(`An item has at most ${MAX_TAGS} tags.`);
  return tags;
}

function passwordHistory(value: unknown): PasswordHistoryEntry[] {
  if (!Array.isArray(value)) throw invalid('Item field "passwordHistory" must be a list.');
  const entries = value.map((entry) => {
    if (!isRecord(entry) || typeof entry.password !== 'string' || typeof entry.replacedAt !== 'string') {
      throw invalid('A password history entry has a password and the time it was replaced.');
    }
    if (Number.isNaN(Date.parse(entry.replacedAt))) throw invalid('A password history time must be an ISO 8601 date.');
    return { password: entry.password, replacedAt: entry.replacedAt };
  });
  return entries.slice(0, PASSWORD_HISTORY_LIMIT);
}

/** Checks shape and keeps only known fields, so nothing unexpected is encrypted or shown. */
export function validateItemFields(value: unknown): ItemFields {
  if (!isRecord(value)) throw invalid('An item must be an object.');
  const v = value;
  if (!ITEM_KINDS.includes(v.kind as ItemKind)) throw invalid(`Item kind must be one of ${ITEM_KINDS.join(', ')}.`);
  const kind = v.kind as ItemKind;
  const title = optionalString(v.title, 'title');
  if (title === undefined || title.trim() === '') throw invalid('An item needs a title.');
  if (v.urls !== undefined && (!Array.isArray(v.urls) || v.urls.some((u) => typeof u !== 'string'))) {
    throw invalid('Item field "urls" must be a list of text.');
  }
  const fields: Mutable<ItemFields> = { kind, title };
  const username = optionalString(v.username, 'username');
  const password = optionalString(v.password, 'password');
  const notes = optionalString(v.notes, 'notes');
  const totp = optionalString(v.totp, 'totp');
  if (username !== undefined) fields.username = username;
  if (password !== undefined) fields.password = password;
  if (v.urls !== undefined) fields.urls = [...(v.urls as string[])];
  if (notes !== undefined) fields.notes = notes;
  if (totp !== undefined) fields.totp = totp;
  if (v.card !== undefined) {
    if (kind !== 'card') throw invalid('Only a card item has card details.');
    fields.card = cardDetails(v.card);
  }
  if (v.identity !== undefined) {
    if (kind !== 'identity') throw invalid('Only an identity item has identity details.');
    fields.identity = identityDetails(v.identity);
  }
  if (v.fields !== undefined) {
    const custom = customFields(v.fields);
    if (custom.length > 0) fields.fields = custom;
  }
  if (v.favourite !== undefined && typeof v.favourite !== 'boolean') throw invalid('Item field "favourite" must be true or false.');
  if (v.favourite === true) fields.favourite = true;
  if (v.tags !== undefined) {
    const tags = normaliseTags(v.tags);
    if (tags.length > 0) fields.tags = tags;
  }
  if (v.passwordHistory !== undefined) {
    const history = passwordHistory(v.passwordHistory);
    if (history.length > 0) fields.passwordHistory = history;
  }
  return fields;
}
