/**
 * Latchkey's export file (docs/protocol.md §26): every item of the chosen vaults, as JSON,
 * sealed under a key that Argon2id derives from a password the person chooses for this file
 * (not the account password), with the same parameters as the account's key stretching. The
 * associated data binds the format version, the salt and the parameters, so none of them can
 * be changed without the file failing to open. The plain JSON and CSV forms are the same
 * content in clear. Pure: the caller reads and writes the files.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { associatedData } from './associated-data.ts';
import { fromBase64Url, fromUtf8, randomBytes, toBase64Url, utf8, wipe } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import { validateItemFields, type ItemFields } from './item.ts';
import { importBoxKey, openBox, sealBox } from './sealed-box.ts';

export const EXPORT_FORMAT = 'latchkey-export';
export const EXPORT_VERSION = 1;

/** RFC 9106 "memory-constrained" Argon2id, as the account's OPAQUE key stretching (core/opaque.ts). */
export const EXPORT_KDF = { algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4 } as const;
/** What an export file may ask for: enough headroom for stronger settings, not enough to exhaust the device opening it. */
const KDF_LIMITS = { memoryKiB: [19456, 1048576], iterations: [1, 16], parallelism: [1, 16] } as const;

export interface ExportedVault {
  readonly name: string;
  readonly items: readonly ItemFields[];
}

/** The content of an export: what `--format json` writes, and what the encrypted file seals. */
export interface ExportContent {
  readonly format: 'latchkey-export-content';
  readonly version: 1;
  readonly exportedAt: string;
  readonly vaults: readonly ExportedVault[];
}

export interface KdfParameters {
  readonly algorithm: 'argon2id';
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  readonly salt: string;
}

/** The encrypted export file. */
export interface EncryptedExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly kdf: KdfParameters;
  readonly box: string;
}

const invalidFile = (why: string, cause?: unknown) =>
  new LatchkeyError('invalid_file', `This is not a readable Latchkey export: ${why}.`, cause === undefined ? undefined : { cause });

export function exportContent(vaults: readonly ExportedVault[], now: Date = new Date()): ExportContent {
  return {
    format: 'latchkey-export-content',
    version: 1,
    exportedAt: now.toISOString(),
    vaults: vaults.map((v) => ({ name: v.name, items: v.items.map((i) => validateItemFields(i)) })),
  };
}

/** Checks a parsed content document. @throws `invalid_file`. */
export function parseExportContent(value: unknown): ExportContent {
  const v = value as Partial<ExportContent> | null;
  if (typeof v !== 'object' || v === null || v.format !== 'latchkey-export-content' || v.version !== 1)
    throw invalidFile('not Latchkey export content (version 1)');
  if (!Array.isArray(v.vaults)) throw invalidFile('it has no vault list');
  const vaults = v.vaults.map((vault, i) => {
    if (typeof vault?.name !== 'string' || vault.name.trim() === '' || !Array.isArray(vault.items))
      throw invalidFile(`vault ${i + 1} has no name or no item list`);
    const items = (vault.items as unknown[]).map((item: unknown, j: number) => {
      try {
        return validateItemFields(item);
      } catch (cause) {
        throw invalidFile(`item ${j + 1} of vault "${vault.name}" is not an item (${(cause as Error).message})`, cause);
      }
    });
    return { name: vault.name, items };
  });
  return { format: 'latchkey-export-content', version: 1, exportedAt: typeof v.exportedAt === 'string' ? v.exportedAt : '', vaults };
}

const exportAd = (kdf: KdfParameters) =>
  associatedData('export', { version: EXPORT_VERSION, salt: kdf.salt, m: kdf.memoryKiB, t: kdf.iterations, p: kdf.parallelism });

async function deriveKey(password: string, kdf: KdfParameters): Promise<Uint8Array> {
  return argon2idAsync(utf8(password.normalize('NFKC')), fromBase64Url(kdf.salt), { m: kdf.memoryKiB, t: kdf.iterations, p: kdf.parallelism, dkLen: 32 });
}

/** Seals `content` under `password` (Argon2id with a fresh 16-byte salt, then the sealed box of core/sealed-box.ts). */
export async function sealExport(content: ExportContent, password: string): Promise<EncryptedExport> {
  if (password === '') throw new LatchkeyError('invalid_request', 'An export needs a password.');
  const kdf: KdfParameters = { ...EXPORT_KDF, salt: toBase64Url(randomBytes(16)) };
  const key = await deriveKey(password, kdf);
  try {
    const box = await sealBox(await importBoxKey(key), utf8(JSON.stringify(content)), exportAd(kdf));
    return { format: EXPORT_FORMAT, version: EXPORT_VERSION, kdf, box };
  } finally {
    wipe(key);
  }
}

/** True when `value` is shaped like an encrypted export (for telling formats apart). */
export const isEncryptedExport = (value: unknown): value is { format: typeof EXPORT_FORMAT } =>
  typeof value === 'object' && value !== null && (value as { format?: unknown }).format === EXPORT_FORMAT;

function checkKdf(kdf: unknown): KdfParameters {
  const k = kdf as Partial<KdfParameters> | null;
  if (typeof k !== 'object' || k === null || k.algorithm !== 'argon2id' || typeof k.salt !== 'string')
    throw invalidFile('its key derivation is not Argon2id with a salt');
  for (const name of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const value = k[name];
    const [min, max] = KDF_LIMITS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalidFile(`its Argon2id ${name} is outside ${min}–${max}`);
  }
  let salt: Uint8Array;
  try {
    salt = fromBase64Url(k.salt);
  } catch (cause) {
    throw invalidFile('its salt is not base64url', cause);
  }
  if (salt.length < 16) throw invalidFile('its salt is shorter than 16 bytes');
  return k as KdfParameters;
}

/** Opens an encrypted export. @throws `invalid_file` for a malformed or truncated file, a wrong password or an altered file. */
export async function openExport(file: unknown, password: string): Promise<ExportContent> {
  if (!isEncryptedExport(file)) throw invalidFile('it is not a latchkey-export file');
  const f = file as Partial<EncryptedExport>;
  if (f.version !== EXPORT_VERSION) throw invalidFile(`its version ${String(f.version)} is not ${EXPORT_VERSION}`);
  if (typeof f.box !== 'string') throw invalidFile('it has no encrypted content');
  const kdf = checkKdf(f.kdf);
  const key = await deriveKey(password, kdf);
  let plaintext: Uint8Array;
  try {
    plaintext = await openBox(await importBoxKey(key), f.box, exportAd(kdf));
  } catch (cause) {
    throw invalidFile('the password is not right, or the file was altered or cut short', cause);
  } finally {
    wipe(key);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(plaintext));
  } catch (cause) {
    throw invalidFile('its content is not JSON', cause);
  }
  return parseExportContent(parsed);
}

export const CSV_COLUMNS = ['vault', 'kind', 'title', 'username', 'password', 'urls', 'notes', 'totp'] as const;

const csvField = (value: string): string => (/[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

const DETAIL_LABELS: Record<string, string> = {
  cardholder: 'Name on card',
  number: 'Card number',
  expiry: 'Expiry',
  securityCode: 'Security code',
  pin: 'PIN',
  brand: 'Brand',
  fullName: 'Full name',
  email: 'Email',
  phone: 'Phone',
  address: 'Address',
  company: 'Company',
  birthDate: 'Date of birth',
};

/**
 * The notes cell: the notes, then card or identity details, custom fields and tags as
 * `Label: value` lines (CSV has no columns for them, and a plaintext export must not drop a card
 * number silently). The password history and the favourite mark are left out: the Latchkey and
 * JSON exports keep everything.
 */
function csvNotes(item: ItemFields): string {
  const details = { ...item.card, ...item.identity } as Record<string, string>;
  return [
    item.notes,
    ...Object.entries(details).map(([k, v]) => `${DETAIL_LABELS[k] ?? k}: ${v}`),
    ...(item.fields ?? []).map((f) => `${f.label}: ${f.value}`),
    ...(item.tags !== undefined ? [`Tags: ${item.tags.join(', ')}`] : []),
  ]
    .filter((line): line is string => line !== undefined && line !== '')
    .join('\n');
}

/** RFC 4180 CSV, one row per item, URLs one per line inside their field. Formula-like cells are written as they are: open it in a spreadsheet only if you trust the items. */
export function exportCsv(content: ExportContent): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const vault of content.vaults) {
    for (const item of vault.items) {
      rows.push(
        [vault.name, item.kind, item.title, item.username ?? '', item.password ?? '', (item.urls ?? []).join('\n'), csvNotes(item), item.totp ?? '']
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
