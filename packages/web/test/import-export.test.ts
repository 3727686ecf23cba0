/**
 * Import and Export in the web app (issue 13 items 4 and 5): a Bitwarden JSON file picked and a
 * Chrome CSV dropped are previewed (imported, duplicates, skipped and why) and imported, and the
 * items appear; importing the same file again adds nothing; a truncated file is an error and
 * nothing is sent; an encrypted export opens only with its password and imports losslessly into
 * a new vault of another account (at phone width, through the Menu); a large file shows progress; a plaintext export needs
 * the explicit confirmation first. Real Chromium against an in-process server.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { itemContentKey } from '@latchkey/core/import-file';
import type { ItemFields } from '@latchkey/core/item';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, signInOnNewBrowser, watchContext, type RecordedRequest } from './helpers/browser.ts';

const BITWARDEN = JSON.stringify({
  encrypted: false,
  folders: [{ id: 'f-work', name: 'Work stuff' }],
  items: [
    {
      id: 'i1',
      folderId: 'f-work',
      type: 1,
      name: 'Intranet Zürich',
      notes: 'line one\nline two',
      login: {
        username: 'ana@example.org',
        password: 'Intranet-pw-4471-kq',
        uris: [{ match: null, uri: 'https://intranet.example.org' }, { uri: 'https://sso.example.org' }],
        totp: 'otpauth://totp/Intranet:ana?secret=JBSWY3DPEHPK3PXP',
      },
    },
    { id: 'i2', folderId: null, type: 2, name: 'Alarm code', notes: '4711 then #', secureNote: { type: 0 } },
    { id: 'i3', folderId: null, type: 3, name: 'Visa card', card: { number: '4111111111111111' } },
    { id: 'i4', folderId: null, type: 2, name: 'Alarm code', notes: '4711 then #', secureNote: { type: 0 } },
  ],
});
const CHROME_CSV = 'name,url,username,password,note\r\nbakery.example,https://bakery.example/login,baker@example.net,Bread-pw-8812-zz,\r\n';

let server: TestServer;
let browser: Browser;
let ana: TestUser;
let context: BrowserContext;
let page: Page;
let requests: RecordedRequest[];
const pages: Page[] = [];

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
const batchPosts = () => requests.filter((r) => r.method === 'POST' && r.url.endsWith('/api/items/batch')).length;
const fields = (items: readonly ItemFields[]) =>
  items.map(({ kind, title, username, password, urls, notes, totp }) => itemContentKey({ kind, title, username, password, urls, notes, totp })).sort();

async function pickFile(p: Page, name: string, text: string, mimeType = 'application/json'): Promise<void> {
  await p.getByLabel('File to import').setInputFiles({ name, mimeType, buffer: Buffer.from(text) });
}

async function download(p: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), text: await readFile((await d.path())!, 'utf8') };
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  ana = await signUpUser(server, { password: 'import export test password 7Hq' });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ({ requests } = watchContext(context));
  page = await context.newPage();
  pages.push(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  for (const [i, p] of pages.entries())
    if (!p.isClosed()) await screenshot(p, `import-export-failed-${i}-${task.name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
});

describe('importing in the web app', () => {
  it('previews a Bitwarden file (to import, duplicates, skipped and why), imports it, and the items appear', async () => {
    await signInOnNewBrowser(page, server.url, ana);
    await openFromNavigation(page, 'Import');
    await heading(page, 'Import').waitFor();
    await pickFile(page, 'bitwarden_export.json', BITWARDEN);
    // Detection reads the file asynchronously after the pick: wait for the label to change.
    await expect.poll(() => page.getByLabel('Format').locator('option:checked').textContent()).toBe('Detected: Bitwarden (JSON, unencrypted export)');
    await page.getByRole('button', { name: 'Preview the import' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    const text = await preview.innerText();
    expect(text).toContain('4 entries');
    expect(text).toContain('2 items will be imported');
    expect(text).toContain('New vault to be created: Work stuff');
    expect(text).toContain('1 duplicate');
    expect(text).toContain('1 entry skipped');
    expect(text).toContain('item 3 “Visa card”: a payment card: Latchkey has no such item kind yet');
    await screenshot(page, 'import-01-preview');
    expect(batchPosts()).toBe(0); // a preview sends nothing

    await page.getByRole('button', { name: 'Import 2 items' }).click();
    await heading(page, 'Import done').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Imported' }).innerText()).toContain('Imported 2 items');
    expect(batchPosts()).toBe(1);
    const vaults = await ana.client.vaults.list();
    expect(vaults.map((v) => v.name).sort()).toEqual(['Personal', 'Work stuff']);
    const items = await ana.client.items.list();
    const intranet = items.find((i) => i.title === 'Intranet Zürich')!;
    expect(intranet).toMatchObject({ username: 'ana@example.org', password: 'Intranet-pw-4471-kq', notes: 'line one\nline two' });
    expect(intranet.urls).toEqual(['https://intranet.example.org', 'https://sso.example.org']);
    expect(intranet.totp).toContain('JBSWY3DPEHPK3PXP');
    expect(intranet.vaultId).toBe(vaults.find((v) => v.name === 'Work stuff')!.id);
    expect(items.filter((i) => i.title === 'Alarm code')).toHaveLength(1);

    await page.getByRole('button', { name: 'Go to your items' }).click();
    await heading(page, 'Items').waitFor();
    await page.getByRole('link', { name: /Intranet Zürich/ }).waitFor();
  });

  it('importing the same file again adds nothing', async () => {
    await openFromNavigation(page, 'Import');
    await pickFile(page, 'bitwarden_export.json', BITWARDEN);
    await page.getByRole('button', { name: 'Preview the import' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.waitFor();
    expect(await preview.innerText()).toContain('0 items will be imported');
    expect(await preview.innerText()).toContain('3 duplicates');
    expect(await page.getByText('Nothing new to import').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /^Import \d/ }).count()).toBe(0);
    expect(await ana.client.items.list()).toHaveLength(2);
  });

  it('a truncated file is a clear error and imports nothing', async () => {
    const before = batchPosts();
    await page.getByRole('button', { name: 'Choose another file' }).click();
    await pickFile(page, 'bitwarden_export.json', BITWARDEN.slice(0, Math.floor(BITWARDEN.length / 2)));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toBe('This file cannot be imported: it looks like JSON but does not parse (cut short?). Nothing was imported.');
    expect(await page.getByRole('button', { name: 'Preview the import' }).isDisabled()).toBe(true);
    // A CSV cut off in the middle of a row: found when it is read, before anything is sent.
    await pickFile(page, 'Chrome Passwords.csv', `${CHROME_CSV}cut.example,https://cut.example`, 'text/csv');
    await page.getByRole('button', { name: 'Preview the import' }).click();
    await expect.poll(() => alert.innerText()).toContain('row 3 has 2 fields where the header has 5 (cut short or malformed). Nothing was imported.');
    await screenshot(page, 'import-02-truncated');
    expect(batchPosts()).toBe(before);
    expect(await ana.client.items.list()).toHaveLength(2);
  });

  it('a dropped Chrome CSV goes into the vault chosen', async () => {
    await page.reload();
    await heading(page, 'Latchkey is locked').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill(ana.password);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await heading(page, 'Import').waitFor({ timeout: 60_000 });
    const dropped = await page.evaluateHandle((csv) => {
      const data = new DataTransfer();
      data.items.add(new File([csv], 'Chrome Passwords.csv', { type: 'text/csv' }));
      return data;
    }, CHROME_CSV);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
    await page.getByText('Chosen: Chrome Passwords.csv.').waitFor();
    await page.getByLabel('All into one of your vaults').check();
    await page.getByLabel('Vault', { exact: true }).selectOption({ label: 'Work stuff' });
    await page.getByRole('button', { name: 'Preview the import' }).click();
    await page.getByRole('button', { name: 'Import 1 item' }).click();
    await heading(page, 'Import done').waitFor();
    const work = (await ana.client.vaults.list()).find((v) => v.name === 'Work stuff')!;
    const bakery = (await ana.client.items.list(work.id)).find((i) => i.title === 'bakery.example');
    expect(bakery).toMatchObject({ username: 'baker@example.net', password: 'Bread-pw-8812-zz', urls: ['https://bakery.example/login'] });
  });

  it('shows progress on a large file (1,200 rows) and imports every row', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `site-${i}.example,https://site-${i}.example/,user${i}@example.net,Pw-${i}-long-enough,`);
    const bulk = `name,url,username,password,note\r\n${rows.join('\r\n')}\r\n`;
    await page.getByRole('button', { name: 'Import another file' }).click();
    await pickFile(page, 'big.csv', bulk, 'text/csv');
    await page.getByLabel('All into a new vault').check();
    await page.getByLabel('New vault name').fill('Bulk');
    await page.getByRole('button', { name: 'Preview the import' }).click();
    // Every value the progress bar takes, as the page shows it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('progress');
        if (bar) seen.push(bar.value / bar.max);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole('button', { name: 'Import 1200 items' }).click();
    await heading(page, 'Import done').waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.some((f) => f > 0 && f < 1)).toBe(true);
    const into = (await ana.client.vaults.list()).find((v) => v.name === 'Bulk')!;
    expect(await ana.client.items.list(into.id)).toHaveLength(1200);
  });
});

describe('exporting in the web app', () => {
  let encrypted: string;

  it('exports encrypted with a chosen and confirmed password', async () => {
    await openFromNavigation(page, 'Export');
    await heading(page, 'Export').waitFor();
    await page.getByLabel('Password for the export file', { exact: true }).fill('export file password 5Rt');
    await page.getByLabel('Password for the export file again').fill('export file password 5Rx');
    await page.getByRole('button', { name: 'Download encrypted export' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('The two passwords are not the same');
    await page.getByLabel('Password for the export file again').fill('export file password 5Rt');
    const file = await download(page, () => page.getByRole('button', { name: 'Download encrypted export' }).click());
    expect(file.name).toMatch(/^latchkey-export-\d{4}-\d{2}-\d{2}\.json$/);
    expect(JSON.parse(file.text)).toMatchObject({ format: 'latchkey-export', version: 1, kdf: { algorithm: 'argon2id', memoryKiB: 65536 } });
    expect(file.text).not.toContain('Intranet-pw-4471-kq');
    await page.getByText('Exported 1203 item(s) from 3 vault(s)').waitFor();
    encrypted = file.text;
  });

  it('imports that file into a new vault of another account, at phone width, only with its password', async () => {
    const bo = await signUpUser(server, { password: 'second account password 3Kd' });
    const phone = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const p = await phone.newPage();
    pages.push(p);
    await signInOnNewBrowser(p, server.url, bo);
    await openFromNavigation(p, 'Import');
    await heading(p, 'Import').waitFor();
    await pickFile(p, 'latchkey-export.json', encrypted);
    await p.getByLabel('All into a new vault').check();
    await p.getByLabel('New vault name').fill('From Ana');
    await p.getByLabel('Password of the export file', { exact: true }).fill('not the password at all');
    await p.getByRole('button', { name: 'Preview the import' }).click();
    await expect
      .poll(() => p.getByRole('alert').innerText(), { timeout: 30_000 })
      .toBe('This is not a readable Latchkey export: the password is not right, or the file was altered or cut short. Nothing was imported.');
    await p.getByLabel('Password of the export file', { exact: true }).fill('export file password 5Rt');
    await p.getByRole('button', { name: 'Preview the import' }).click();
    await p.getByRole('region', { name: 'Preview' }).waitFor({ timeout: 30_000 });
    expect(await p.getByRole('region', { name: 'Preview' }).innerText()).toContain('New vault to be created: From Ana');
    await screenshot(p, 'import-03-phone-preview');
    await p.getByRole('button', { name: 'Import 1203 items' }).click();
    await heading(p, 'Import done').waitFor();
    const into = (await bo.client.vaults.list()).find((v) => v.name === 'From Ana')!;
    expect(fields(await bo.client.items.list(into.id))).toEqual(fields(await ana.client.items.list()));
    await phone.close();
  });

  it('writes JSON or CSV in clear only after the explicit confirmation', async () => {
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByLabel('JSON, not encrypted').check();
    const warning = page.getByRole('note');
    expect(await warning.innerText()).toMatch(/^latchkey-export-\d{4}-\d{2}-\d{2}-plaintext\.json will hold every password in clear\./);
    await page.getByRole('button', { name: 'Download JSON (not encrypted)' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Tick “I understand this file is not encrypted” first');
    await page.waitForTimeout(500);
    expect(downloads).toEqual([]);
    await screenshot(page, 'export-01-plaintext-warning');

    await page.getByLabel('I understand this file is not encrypted').check();
    const json = await download(page, () => page.getByRole('button', { name: 'Download JSON (not encrypted)' }).click());
    expect(JSON.parse(json.text)).toMatchObject({ format: 'latchkey-export-content', version: 1 });
    expect(json.text).toContain('Intranet-pw-4471-kq');
    await page.getByText('(in clear: delete it when done)').waitFor();
    // The confirmation is for one file: the next needs it again.
    await page.getByLabel('CSV, not encrypted').check();
    expect(await page.getByLabel('I understand this file is not encrypted').isChecked()).toBe(false);
    await page.getByLabel('I understand this file is not encrypted').check();
    const csv = await download(page, () => page.getByRole('button', { name: 'Download CSV (not encrypted)' }).click());
    expect(csv.name).toMatch(/-plaintext\.csv$/);
    expect(csv.text.split('\r\n')[0]).toBe('vault,kind,title,username,password,urls,notes,totp');
    expect(downloads).toHaveLength(2);
  });
});
