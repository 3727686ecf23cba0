/**
 * What every import format reads into: a plan of vaults with items and a list of what was
 * skipped and why (import-file.ts and the per-format readers). Entries become items through one
 * builder, so every format names, classifies and validates items alike.
 */
import { LatchkeyError } from './errors.ts';
import { validateItemFields, type ItemFields, type ItemKind } from './item.ts';

export const IMPORT_FORMATS = ['latchkey', 'latchkey-json', 'bitwarden-json', 'csv', '1password-1pux', '1password-csv', 'keepass-xml'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface PlannedVault {
  /** The vault's name; undefined for entries without one (they go to the Personal vault, or `--vault`). */
  readonly name: string | undefined;
  readonly items: readonly ItemFields[];
}

export interface SkippedEntry {
  /** Where in the file: "row 12", "item 3". */
  readonly entry: string;
  readonly title?: string;
  readonly reason: string;
}

export interface ImportPlan {
  readonly format: ImportFormat;
  readonly vaults: readonly PlannedVault[];
  readonly skipped: readonly SkippedEntry[];
}

export const invalidFile = (why: string) => new LatchkeyError('invalid_file', `This file cannot be imported: ${why}. Nothing was imported.`);

/** The title an entry without one gets: its site's host name, else its user name. */
function fallbackTitle(urls: readonly string[], username: string | undefined): string | undefined {
  for (const url of urls) {
    try {
      return new URL(url).hostname || url;
    } catch {
      return url;
    }
  }
  return username;
}

export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export interface Draft {
  kind: ItemKind;
  title: string | undefined;
  username: string | undefined;
  password: string | undefined;
  urls: string[];
  notes: string | undefined;
  totp: string | undefined;
  /** The file said the kind (Latchkey's own CSV): keep it rather than infer it. */
  explicitKind?: boolean;
}

/** A draft as item fields, or the reason it is skipped. */
function toItem(draft: Draft): ItemFields | string {
  const title = draft.title?.trim() ? draft.title : fallbackTitle(draft.urls, draft.username);
  if (title === undefined) {
    if (draft.password === undefined && draft.notes === undefined) return 'empty: no title, site, user name, password or notes';
    return 'no title, site or user name to name it by';
  }
  const bare = !draft.explicitKind && draft.kind === 'login' && draft.username === undefined && draft.urls.length === 0 && draft.totp === undefined;
  // A "login" with only a password is a password; with only notes, a note.
  const kind: ItemKind = bare && draft.password !== undefined ? 'password' : bare && draft.notes !== undefined ? 'note' : draft.kind;
  const fields: Record<string, unknown> = { kind, title };
  if (draft.username !== undefined) fields.username = draft.username;
  if (draft.password !== undefined) fields.password = draft.password;
  if (draft.urls.length > 0) fields.urls = draft.urls;
  if (draft.notes !== undefined) fields.notes = draft.notes;
  if (draft.totp !== undefined) fields.totp = draft.totp;
  try {
    return validateItemFields(fields);
  } catch (error) {
    return (error as Error).message;
  }
}

export class PlanBuilder {
  private readonly byVault = new Map<string | undefined, ItemFields[]>();
  readonly skipped: SkippedEntry[] = [];

  add(vault: string | undefined, entry: string, draft: Draft): void {
    const item = toItem(draft);
    if (typeof item === 'string') {
      this.skipped.push({ entry, ...(draft.title ? { title: draft.title } : {}), reason: item });
      return;
    }
    const name = vault?.trim() || undefined;
    const list = this.byVault.get(name) ?? [];
    list.push(item);
    this.byVault.set(name, list);
  }

  skip(entry: string, title: string | undefined, reason: string): void {
    this.skipped.push({ entry, ...(title ? { title } : {}), reason });
  }

  plan(format: ImportFormat): ImportPlan {
    return { format, vaults: [...this.byVault].map(([name, items]) => ({ name, items })), skipped: this.skipped };
  }
}
