/**
 * 1Password's `.1pux` export (1Password 8, "1PUX format"): a ZIP archive whose `export.data` is
 * JSON `{ accounts: [{ attrs, vaults: [{ attrs: { name, type }, items: [...] }] }] }`. Each item
 * has a `categoryUuid` ("001" login, "002" credit card, "003" secure note, "004" identity, "005"
 * password, "006" document, 100–115 software licence, bank account, database, …, SSH key),
 * `overview` (title, url, urls, tags) and `details` (loginFields with a `designation` of
 * username or password, notesPlain, password, sections with fields whose `value` is a typed
 * object such as `{ "concealed": … }` or `{ "totp": … }`). Logins, notes and passwords map
 * directly; a TOTP field becomes the item's TOTP (an otpauth URI or a bare secret, as stored);
 * other section fields are kept in the notes as "Label: value". Cards, identities, documents and
 * SSH keys are skipped (no such item kind yet); the other categories come in as notes holding
 * their fields. The personal vault ("P") has no vault name, so it lands in Personal.
 */
import { type ImportPlan, PlanBuilder, invalidFile, text } from './import-plan.ts';
import { readZipEntry, zipEntries } from './zip.ts';

const SKIPPED_CATEGORIES: Record<string, string> = {
  '002': 'a credit card',
  '004': 'an identity',
  '006': 'a document',
  '114': 'an SSH key',
};

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A section field's value as text: its typed value object's one member, flattened. */
function fieldText(value: unknown): string | undefined {
  const typed = asObject(value);
  if (typed === undefined) return undefined;
  for (const [, v] of Object.entries(typed)) {
    if (typeof v === 'string') return text(v);
    if (typeof v === 'number') return String(v);
    const nested = asObject(v);
    if (nested !== undefined) {
      const parts = Object.values(nested).filter((p): p is string => typeof p === 'string' && p !== '');
      return parts.length > 0 ? parts.join(', ') : undefined;
    }
  }
  return undefined;
}

export function parse1PasswordData(data: unknown): ImportPlan {
  const accounts = asObject(data)?.accounts;
  if (!Array.isArray(accounts)) throw invalidFile('its export.data has no accounts (is it a 1Password .1pux export?)');
  const builder = new PlanBuilder();
  let count = 0;
  for (const account of accounts) {
    for (const rawVault of asArray(asObject(account)?.vaults)) {
      const vault = asObject(rawVault);
      const attrs = asObject(vault?.attrs);
      if (vault === undefined || !Array.isArray(vault.items)) throw invalidFile('a vault in export.data has no item list');
      const vaultName = attrs?.type === 'P' ? undefined : text(attrs?.name);
      for (const rawItem of vault.items) {
        count++;
        const entry = `item ${count}`;
        const item = asObject(rawItem);
        if (item === undefined) throw invalidFile(`${entry} is not an object`);
        const overview = asObject(item.overview) ?? {};
        const details = asObject(item.details) ?? {};
        const title = text(overview.title);
        const category = typeof item.categoryUuid === 'string' ? item.categoryUuid : undefined;
        if (category === undefined) throw invalidFile(`${entry} has no category`);
        if (item.state === 'trashed' || item.trashed === true) {
          builder.skip(entry, title, 'in the trash');
          continue;
        }
        if (SKIPPED_CATEGORIES[category] !== undefined) {
          builder.skip(entry, title, `${SKIPPED_CATEGORIES[category]}: Latchkey has no such item kind yet`);
          continue;
        }
        let username: string | undefined;
        let password: string | undefined = text(details.password);
        for (const f of asArray(details.loginFields)) {
          const field = asObject(f);
          if (field?.designation === 'username') username ??= text(field.value);
          else if (field?.designation === 'password') password ??= text(field.value);
        }
        let totp: string | undefined;
        const extra: string[] = [];
        for (const s of asArray(details.sections)) {
          for (const f of asArray(asObject(s)?.fields)) {
            const field = asObject(f);
            const value = asObject(field?.value);
            if (value === undefined) continue;
            if (typeof value.totp === 'string' && value.totp !== '' && totp === undefined) {
              totp = value.totp;
              continue;
            }
            const shown = fieldText(value);
            if (shown !== undefined) extra.push(`${text(field?.title) ?? text(field?.id) ?? 'field'}: ${shown}`);
          }
        }
        const tags = asArray(overview.tags).filter((t): t is string => typeof t === 'string');
        if (tags.length > 0) extra.push(`Tags: ${tags.join(', ')}`);
        const urls = asArray(overview.urls)
          .map((u) => text(asObject(u)?.url))
          .filter((u): u is string => u !== undefined);
        const mainUrl = text(overview.url);
        if (mainUrl !== undefined && !urls.includes(mainUrl)) urls.unshift(mainUrl);
        const notes = [text(details.notesPlain), ...extra].filter((n): n is string => n !== undefined).join('\n') || undefined;
        const kind = category === '001' ? 'login' : category === '005' ? 'password' : 'note';
        builder.add(vaultName, entry, {
          kind,
          title,
          username: kind === 'note' ? undefined : username,
          password: kind === 'note' ? undefined : password,
          urls: kind === 'note' ? [] : urls,
          // A note keeps a user name or password the category had, in its text.
          notes:
            kind === 'note'
              ? [notes, username && `username: ${username}`, password && `password: ${password}`, totp && `one-time password: ${totp}`]
                  .filter((n) => n)
                  .join('\n') || undefined
              : notes,
          totp: kind === 'note' ? undefined : totp,
        });
      }
    }
  }
  return builder.plan('1password-1pux');
}

/** A `.1pux` archive: its `export.data` read and planned. */
export async function parse1Pux(bytes: Uint8Array): Promise<ImportPlan> {
  const entry = zipEntries(bytes).find((e) => e.name === 'export.data');
  if (entry === undefined) throw invalidFile('the archive holds no export.data (is it a 1Password .1pux export?)');
  const content = new TextDecoder('utf-8', { fatal: false }).decode(await readZipEntry(bytes, entry));
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    throw invalidFile('its export.data is not valid JSON');
  }
  return parse1PasswordData(data);
}
