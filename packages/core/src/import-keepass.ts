/**
 * KeePass 2 XML (KeePass "Export → KeePass XML (2.x)", `keepassxc-cli export --format xml`):
 * `KeePassFile/Root/Group`, groups nested in groups, each `Entry` a list of `String` with `Key`
 * and `Value`. The standard keys are Title, UserName, Password, URL and Notes; any other string
 * is a custom field, kept in the notes as "Key: value". TOTP comes as KeePassXC's `otp` (an
 * otpauth:// URI, or KeeOtp's `key=…&size=…`) or as KeePass 2.47's `TimeOtp-Secret-Base32`
 * (with optional TimeOtp-Length, -Period, -Algorithm). In an unencrypted export a value marked
 * `ProtectInMemory="True"` is plain text; a value with `Protected="True"` is still encrypted
 * with the database's inner stream key (a raw KDBX dump), which Latchkey cannot open, so such a
 * file is refused whole. Groups below the root become vaults named by their path ("Work/Servers");
 * the root group's own entries have no vault; the recycle bin and each entry's History are not
 * imported.
 */
import { type ImportPlan, PlanBuilder, invalidFile, text } from './import-plan.ts';
import { child, childrenNamed, parseXml, type XmlElement } from './xml.ts';

const STANDARD = new Set(['Title', 'UserName', 'Password', 'URL', 'Notes']);
const TOTP_KEYS = new Set(['otp', 'TimeOtp-Secret-Base32', 'TimeOtp-Length', 'TimeOtp-Period', 'TimeOtp-Algorithm', 'TOTP Seed', 'TOTP Settings']);

/** An otpauth URI (or the bare secret when every parameter is the default) from KeePass's TimeOtp-* strings. */
function timeOtp(strings: Map<string, string>, title: string | undefined): string | undefined {
  const secret = strings.get('TimeOtp-Secret-Base32')?.replace(/\s/g, '');
  if (!secret) return undefined;
  const digits = strings.get('TimeOtp-Length');
  const period = strings.get('TimeOtp-Period');
  const algorithm = strings.get('TimeOtp-Algorithm')?.replace(/^HMAC-/i, '');
  if ((digits ?? '6') === '6' && (period ?? '30') === '30' && (algorithm ?? 'SHA-1').replace('-', '').toUpperCase() === 'SHA1') return secret;
  const params = new URLSearchParams({ secret });
  if (digits !== undefined) params.set('digits', digits);
  if (period !== undefined) params.set('period', period);
  if (algorithm !== undefined) params.set('algorithm', algorithm.replace('-', '').toUpperCase());
  return `otpauth://totp/${encodeURIComponent(title ?? 'KeePass')}?${params}`;
}

/** KeePassXC's `otp` string: an otpauth URI as is; KeeOtp's `key=SECRET&size=8&step=60` as a URI or bare secret. */
function otpField(value: string | undefined, title: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('otpauth://')) return value;
  const keeOtp = new URLSearchParams(value);
  const key = keeOtp.get('key');
  if (key === null) return value;
  const digits = keeOtp.get('size');
  const period = keeOtp.get('step');
  if ((digits ?? '6') === '6' && (period ?? '30') === '30') return key;
  const params = new URLSearchParams({ secret: key, ...(digits ? { digits } : {}), ...(period ? { period } : {}) });
  return `otpauth://totp/${encodeURIComponent(title ?? 'KeePass')}?${params}`;
}

export function parseKeePassXml(input: string): ImportPlan {
  const document = parseXml(input);
  if (document.name !== 'KeePassFile') throw invalidFile('it is XML, but not a KeePass 2 XML export (no KeePassFile)');
  const root = child(document, 'Root');
  const top = root && child(root, 'Group');
  if (top === undefined) throw invalidFile('the KeePass file has no Root group');
  const meta = child(document, 'Meta');
  const recycleBin = meta && child(meta, 'RecycleBinEnabled')?.text !== 'False' ? child(meta, 'RecycleBinUUID')?.text : undefined;
  const builder = new PlanBuilder();
  let count = 0;

  const readEntry = (entry: XmlElement, vault: string | undefined) => {
    count++;
    const label = `entry ${count}`;
    const strings = new Map<string, string>();
    for (const s of childrenNamed(entry, 'String')) {
      const key = child(s, 'Key')?.text;
      const value = child(s, 'Value');
      if (key === undefined || value === undefined) throw invalidFile(`${label} has a String without Key or Value`);
      if (value.attributes.Protected === 'True') {
        throw invalidFile('its protected values are still encrypted (a raw database dump); export it from KeePass as "KeePass XML (2.x)"');
      }
      strings.set(key, value.text);
    }
    const title = text(strings.get('Title'));
    const custom = [...strings].filter(([key, value]) => !STANDARD.has(key) && !TOTP_KEYS.has(key) && value !== '').map(([key, value]) => `${key}: ${value}`);
    const notes = [text(strings.get('Notes')), ...custom].filter((n): n is string => n !== undefined).join('\n') || undefined;
    const username = text(strings.get('UserName'));
    const password = text(strings.get('Password'));
    const url = text(strings.get('URL'));
    const totp = otpField(text(strings.get('otp')), title) ?? timeOtp(strings, title);
    const isNote = username === undefined && password === undefined && url === undefined && totp === undefined;
    builder.add(vault, label, { kind: isNote ? 'note' : 'login', title, username, password, urls: url ? [url] : [], notes, totp });
  };

  const readGroup = (group: XmlElement, path: string | undefined, inBin: boolean) => {
    const uuid = child(group, 'UUID')?.text;
    const binned = inBin || (recycleBin !== undefined && uuid === recycleBin);
    for (const entry of childrenNamed(group, 'Entry')) {
      if (binned) {
        count++;
        builder.skip(`entry ${count}`, undefined, 'in the recycle bin');
      } else readEntry(entry, path);
    }
    for (const sub of childrenNamed(group, 'Group')) {
      const name = child(sub, 'Name')?.text || 'Group';
      readGroup(sub, path === undefined ? name : `${path}/${name}`, binned);
    }
  };
  readGroup(top, undefined, false);
  return builder.plan('keepass-xml');
}
