/**
 * The Trash in the web app (issue 15 §3, docs/protocol.md §8.4): deleting says the item went to
 * the Trash; the vault's Trash lists it with Restore, which brings it back with its content;
 * Empty Trash asks first, and then deletes for good. Desktop and mobile widths, screenshots kept.
 * Real Chromium against an in-process server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, screenshot, signInOnNewBrowser } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'trash page password 7Qm willow' });
  const [vault] = await user.client.vaults.list();
  await user.client.items.create(vault!.id, { kind: 'login', title: 'Harbor Bank t3', username: 'harbor.user', password: 'Harbor-pw-Fern-4471' });
  await user.client.items.create(vault!.id, { kind: 'note', title: 'Locker combination t3', notes: '12-34-56' });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const trashEntries = () => page.locator('.trash-list .item-title').allInnerTexts();

describe('the Trash in the web app', () => {
  it('deleting moves to the Trash; Restore brings the item back intact; Empty Trash asks, then deletes for good', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.getByRole('link', { name: /Harbor Bank t3/ }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Confirm delete' }).innerText()).toContain('restore it from there for 30 days');
    await page.getByRole('button', { name: 'Move to Trash' }).click();
    await expect.poll(() => page.locator('p.notice').innerText()).toContain('Moved “Harbor Bank t3” to the Trash of Personal');
    await expect.poll(() => page.locator('.item-list li').count()).toBe(1);

    await page.getByRole('button', { name: 'Trash of Personal' }).click();
    await page.getByRole('heading', { name: 'Trash of Personal' }).waitFor();
    await expect.poll(trashEntries).toEqual(['Harbor Bank t3']);
    expect(await page.locator('.trash-list .item-sub').innerText()).toMatch(/harbor\.user · deleted .* · 30 days left/);
    await screenshot(page, 'trash-01-list-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'trash-02-list-375');
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole('button', { name: 'Restore Harbor Bank t3' }).click();
    await expect.poll(() => page.locator('p.notice').innerText()).toContain('Restored “Harbor Bank t3”.');
    await expect.poll(() => page.getByText('The Trash is empty.').isVisible()).toBe(true);
    const restored = (await user.client.items.list()).find((i) => i.title === 'Harbor Bank t3');
    expect(restored).toMatchObject({ username: 'harbor.user', password: 'Harbor-pw-Fern-4471', version: 3 });

    // Two items in the Trash, then emptied after the confirmation; "Keep them" first keeps them.
    for (const item of await user.client.items.list()) await user.client.items.delete(item.id, item);
    await page.getByRole('link', { name: '← All items' }).click();
    await page.getByRole('button', { name: 'Trash of Personal' }).click();
    await expect.poll(async () => (await trashEntries()).sort()).toEqual(['Harbor Bank t3', 'Locker combination t3']);
    await page.getByRole('button', { name: 'Empty Trash' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm emptying the Trash' });
    await expect.poll(() => confirm.innerText()).toContain('Delete all 2 items in the Trash for good? This cannot be undone.');
    await screenshot(page, 'trash-03-confirm-empty');
    await page.getByRole('button', { name: 'Keep them' }).click();
    expect((await user.client.items.trash(restored!.vaultId)).length).toBe(2);
    await page.getByRole('button', { name: 'Empty Trash' }).click();
    await page.getByRole('button', { name: 'Delete them for good' }).click();
    await expect.poll(() => page.locator('p.notice').innerText()).toContain('2 items deleted for good');
    await expect.poll(() => page.getByText('The Trash is empty.').isVisible()).toBe(true);
    expect(await user.client.items.trash(restored!.vaultId)).toEqual([]);
  });
});
