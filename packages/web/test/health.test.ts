/**
 * The Health page (issue 15 item 6): weak, reused and old passwords found in the browser, each
 * category listed with links to its items, no password shown, at 1280 and 375 px. The old
 * password is made old on the server's side (its row's updated_at a year and more back), as the
 * browser only knows the server's time of an item's last change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, signInOnNewBrowser, watchContext } from './helpers/browser.ts';

const REUSED = 'Harbor-Quill-58-lantern';
const PASSWORDS = { forum: 'Password1', bank: 'N8v$Lq2#Zp9@Wm4!Rt6x', fresh: 'Quartz-meadow-71-lantern' };

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;
let requests: ReturnType<typeof watchContext>['requests'];
const ids: Record<string, string> = {};

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server);
  const personal = await user.client.vaults.find('Personal');
  const work = await user.client.vaults.create('Work');
  ids.forum = (await user.client.items.create(personal.id, { kind: 'login', title: 'Forum k2', username: 'me@example.net', password: PASSWORDS.forum })).id;
  ids.mail = (await user.client.items.create(personal.id, { kind: 'login', title: 'Mail k2', password: REUSED })).id;
  ids.chat = (await user.client.items.create(work.id, { kind: 'password', title: 'Chat k2', password: REUSED })).id;
  ids.bank = (await user.client.items.create(work.id, { kind: 'login', title: 'Bank k2', password: PASSWORDS.bank })).id;
  await user.client.items.create(personal.id, { kind: 'login', title: 'Fresh k2', password: PASSWORDS.fresh });
  await user.client.items.create(personal.id, { kind: 'note', title: 'Note k2', notes: 'no password here' });
  await server.running.context.db
    .updateTable('items')
    .set({ updated_at: new Date(Date.now() - 400 * 24 * 3600_000) })
    .where('id', '=', ids.bank)
    .execute();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  requests = watchContext(context).requests;
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `health-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

const titlesIn = (section: string) => page.getByTestId(section).locator('.item-title').allInnerTexts();

describe('the Health page', () => {
  it('lists weak, reused and old passwords, each with links to its items, and shows no password', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await openFromNavigation(page, 'Health');
    await heading(page, 'Password health').waitFor();
    expect(await page.title()).toBe('Password health – Latchkey');
    await expect
      .poll(() => page.locator('main').getByRole('status').innerText(), { timeout: 30_000 })
      .toBe('Checked 5 passwords: 1 weak, 1 password reused, 1 old.');

    expect(await titlesIn('health-weak')).toEqual(['Forum k2']);
    const weak = page.getByTestId('health-weak').locator('li');
    expect(await weak.innerText()).toContain('me@example.net · Personal');
    expect(await weak.innerText()).toContain('Weak: one of the most common passwords');

    expect(await titlesIn('health-reused')).toEqual(['Chat k2', 'Mail k2']);
    expect(await page.getByTestId('health-reused').innerText()).toContain('The same password in 2 items:');
    expect(await page.getByTestId('health-reused').innerText()).toContain('Work');

    expect(await titlesIn('health-old')).toEqual(['Bank k2']);
    expect(await page.getByTestId('health-old').innerText()).toMatch(/Last changed .+ \(400 days ago\)/);

    const text = await page.locator('main').innerText();
    for (const password of [REUSED, ...Object.values(PASSWORDS)]) expect(text).not.toContain(password);
    // Computed here: no request the page made carries a password.
    expect(requests.filter((r) => [REUSED, ...Object.values(PASSWORDS)].some((p) => r.body.includes(p) || r.url.includes(encodeURIComponent(p))))).toEqual([]);
    await screenshot(page, 'health-01-report');
  });

  it('opens an item from its link, and the report follows a fixed password', async () => {
    await page.getByTestId('health-weak').getByRole('link', { name: 'Forum k2' }).click();
    await page.getByRole('button', { name: 'Copy password' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(`/items/${ids.forum}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Password', { exact: true }).fill('Velvet-ox-93-tangerine');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Changes saved.').isVisible(), { timeout: 30_000 }).toBe(true);

    await openFromNavigation(page, 'Health');
    await expect
      .poll(() => page.locator('main').getByRole('status').innerText(), { timeout: 30_000 })
      .toBe('Checked 5 passwords: 0 weak, 1 password reused, 1 old.');
    expect(await page.getByTestId('health-weak').innerText()).toContain('No weak passwords.');
    // A link of a reused group opens that item too.
    await page.getByTestId('health-reused').getByRole('link', { name: 'Chat k2' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/items/${ids.chat}`);
  });

  it('works at phone width: from the menu, no sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await openFromNavigation(page, 'Health');
    await heading(page, 'Password health').waitFor();
    await page.getByTestId('health-old').locator('li').first().waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'health-02-phone');
  });
});
