/**
 * The item editor's form state and the item fields it makes. Empty fields are left out;
 * switching the kind keeps what was filled in (nothing is dropped without the person clearing
 * it), and details that do not fit the kind are refused by core's check with its reason.
 */
import type { Item } from '@latchkey/client/client';
import type { CardDetails, CustomFieldKind, IdentityDetails, ItemFields, ItemKind } from '@latchkey/core/item';

export interface FieldDraft {
  /** Stable across edits of the list, for React keys and labels. */
  key: number;
  label: string;
  kind: CustomFieldKind;
  value: string;
}

export interface Draft {
  kind: ItemKind;
  title: string;
  username: string;
  password: string;
  url: string;
  notes: string;
  totp: string;
  card: Required<{ -readonly [K in keyof CardDetails]: string }>;
  identity: Required<{ -readonly [K in keyof IdentityDetails]: string }>;
  fields: FieldDraft[];
  /** Comma-separated, as typed. */
  tags: string;
  favourite: boolean;
}

let nextKey = 1;
export const newFieldDraft = (kind: CustomFieldKind = 'text'): FieldDraft => ({ key: nextKey++, label: '', kind, value: '' });

export function draftOf(item: Item | undefined): Draft {
  const card = item?.card ?? {};
  const identity = item?.identity ?? {};
  return {
    kind: item?.kind ?? 'login',
    title: item?.title ?? '',
    username: item?.username ?? '',
    password: item?.password ?? '',
    url: item?.urls?.[0] ?? '',
    notes: item?.notes ?? '',
    totp: item?.totp ?? '',
    card: {
      cardholder: card.cardholder ?? '',
      number: card.number ?? '',
      expiry: card.expiry ?? '',
      securityCode: card.securityCode ?? '',
      pin: card.pin ?? '',
      brand: card.brand ?? '',
    },
    identity: {
      fullName: identity.fullName ?? '',
      email: identity.email ?? '',
      phone: identity.phone ?? '',
      address: identity.address ?? '',
      company: identity.company ?? '',
      birthDate: identity.birthDate ?? '',
    },
    fields: (item?.fields ?? []).map((f) => ({ key: nextKey++, label: f.label, kind: f.kind, value: f.value })),
    tags: (item?.tags ?? []).join(', '),
    favourite: item?.favourite === true,
  };
}

const filled = (details: Record<string, string>) => Object.values(details).some((v) => v.trim() !== '');
const trimmedDetails = (details: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(details)
      .filter(([, v]) => v.trim() !== '')
      .map(([k, v]) => [k, v.trim()]),
  );

export const hasLoginFields = (d: Draft) => d.username !== '' || d.password !== '' || d.url !== '' || d.totp !== '';
export const hasCardDetails = (d: Draft) => filled(d.card);
export const hasIdentityDetails = (d: Draft) => filled(d.identity);

/** The fields to save; extra URLs beyond the first (edited here) and the password history are kept by the SDK's merge. */
export function fieldsOf(draft: Draft, item: Item | undefined): ItemFields {
  const urls = [draft.url.trim(), ...(item?.urls?.slice(1) ?? [])].filter((u) => u !== '');
  const fields = draft.fields.filter((f) => f.label.trim() !== '' || f.value !== '').map((f) => ({ label: f.label.trim(), kind: f.kind, value: f.value }));
  const tags = draft.tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return {
    kind: draft.kind,
    title: draft.title.trim(),
    ...(draft.username !== '' ? { username: draft.username } : {}),
    ...(draft.password !== '' ? { password: draft.password } : {}),
    ...(urls.length > 0 ? { urls } : {}),
    ...(draft.notes !== '' ? { notes: draft.notes } : {}),
    ...(draft.totp.trim() !== '' ? { totp: draft.totp.trim() } : {}),
    ...(hasCardDetails(draft) ? { card: trimmedDetails(draft.card) as CardDetails } : {}),
    ...(hasIdentityDetails(draft) ? { identity: trimmedDetails(draft.identity) as IdentityDetails } : {}),
    ...(fields.length > 0 ? { fields } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(draft.favourite ? { favourite: true } : {}),
  };
}

/** Every field the editor owns, set to undefined, so an edit removes what the person cleared. */
export const CLEARED: Partial<ItemFields> = {
  username: undefined,
  password: undefined,
  urls: undefined,
  notes: undefined,
  totp: undefined,
  card: undefined,
  identity: undefined,
  fields: undefined,
  tags: undefined,
  favourite: undefined,
};
