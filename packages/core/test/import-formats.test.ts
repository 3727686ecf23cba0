/**
 * 1Password (.1pux, CSV) and KeePass 2 XML import (core/import-1password.ts, import-keepass.ts,
 * zip.ts, xml.ts) on fixtures that follow the formats' published structure: logins, notes, a
 * TOTP as an otpauth URI and as a bare secret, Unicode, nested groups; damaged files refused
 * whole; 5,000 entries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '../src/errors.ts';
import { detectImportFileFormat, detectImportFormat, planImport, planImportFile } from '../src/import-file.ts';
import { parseXml } from '../src/xml.ts';
import { crc32, readZipEntry, zipEntries } from '../src/zip.ts';
import { writeZip } from './helpers/zip-writer.ts';

const fixturePath = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/import', name);
const fixtureText = (name: string) => readFileSync(fixturePath(name), 'utf8');
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixturePath(name)));

async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : `not a LatchkeyError: ${String(error)}`;
  }
  return 'no error';
}

const GITHUB = {
  kind: 'login',
  title: 'GitHub',
  username: 'octo',
  password: 'gh-pässwörd-🔑',
  totp: 'otpauth://totp/GitHub:octo?secret=JBSWY3DPEHPK3PXP&issuer=GitHub',
};

describe('zip', () => {
  it('reads an archive Info-ZIP wrote, checking each entry’s CRC-32', async () => {
    const bytes = fixtureBytes('1password.1pux');
    const entries = zipEntries(bytes);
    expect(entries.map((e) => e.name).sort()).toEqual(['export.attributes', 'export.data', 'files/']);
    const data = await readZipEntry(bytes, entries.find((e) => e.name === 'export.data')!);
    expect(new TextDecoder().decode(data)).toBe(fixtureText('1password-export.data.json'));
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('refuses a cut, damaged or oversized archive with invalid_file', async () => {
    const bytes = fixtureBytes('1password.1pux');
    expect(await codeOf(() => zipEntries(bytes.subarray(0, bytes.length - 30)))).toBe('invalid_file');
    expect(await codeOf(() => zipEntries(bytes.subarray(0, 100)))).toBe('invalid_file');
    const entry = zipEntries(bytes).find((e) => e.name === 'export.data')!;
    const flipped = bytes.slice();
    flipped[entry.localHeaderOffset + 30 + 'export.data'.length + 40]! ^= 0xff;
    expect(await codeOf(() => readZipEntry(flipped, entry))).toBe('invalid_file');
    expect(await codeOf(() => readZipEntry(bytes, entry, 100))).toBe('invalid_file');
    expect(await codeOf(() => readZipEntry(bytes, { ...entry, size: entry.size - 1 }))).toBe('invalid_file');
  });
});

describe('xml', () => {
  it('reads elements, attributes, references and CDATA; refuses what is not well-formed', async () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><a x="1&amp;2"><b>t &lt;&#233;&#x1F511;</b><c/><![CDATA[<raw>&]]></a>');
    expect(root.attributes).toEqual({ x: '1&2' });
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['b', 't <é🔑'],
      ['c', ''],
    ]);
    expect(root.text).toBe('<raw>&');
    for (const bad of ['<a><b></a>', '<a>', '<a>x &bogus; y</a>', '<a>x & y</a>', '<a></a><b></b>', '', 'text', '<a x="1" x="2"></a>', '<a><!-- open'])
      expect(await codeOf(() => parseXml(bad)), bad).toBe('invalid_file');
  });
});

describe('1Password .1pux', () => {
  it('maps vaults, logins with their URLs, fields and tags, notes, passwords; TOTP as URI and as bare secret; skips cards', async () => {
    const bytes = fixtureBytes('1password.1pux');
    expect(detectImportFileFormat(bytes)).toBe('1password-1pux');
    const plan = await planImportFile(bytes);
    expect(plan.format).toBe('1password-1pux');
    const personal = plan.vaults.find((v) => v.name === undefined)!;
    expect(personal.items).toEqual([
      {
        ...GITHUB,
        urls: ['https://github.com/login', 'https://gist.github.com'],
        notes: 'first line\nsecond line\nrecovery email: me@example.com\nPIN: 4321\nTags: dev, wörk',
      },
      { kind: 'note', title: 'Wi-Fi', notes: 'SSID: home\nKey: "quoted", comma' },
    ]);
    const family = plan.vaults.find((v) => v.name === 'Famille ünïcødé')!;
    expect(family.items).toEqual([
      { kind: 'login', title: 'Banque', username: 'zoë', password: 'пароль', urls: ['https://banque.example/'], totp: 'JBSWY3DPEHPK3PXP' },
      { kind: 'password', title: 'Router admin', password: 'router-admin-pw' },
      { kind: 'note', title: 'NAS', notes: 'the NAS\nURL: ssh://nas.local\nusername: admin\npassword: nas-secret' },
    ]);
    expect(plan.skipped).toEqual([{ entry: 'item 3', title: 'Visa', reason: expect.stringContaining('a credit card') }]);
  });

  it('refuses a truncated, damaged or foreign archive whole, with invalid_file', async () => {
    const bytes = fixtureBytes('1password.1pux');
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 10])
      expect(await codeOf(() => planImportFile(bytes.subarray(0, cut))), `cut at ${cut}`).toBe('invalid_file');
    const data = fixtureText('1password-export.data.json');
    expect(await codeOf(async () => planImportFile(await writeZip({ 'export.data': data.slice(0, data.length - 10) })))).toBe('invalid_file');
    expect(await codeOf(async () => planImportFile(await writeZip({ 'other.txt': 'x' })))).toBe('invalid_file');
    expect(await codeOf(async () => planImportFile(await writeZip({ 'export.data': '{"items":[]}' })))).toBe('invalid_file');
    expect(await codeOf(async () => planImportFile(await writeZip({ 'export.data': '{"accounts":[{"vaults":[{"attrs":{},"items":[{}]}]}]}' })))).toBe(
      'invalid_file',
    );
    expect(await codeOf(() => planImportFile(new TextEncoder().encode('Title,Url\n'), '1password-1pux'))).toBe('invalid_file');
  });

  it('plans 5,000 items', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      uuid: `u${i}`,
      categoryUuid: '001',
      state: 'active',
      details: {
        loginFields: [
          { designation: 'username', value: `user${i}` },
          { designation: 'password', value: `pw-${i}` },
        ],
        notesPlain: `note ${i}`,
      },
      overview: { title: `Site ${i}`, url: `https://s${i}.example` },
    }));
    const archive = await writeZip({ 'export.data': JSON.stringify({ accounts: [{ attrs: {}, vaults: [{ attrs: { name: 'Big', type: 'U' }, items }] }] }) });
    const plan = await planImportFile(archive);
    expect(plan.vaults[0]!.name).toBe('Big');
    expect(plan.vaults[0]!.items).toHaveLength(5000);
    expect(plan.vaults[0]!.items[4999]).toEqual({
      kind: 'login',
      title: 'Site 4999',
      username: 'user4999',
      password: 'pw-4999',
      urls: ['https://s4999.example'],
      notes: 'note 4999',
    });
  });
});

describe('1Password CSV', () => {
  it('reads 1Password 8’s columns: OTPAuth as URI or bare secret, tags kept in the notes, an empty row skipped', () => {
    const text = fixtureText('1password.csv');
    expect(detectImportFormat(text)).toBe('1password-csv');
    const plan = planImport(text);
    expect(plan.format).toBe('1password-csv');
    expect(plan.vaults[0]!.items).toEqual([
      { ...GITHUB, urls: ['https://github.com/login'], notes: 'first line\nsecond line\nTags: dev;wörk' },
      { kind: 'login', title: 'Banque', username: 'zoë', password: 'пароль', urls: ['https://banque.example/'], totp: 'JBSWY3DPEHPK3PXP' },
      { kind: 'note', title: 'Wi-Fi', notes: 'SSID: home\nKey: "quoted", comma' },
    ]);
    expect(plan.skipped).toEqual([{ entry: 'row 5', reason: expect.stringContaining('empty') }]);
    expect(planImport('notesPlain,password,title,type,urls\n"a note",,Memo,Secure Note,\n').vaults[0]!.items).toEqual([
      { kind: 'note', title: 'Memo', notes: 'a note' },
    ]);
  });

  it('refuses a truncated file', async () => {
    const text = fixtureText('1password.csv');
    expect(await codeOf(() => planImport(text.slice(0, text.indexOf('second line'))))).toBe('invalid_file');
  });
});

describe('KeePass 2 XML', () => {
  it('maps nested groups to vaults, protected values, custom strings, otp URIs and TimeOtp secrets; skips the recycle bin and history', () => {
    const text = fixtureText('keepass.xml');
    expect(detectImportFormat(text)).toBe('keepass-xml');
    const plan = planImport(text);
    expect(plan.format).toBe('keepass-xml');
    expect(plan.vaults.map((v) => v.name)).toEqual([undefined, 'Famille ünïcødé', 'Famille ünïcødé/Servers']);
    expect(plan.vaults[0]!.items).toEqual([
      { ...GITHUB, urls: ['https://github.com/login'], notes: 'line 1\nline 2 & <three> 🔑\nRecovery email: me@example.com' },
    ]);
    expect(plan.vaults[1]!.items).toEqual([
      { kind: 'login', title: 'Banque', username: 'zoë', password: 'пароль', urls: ['https://banque.example/'], totp: 'JBSWY3DPEHPK3PXP' },
    ]);
    expect(plan.vaults[2]!.items).toEqual([
      { kind: 'login', title: 'NAS', username: 'admin', password: '<nas>&secret', totp: 'otpauth://totp/NAS?secret=JBSWY3DPEHPK3PXP&digits=8&period=60' },
      { kind: 'note', title: 'Alarm code', notes: '1234\n"quoted", comma' },
    ]);
    expect(plan.skipped.map((s) => s.reason)).toEqual([expect.stringContaining('empty'), 'in the recycle bin']);
  });

  it('refuses a truncated file, another XML, and values still encrypted by the database', async () => {
    const text = fixtureText('keepass.xml');
    for (const cut of [text.length - 20, Math.floor(text.length / 2), 200])
      expect(await codeOf(() => planImport(text.slice(0, cut))), `cut at ${cut}`).toBe('invalid_file');
    expect(await codeOf(() => planImport('<?xml version="1.0"?><html></html>'))).toBe('invalid_file');
    expect(await codeOf(() => planImport(text, 'keepass-xml'))).toBe('no error');
    expect(await codeOf(() => planImport('<KeePassFile><Meta/></KeePassFile>'))).toBe('invalid_file');
    const raw = text.replace('<Value ProtectInMemory="True">gh-pässwörd-🔑</Value>', '<Value Protected="True">c2VjcmV0</Value>');
    expect(await codeOf(() => planImport(raw))).toBe('invalid_file');
  });

  it('plans 5,000 entries', () => {
    const entry = (i: number) =>
      `<Entry><UUID>${i}</UUID><String><Key>Title</Key><Value>Site ${i}</Value></String><String><Key>UserName</Key><Value>user${i}</Value></String><String><Key>Password</Key><Value ProtectInMemory="True">pw-${i}</Value></String><String><Key>URL</Key><Value>https://s${i}.example</Value></String></Entry>`;
    const xml = `<?xml version="1.0" encoding="utf-8"?><KeePassFile><Root><Group><Name>Root</Name><Group><Name>Big</Name>${Array.from({ length: 5000 }, (_, i) => entry(i)).join('\n')}</Group></Group></Root></KeePassFile>`;
    const plan = planImport(xml);
    expect(plan.vaults[0]!.name).toBe('Big');
    expect(plan.vaults[0]!.items).toHaveLength(5000);
    expect(plan.vaults[0]!.items[4999]).toEqual({
      kind: 'login',
      title: 'Site 4999',
      username: 'user4999',
      password: 'pw-4999',
      urls: ['https://s4999.example'],
    });
  });
});
