/**
 * Secret references: `lk://<vault>/<item>/<field>`, naming one field of one item by the vault's
 * and item's name or id, as `op://` does for 1Password. Each part is percent-decoded, so a name
 * with `/` is written `%2F` (and `%` as `%25`). Templates carry them as `{{ lk://… }}`. Pure:
 * resolving a reference against the vaults is the client's job.
 */
import { LatchkeyError } from './errors.ts';

export const SECRET_REFERENCE_FIELDS = ['username', 'password', 'notes', 'url', 'totp', 'title'] as const;
export type SecretReferenceField = (typeof SECRET_REFERENCE_FIELDS)[number];

export const SECRET_REFERENCE_SCHEME = 'lk://';

export interface SecretReference {
  /** The reference as written. */
  readonly text: string;
  /** Vault name or id. */
  readonly vault: string;
  /** Item title or id. */
  readonly item: string;
  readonly field: SecretReferenceField;
}

const invalid = (text: string, why: string) =>
  new LatchkeyError('invalid_reference', `"${text}" is not a secret reference: ${why}. Write lk://<vault>/<item>/<field>.`);

function decodePart(text: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(text, 'a % is not followed by two hex digits (write %25 for a %)');
  }
}

/** @throws `invalid_reference` when `text` is not `lk://vault/item/field` with a known field. */
export function parseSecretReference(text: string): SecretReference {
  if (!text.startsWith(SECRET_REFERENCE_SCHEME)) throw invalid(text, `it does not start with ${SECRET_REFERENCE_SCHEME}`);
  const parts = text.slice(SECRET_REFERENCE_SCHEME.length).split('/');
  if (parts.length !== 3) throw invalid(text, `it has ${parts.length} part${parts.length === 1 ? '' : 's'} instead of 3 (a / inside a name is written %2F)`);
  const [vault, item, field] = parts.map((p) => decodePart(text, p)) as [string, string, string];
  if (vault.trim() === '' || item.trim() === '') throw invalid(text, 'the vault or the item is empty');
  const normalized = field.toLowerCase();
  if (!(SECRET_REFERENCE_FIELDS as readonly string[]).includes(normalized)) {
    throw invalid(text, `"${field}" is not a field (one of ${SECRET_REFERENCE_FIELDS.join(', ')})`);
  }
  return { text, vault, item, field: normalized as SecretReferenceField };
}

/** True when the whole of `value` (surrounding spaces aside) is meant as a reference: `latchkey run` resolves exactly those variables. */
export const looksLikeSecretReference = (value: string): boolean => value.trim().startsWith(SECRET_REFERENCE_SCHEME);

/** Writes a reference for these names, percent-encoding what would break it. */
export function formatSecretReference(vault: string, item: string, field: SecretReferenceField): string {
  return `${SECRET_REFERENCE_SCHEME}${[vault, item].map((p) => p.replace(/%/g, '%25').replace(/\//g, '%2F')).join('/')}/${field}`;
}

// `{{`, optional spaces, `lk://` up to the nearest `}}` on the same line, optional spaces, `}}`.
const TEMPLATE_PLACEHOLDER = /\{\{\s*(lk:\/\/[^\n]*?)\s*\}\}/g;

/** Every reference in a template (each `{{ lk://… }}`), in order, repeats included. @throws `invalid_reference` for the first that does not parse. */
export function templateReferences(template: string): SecretReference[] {
  return [...template.matchAll(TEMPLATE_PLACEHOLDER)].map((m) => parseSecretReference(m[1]!));
}

/** The template with each `{{ lk://… }}` replaced by its value in `values` (keyed by the reference text). @throws `invalid_reference` for one without a value. */
export function fillTemplate(template: string, values: ReadonlyMap<string, string>): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (_, text: string) => {
    const value = values.get(text);
    if (value === undefined) throw new LatchkeyError('invalid_reference', `No value for ${text}.`);
    return value;
  });
}
