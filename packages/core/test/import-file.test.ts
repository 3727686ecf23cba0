/** Import parsing (core/import-file.ts, core/csv.ts) on fixtures that follow each format's published structure, with awkward cases. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv.ts';
import { LatchkeyError } from '../src/errors.ts';
import { exportContent, exportCsv } from '../src/export-file.ts';
import { detectImportFormat, itemContentKey, planImport } from '../src/import-file.ts';

const fixture = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/import', name), 'utf8');
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'not a LatchkeyError';
  }
  return 'no error';
};

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, commas and line breaks inside fields, CRLF and LF, a byte-order mark', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x,1","say ""hi"""\n"multi\nline",\n')).toEqual([
      ['a', 'b'],
      ['x,1', 'say "hi"'],
      ['multi\nline', ''],
    ]);
    expect(parseCsv('a\n\nb')).toEqual([['a'], ['b']]);
  });
  it('refuses a file cut inside a quoted field', () => {
    expect(codeOf(() => parseCsv('a,"b\n'))).toBe('invalid_file');
  });
});

describe('planImport', () => {
  it('Bitwarden JSON: folders as vaults, URLs, multi-line notes and custom fields, TOTP URIs and bare secrets, cards skipped', () => {
    const plan = planImport(fixture('bitwarden.json'));
    expect(plan.format).toBe('bitwarden-json');
    const work = plan.vaults.find((v) => v.name === 'Work')!;
    expect(work.items).toEqual([
      {
        kind: 'login',
        title: 'GitHub',
        username: 'octo',
        password: 'gh-pässwörd-🔑',
        urls: ['https://github.com/login', 'https://gist.github.com', 'https://api.github.com'],
        notes: 'first line\nsecond line\n\nfourth, with "quotes"\nrecovery email: me@example.com',
        totp: 'otpauth://totp/GitHub:octo?secret=JBSWY3DPEHPK3PXP&issuer=GitHub',
      },
    ]);
    expect(plan.vaults.find((v) => v.name === 'Famille ünïcødé')!.items[0]).toMatchObject({ title: 'Bank', password: '1234-bank', totp: 'JBSWY3DPEHPK3PXP' });
    const unfiled = plan.vaults.find((v) => v.name === undefined)!;
    expect(unfiled.items.map((i) => [i.kind, i.title])).toEqual([
      ['note', 'Wi-Fi'],
      ['login', 'nameless.example.org'],
    ]);
    expect(plan.skipped.map((s) => [s.entry, s.reason.split(':')[0]])).toEqual([
      ['item 4', 'a payment card'],
      ['item 6', 'empty'],
    ]);
  });

  it('Chrome CSV: quoting, multi-line notes, non-ASCII, a title from the site, an empty row skipped', () => {
    const plan = planImport(fixture('chrome.csv'));
    expect(plan.format).toBe('csv');
    expect(plan.vaults).toHaveLength(1);
    expect(plan.vaults[0]!.items).toEqual([
      { kind: 'login', title: 'Example', username: 'alice', password: 'pa,ss"word', urls: ['https://example.com/'] },
      { kind: 'login', title: 'Multi', username: 'bob', password: 'secret', urls: ['https://multi.example.com/'], notes: 'line 1\r\nline 2' },
      { kind: 'login', title: 'Ünïcødé Café', username: 'zoë', password: 'пароль', urls: ['https://café.example/'] },
      { kind: 'login', title: 'untitled.example.net', username: 'carol', password: 'pw', urls: ['https://untitled.example.net/'] },
    ]);
    expect(plan.skipped).toEqual([{ entry: 'row 6', reason: expect.stringContaining('empty') }]);
  });

  it('Firefox CSV: titles from the site, an entry without a user name', () => {
    const plan = planImport(fixture('firefox.csv'));
    expect(plan.vaults[0]!.items.map((i) => [i.title, i.username ?? null, i.password])).toEqual([
      ['accounts.firefox.com', 'fx@example.com', 'fx-secret'],
      ['intranet.example', null, 'only-a-password'],
    ]);
  });

  it('refuses truncated and malformed files as a whole, with invalid_file', () => {
    expect(codeOf(() => planImport(fixture('truncated.csv')))).toBe('invalid_file');
    expect(codeOf(() => planImport(fixture('truncated-bitwarden.txt')))).toBe('invalid_file');
    expect(codeOf(() => planImport('a,b\n1,2,3\n'))).toBe('invalid_file');
    expect(codeOf(() => planImport('{"items":[{"name":"no type"}]}'))).toBe('invalid_file');
    expect(codeOf(() => planImport('{"encrypted":true,"items":[]}'))).toBe('invalid_file');
    expect(codeOf(() => planImport('{"hello":1}'))).toBe('invalid_file');
    expect(codeOf(() => planImport(''))).toBe('invalid_file');
  });

  it('reads Latchkey’s own CSV and JSON back losslessly', () => {
    const content = exportContent([
      {
        name: 'Work, "quoted"',
        items: [
          { kind: 'login', title: ' padded ', username: 'u', password: '=1+2', urls: ['https://a', 'https://b'], notes: 'x\ny', totp: 'JBSWY3DPEHPK3PXP' },
        ],
      },
      {
        name: 'Notes',
        items: [
          { kind: 'note', title: 'n', notes: 'only' },
          { kind: 'password', title: 'p', password: 'pw' },
        ],
      },
    ]);
    const fromJson = planImport(JSON.stringify(content));
    expect(fromJson.format).toBe('latchkey-json');
    expect(fromJson.vaults).toEqual(content.vaults);
    expect(detectImportFormat(exportCsv(content))).toBe('csv');
    expect(planImport(exportCsv(content)).vaults).toEqual(content.vaults);
  });

  it('plans 5,000 rows, and tells duplicates by content', () => {
    const rows = ['name,url,username,password,note'];
    for (let i = 0; i < 5000; i++) rows.push(`Site ${i},https://s${i}.example,user${i},pw-${i},"note ${i}\nmore"`);
    const plan = planImport(rows.join('\n'));
    expect(plan.vaults[0]!.items).toHaveLength(5000);
    const [a, b] = plan.vaults[0]!.items;
    expect(itemContentKey(a!)).toBe(itemContentKey({ ...a! }));
    expect(itemContentKey(a!)).not.toBe(itemContentKey(b!));
  });
});

describe('CSV export of typed items', () => {
  it('keeps card and identity details, custom fields and tags in the notes cell, and the kind', () => {
    const content = exportContent([
      {
        name: 'Personal',
        items: [
          {
            kind: 'card',
            title: 'Visa',
            notes: 'blue card',
            card: { cardholder: 'Alice', number: '4111 1111 1111 1111', expiry: '09/30' },
            fields: [{ label: 'Hotline', kind: 'text', value: '555' }],
            tags: ['money', 'travel'],
            favourite: true,
            passwordHistory: [{ password: 'old', replacedAt: '2026-01-01T00:00:00.000Z' }],
          },
          { kind: 'identity', title: 'Me', identity: { fullName: 'Alice Example', birthDate: '1990-02-28' } },
        ],
      },
    ]);
    const csv = exportCsv(content);
    const [, card, identity] = parseCsv(csv);
    expect(card![1]).toBe('card');
    expect(card![6]).toBe('blue card\nName on card: Alice\nCard number: 4111 1111 1111 1111\nExpiry: 09/30\nHotline: 555\nTags: money, travel');
    expect(identity![6]).toBe('Full name: Alice Example\nDate of birth: 1990-02-28');
    expect(csv).not.toContain('old');
    const back = planImport(csv).vaults[0]!.items;
    expect(back.map((i) => i.kind)).toEqual(['card', 'identity']);
    expect(back[0]!.notes).toContain('Card number: 4111 1111 1111 1111');
  });
});
