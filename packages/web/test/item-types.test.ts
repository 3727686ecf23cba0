/**
 * Item types in the web app (issue 15 item 4, and the password history of item 3): the editor
 * per kind (a credit card refused with core's reason until its expiry is right, an identity),
 * custom fields, tags and favourites; the view with secrets masked and the password history
 * hidden until asked for, each earlier password copyable; search over title, username, website,
 * notes and tags with a "no results" state, and the tag and favourites filters. Desktop and
 * 375 px, screenshots kept. Real Chromium against an in-process server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, screenshot, seriousAxeViolations, signInOnNewBrowser } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'item types password 8Rk juniper' });
  const [vault] = await user.client.vaults.list();
  await user.client.items.create(vault!.id, {
    kind: 'login',
    title: 'Harbor Mail t4',
    username: 'harbor.user',
    password: 'Harbor-first-Kelp-51',
    urls: ['https://mail.harbor.example'],
    tags: ['work'],
  });
  await user.client.items.create(vault!.id, { kind: 'note', title: 'Boiler manual t4', notes: 'Reset code is on the side panel, model Quetzal' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `item-types-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

/** The listed titles, a favourite's star and its spoken "Favourite:" left off. */
const listTitles = async () => (await page.locator('.item-list .item-title').allInnerTexts()).map((t) => t.replace(/^★\s*Favourite:\s*/, ''));
const favouriteTitles = async () => (await page.locator('.item-list .item-title').allInnerTexts()).filter((t) => t.startsWith('★'));
/** Back to the list: a link at phone width; at desktop width the list is beside the item already. */
const allItems = async () => {
  const back = page.getByRole('link', { name: '← All items' });
  if (await back.isVisible()) await back.click();
};
const sdkItem = async (title: string) => (await user.client.items.list()).find((i) => i.title === title);

describe('item types in the web app', () => {
  it('saves a credit card (the expiry refused with its reason first) with a hidden custom field, tags and the favourite mark', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.getByRole('button', { name: 'New item' }).click();
    await page.getByLabel('Kind').selectOption('card');
    await page.getByLabel('Title').fill('Travel Visa t4');
    await page.getByLabel('Name on card').fill('Alice Example');
    await page.getByLabel('Card number', { exact: true }).fill('4111 1111 1111 1111');
    await page.getByLabel('Expiry (MM/YY)').fill('13/30');
    await page.getByLabel('Security code', { exact: true }).fill('737');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Label of field 1').fill('Online banking PIN');
    await page.getByLabel('Kind of Online banking PIN').selectOption('hidden');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Value of Online banking PIN', { exact: true }).fill('8642');
    await page.getByLabel('Tags').fill('money, travel');
    await page.getByLabel('Favourite', { exact: true }).check();
    await screenshot(page, 'item-types-01-card-editor-1280');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('A card expiry is MM/YY or MM/YYYY.');
    expect(await sdkItem('Travel Visa t4')).toBeUndefined();

    await page.getByLabel('Expiry (MM/YY)').fill('09/30');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Travel Visa t4' }).waitFor();
    expect(await page.locator('.item-view .hint').first().innerText()).toContain('★ Favourite · Credit card in Personal');
    expect(await page.locator('.item-view .tags').innerText()).toMatch(/money\s+travel/);
    const view = await page.locator('.item-view .fields').innerText();
    expect(view).not.toContain('4111');
    expect(view).not.toContain('8642');
    await page.getByRole('button', { name: 'Reveal card number' }).click();
    expect(await page.locator('.item-view .fields').innerText()).toContain('4111 1111 1111 1111');
    await screenshot(page, 'item-types-02-card-view-1280');
    expect(await sdkItem('Travel Visa t4')).toMatchObject({
      kind: 'card',
      card: { cardholder: 'Alice Example', number: '4111 1111 1111 1111', expiry: '09/30', securityCode: '737' },
      fields: [{ label: 'Online banking PIN', kind: 'hidden', value: '8642' }],
      tags: ['money', 'travel'],
      favourite: true,
    });
  });

  it('saves an identity at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await allItems();
    await page.getByRole('button', { name: 'New item' }).click();
    await page.getByLabel('Kind').selectOption('identity');
    await page.getByLabel('Title').fill('Passport t4');
    await page.getByLabel('Full name').fill('Alice Example');
    await page.getByLabel('Email').fill('alice@example.org');
    await page.getByLabel('Date of birth').fill('1990-02-28');
    await page.getByLabel('Tags').fill('travel');
    await screenshot(page, 'item-types-03-identity-editor-375');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 1, name: 'Passport t4' }).waitFor();
    expect(await page.locator('.item-view .fields').innerText()).toContain('alice@example.org');
    expect(await sdkItem('Passport t4')).toMatchObject({
      kind: 'identity',
      identity: { fullName: 'Alice Example', email: 'alice@example.org', birthDate: '1990-02-28' },
    });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('keeps the replaced password in the history, hidden until shown, each copyable', async () => {
    await allItems();
    await page.getByRole('link', { name: /Harbor Mail t4/ }).click();
    for (const next of ['Harbor-second-Reef-62', 'Harbor-third-Tide-73']) {
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Password', { exact: true }).fill(next);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.locator('p.notice').innerText()).toContain('Changes saved.');
    }
    expect(await page.locator('.item-view').innerText()).not.toContain('Harbor-first-Kelp-51');
    const toggle = page.getByRole('button', { name: 'Show password history (2)' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const entries = page.locator('.history-list li');
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.nth(0).innerText()).toMatch(/Harbor-second-Reef-62\s+replaced /);
    expect(await entries.nth(1).innerText()).toMatch(/Harbor-first-Kelp-51\s+replaced /);
    await entries
      .nth(1)
      .getByRole('button', { name: /^Copy password replaced/ })
      .click();
    await expect.poll(() => page.locator('.toast').textContent()).toContain('copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('Harbor-first-Kelp-51');
    await screenshot(page, 'item-types-04-password-history-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'item-types-05-password-history-375');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 860 });
    const stored = await sdkItem('Harbor Mail t4');
    expect(stored?.passwordHistory?.map((e) => e.password)).toEqual(['Harbor-second-Reef-62', 'Harbor-first-Kelp-51']);
  });

  it('searches notes and tags, says when nothing matches, and filters by tag and favourites', async () => {
    await allItems();
    const search = page.getByLabel('Search');
    await search.fill('quetzal');
    await expect.poll(listTitles).toEqual(['Boiler manual t4']);
    await search.fill('travel');
    await expect.poll(listTitles).toEqual(['Passport t4', 'Travel Visa t4']);
    await search.fill('Harbor-first-Kelp-51');
    await expect.poll(() => page.locator('.empty-state').innerText()).toContain('No results for “Harbor-first-Kelp-51”');
    await search.fill('zebra crossing');
    await expect.poll(() => page.locator('.empty-state').innerText()).toContain('No results for “zebra crossing”');
    expect(await listTitles()).toEqual([]);
    await screenshot(page, 'item-types-06-no-results-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'item-types-07-no-results-375');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect.poll(async () => (await listTitles()).length).toBe(4);

    await page.getByLabel('Tag', { exact: true }).selectOption('travel');
    await expect.poll(listTitles).toEqual(['Passport t4', 'Travel Visa t4']);
    await page.getByLabel('Favourites only').check();
    await expect.poll(listTitles).toEqual(['Travel Visa t4']);
    expect(await favouriteTitles()).toHaveLength(1);
    await page.getByLabel('Tag', { exact: true }).selectOption('work');
    await expect.poll(() => page.locator('.empty-state').innerText()).toContain('No results tagged “work” among favourites');
    await screenshot(page, 'item-types-08-filters-1280');
  });
});
