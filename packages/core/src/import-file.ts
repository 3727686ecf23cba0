/**
 * Reading other password managers' exports into Latchkey items, on the device (the server only
 * ever sees the encrypted items). Pure: the text in, a plan out (vaults with items, and what was
 * skipped and why); the client uploads the plan. A file that does not parse as its format is
 * `invalid_file` and yields no plan at all, so nothing is imported from it.
 *
 * Formats: Bitwarden JSON (unencrypted export), CSV (Chrome, Firefox, Bitwarden, Latchkey's own
 * columns: recognised by header names), and Latchkey's JSON content (`export --format json`, or
 * an encrypted export once opened, export-file.ts).
 */
import { parseCsv } from './csv.ts';
import { LatchkeyError } from './errors.ts';
import { parseExportContent } from './export-file.ts';
import { validateItemFields, type ItemFields, type ItemKind } from './item.ts';

export const IMPORT_FORMATS = ['latchkey', 'latchkey-json', 'bitwarden-json', 'csv'] as const;
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

const invalidFile = (why: string) => new LatchkeyError('invalid_file', `This file cannot be imported: ${why}. Nothing was imported.`);

/** Which format a file is, from its content. Encrypted Latchkey exports are `latchkey` (open them with export-file.ts first). */
export function detectImportFormat(text: string): ImportFormat {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw invalidFile('it looks like JSON but does not parse (cut short?)');
    }
    const p = parsed as Record<string, unknown>;
    if (p.format === 'latchkey-export') return 'latchkey';
    if (p.format === 'latchkey-export-content') return 'latchkey-json';
    if (Array.isArray(p.items)) {
      if (p.encrypted === true) throw invalidFile('this is an encrypted Bitwarden export; export it again unencrypted ("JSON", not "JSON (Encrypted)")');
      return 'bitwarden-json';
    }
    throw invalidFile('it is JSON of no format Latchkey knows');
  }
  return 'csv';
}

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

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

interface Draft {
  kind: ItemKind;
  title: string | undefined;
  username: string | undefined;
  password: string | undefined;
  urls: string[];
  notes: string | undefined;
  totp: string | undefined;
}

/** A draft as item fields, or the reason it is skipped. */
function toItem(draft: Draft): ItemFields | string {
  const title = draft.title?.trim() ? draft.title : fallbackTitle(draft.urls, draft.username);
  if (title === undefined) {
    if (draft.password === undefined && draft.notes === undefined) return 'empty: no title, site, user name, password or notes';
    return 'no title, site or user name to name it by';
  }
  const kind: ItemKind =
    draft.kind === 'login' && draft.username === undefined && draft.urls.length === 0 && draft.totp === undefined && draft.password !== undefined
      ? 'password'
      : draft.kind;
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

class PlanBuilder {
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

// Bitwarden item types (Bitwarden's export format): 1 login, 2 secure note, 3 card, 4 identity, 5 SSH key.
const BITWARDEN_UNSUPPORTED: Record<number, string> = { 3: 'a payment card', 4: 'an identity', 5: 'an SSH key' };

function parseBitwarden(value: Record<string, unknown>): ImportPlan {
  if (!Array.isArray(value.items)) throw invalidFile('the Bitwarden export has no item list');
  const folders = new Map<string, string>();
  for (const f of Array.isArray(value.folders) ? value.folders : []) {
    const folder = f as { id?: unknown; name?: unknown };
    if (typeof folder.id === 'string' && typeof folder.name === 'string') folders.set(folder.id, folder.name);
  }
  const builder = new PlanBuilder();
  for (const [index, raw] of value.items.entries()) {
    const entry = `item ${index + 1}`;
    if (typeof raw !== 'object' || raw === null) throw invalidFile(`${entry} is not an object`);
    const item = raw as Record<string, unknown>;
    const title = text(item.name);
    const type = item.type;
    if (typeof type !== 'number') throw invalidFile(`${entry} has no type`);
    if (BITWARDEN_UNSUPPORTED[type] !== undefined) {
      builder.skip(entry, title, `${BITWARDEN_UNSUPPORTED[type]}: Latchkey has no such item kind yet`);
      continue;
    }
    if (type !== 1 && type !== 2) {
      builder.skip(entry, title, `an item of unknown type ${type}`);
      continue;
    }
    const login = (item.login ?? {}) as Record<string, unknown>;
    const uris = Array.isArray(login.uris) ? login.uris.map((u) => text((u as { uri?: unknown }).uri)).filter((u): u is string => u !== undefined) : [];
    const customFields = Array.isArray(item.fields)
      ? item.fields
          .map((f) => f as { name?: unknown; value?: unknown })
          .filter((f) => typeof f.name === 'string' || typeof f.value === 'string')
          .map((f) => `${String(f.name ?? '')}: ${String(f.value ?? '')}`)
      : [];
    const notes = [text(item.notes), ...customFields].filter((n): n is string => n !== undefined).join('\n') || undefined;
    const folderId = text(item.folderId);
    builder.add(folderId !== undefined ? folders.get(folderId) : undefined, entry, {
      kind: type === 2 ? 'note' : 'login',
      title,
      username: text(login.username),
      password: text(login.password),
      urls: uris,
      notes,
      totp: text(login.totp),
    });
  }
  return builder.plan('bitwarden-json');
}

/** Header names (lower-case) per field, across Chrome, Firefox, Bitwarden CSV and Latchkey's own columns. */
const CSV_HEADERS = {
  vault: ['vault', 'folder', 'group', 'collections'],
  kind: ['kind', 'type'],
  title: ['title', 'name'],
  username: ['username', 'login_username', 'login', 'user', 'email'],
  password: ['password', 'login_password'],
  urls: ['urls', 'url', 'login_uri', 'website', 'origin'],
  notes: ['notes', 'note', 'extra', 'comments'],
  totp: ['totp', 'login_totp', 'otpauth'],
} as const;

function parseGenericCsv(input: string): ImportPlan {
  const rows = parseCsv(input);
  if (rows.length === 0) throw invalidFile('the CSV file is empty');
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const column = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const at = Object.fromEntries(Object.entries(CSV_HEADERS).map(([field, names]) => [field, column(names)])) as Record<keyof typeof CSV_HEADERS, number>;
  if (at.password < 0 && at.urls < 0 && at.title < 0) throw invalidFile('its first row names no password, url or name column (is it a password export?)');
  const builder = new PlanBuilder();
  rows.slice(1).forEach((row, index) => {
    const entry = `row ${index + 2}`;
    if (row.length !== header.length) throw invalidFile(`${entry} has ${row.length} fields where the header has ${header.length} (cut short or malformed)`);
    const get = (i: number) => (i >= 0 ? text(row[i]) : undefined);
    const kindText = get(at.kind)?.toLowerCase();
    const kind: ItemKind =
      kindText === 'note' || kindText === 'securenote' || kindText === 'password' ? (kindText === 'password' ? 'password' : 'note') : 'login';
    const urls = (get(at.urls) ?? '')
      .split(/\r?\n/)
      .map((u) => u.trim())
      .filter((u) => u !== '');
    builder.add(get(at.vault), entry, {
      kind,
      title: get(at.title),
      username: get(at.username),
      password: get(at.password),
      urls,
      notes: get(at.notes),
      totp: get(at.totp),
    });
  });
  return builder.plan('csv');
}

/**
 * The plan for a file of `format` (detected when not given). `latchkey` (encrypted) is not read
 * here: open it with `openExport` and pass the content to `planFromExportContent`.
 * @throws `invalid_file` for a malformed or truncated file (then nothing at all is imported).
 */
export function planImport(input: string, format: ImportFormat = detectImportFormat(input)): ImportPlan {
  const body = input.replace(/^\uFEFF/, '');
  if (format === 'csv') return parseGenericCsv(body);
  if (format === 'latchkey') throw invalidFile('an encrypted Latchkey export must be opened with its password first');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalidFile('it is not valid JSON (cut short?)');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidFile('it is not a JSON object');
  if (format === 'bitwarden-json') return parseBitwarden(parsed as Record<string, unknown>);
  return planFromExportContent(parsed, 'latchkey-json');
}

/** The plan for Latchkey export content (plain, or opened from an encrypted export): lossless, vault by vault. */
export function planFromExportContent(content: unknown, format: ImportFormat = 'latchkey'): ImportPlan {
  const parsed = parseExportContent(content);
  return { format, vaults: parsed.vaults.map((v) => ({ name: v.name, items: v.items })), skipped: [] };
}

/** A key equal for two items with the same content: what re-importing a file compares, so it adds nothing twice. */
export function itemContentKey(fields: ItemFields): string {
  return JSON.stringify([
    fields.kind,
    fields.title,
    fields.username ?? null,
    fields.password ?? null,
    fields.urls ?? [],
    fields.notes ?? null,
    fields.totp ?? null,
  ]);
}
