/**
 * Reading other password managers' exports into Latchkey items, on the device (the server only
 * ever sees the encrypted items). Pure: the text in, a plan out (vaults with items, and what was
 * skipped and why); the client uploads the plan. A file that does not parse as its format is
 * `invalid_file` and yields no plan at all, so nothing is imported from it.
 *
 * Formats: Bitwarden JSON (unencrypted export), CSV (Chrome, Firefox, Bitwarden, 1Password,
 * Latchkey's own columns: recognised by header names), 1Password `.1pux` (import-1password.ts),
 * KeePass 2 XML (import-keepass.ts), and Latchkey's JSON content (`export --format json`, or an
 * encrypted export once opened, export-file.ts). `planImportFile` takes a file's bytes (a
 * `.1pux` is a ZIP archive); `planImport` takes text.
 */
import { parseCsv } from './csv.ts';
import { parseExportContent } from './export-file.ts';
import { parse1Pux } from './import-1password.ts';
import { parseKeePassXml } from './import-keepass.ts';
import { looksLikeZip } from './zip.ts';
import { ITEM_KINDS, type ItemFields, type ItemKind } from './item.ts';
import { PlanBuilder, invalidFile, text, type ImportFormat, type ImportPlan } from './import-plan.ts';

export { IMPORT_FORMATS, type ImportFormat, type ImportPlan, type PlannedVault, type SkippedEntry } from './import-plan.ts';

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
  if (trimmed.startsWith('<')) {
    if (/<KeePassFile[\s>]/.test(trimmed.slice(0, 4096))) return 'keepass-xml';
    throw invalidFile('it is XML, but not a KeePass 2 XML export');
  }
  // 1Password 8 writes Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes; 1Password 7 notesPlain.
  const header = trimmed.slice(0, trimmed.search(/\r?\n|$/)).toLowerCase();
  if ((header.includes('otpauth') && header.includes('archived')) || header.includes('notesplain')) return '1password-csv';
  return 'csv';
}

/** Which format a file is, from its bytes: a ZIP archive is a 1Password `.1pux`, anything else is read as UTF-8 text. */
export function detectImportFileFormat(bytes: Uint8Array): ImportFormat {
  return looksLikeZip(bytes) ? '1password-1pux' : detectImportFormat(decodeText(bytes));
}

const decodeText = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

/**
 * The plan for a file's bytes, in `format` (detected when not given); as `planImport` for the
 * text formats, and a `.1pux` ZIP archive besides.
 * @throws `invalid_file` for a malformed or truncated file (then nothing at all is imported).
 */
export async function planImportFile(bytes: Uint8Array, format: ImportFormat = detectImportFileFormat(bytes)): Promise<ImportPlan> {
  if (format === '1password-1pux') {
    if (!looksLikeZip(bytes)) throw invalidFile('a 1Password .1pux export is a ZIP archive, and this is not one');
    return parse1Pux(bytes);
  }
  return planImport(decodeText(bytes), format);
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
  notes: ['notes', 'note', 'extra', 'comments', 'notesplain'],
  totp: ['totp', 'login_totp', 'otpauth'],
  tags: ['tags'],
} as const;

function parseGenericCsv(input: string, format: ImportFormat): ImportPlan {
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
    const kindText = get(at.kind)?.toLowerCase().replace(/\s/g, '');
    // Latchkey's own CSV names its kinds; other managers' "secure note" is a note; anything else is a login.
    const kind: ItemKind = kindText === 'securenote' ? 'note' : ITEM_KINDS.includes(kindText as ItemKind) ? (kindText as ItemKind) : 'login';
    const tags = get(at.tags);
    const urls = (get(at.urls) ?? '')
      .split(/\r?\n/)
      .map((u) => u.trim())
      .filter((u) => u !== '');
    builder.add(get(at.vault), entry, {
      kind,
      explicitKind: kindText !== undefined,
      title: get(at.title),
      username: get(at.username),
      password: get(at.password),
      urls,
      notes: [get(at.notes), tags && `Tags: ${tags}`].filter((n) => n).join('\n') || undefined,
      totp: get(at.totp),
    });
  });
  return builder.plan(format);
}

/**
 * The plan for a file of `format` (detected when not given). `latchkey` (encrypted) is not read
 * here: open it with `openExport` and pass the content to `planFromExportContent`.
 * @throws `invalid_file` for a malformed or truncated file (then nothing at all is imported).
 */
export function planImport(input: string, format: ImportFormat = detectImportFormat(input)): ImportPlan {
  const body = input.replace(/^\uFEFF/, '');
  if (format === 'csv' || format === '1password-csv') return parseGenericCsv(body, format);
  if (format === 'keepass-xml') return parseKeePassXml(body);
  if (format === '1password-1pux') throw invalidFile('a 1Password .1pux export is a ZIP archive: read it with planImportFile');
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
