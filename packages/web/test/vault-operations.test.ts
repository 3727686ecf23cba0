/**
 * Renaming and deleting vaults, and moving items between them, in the web app (issue 15 §3,
 * docs/protocol.md §8.6, §8.7): a vault chosen in the list is renamed in place; an item moves to
 * another vault from its view and is then there (checked through the SDK); deleting a vault says
 * first which items go, asks for the password, and then deletes exactly that. Desktop and
 * mobile widths, screenshots kept; axe-core over the move and the deletion steps. Real Chromium against an in-process server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { VaultId } from '@latchkey/core/ids';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, seriousAxeViolations, signInOnNewBrowser } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;
let personal: VaultId;
let side: VaultId;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'vault page password 5Rk osprey' });
  personal = (await user.client.vaults.list())[0]!.id;
  side = (await user.client.vaults.create('Side project')).id;
  await user.client.items.create(side, { kind: 'login', title: 'Old staging login', username: 'stage', password: 'Stage-pw-Moss-2210' });
  await user.client.items.create(side, { kind: 'login', title: 'Domain registrar', username: 'owner', password: 'Registrar-Quartz-93' });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const shown = () => page.locator('.item-list .item-title').allInnerTexts();

describe('vaults and moving items in the web app', () => {
  it('renames a vault, moves an item out of it, then deletes it after saying what goes', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.getByLabel('Vault', { exact: true }).selectOption({ label: 'Side project' });
    await page.getByRole('button', { name: 'Rename Side project' }).click();
    await page.getByLabel('New name for Side project').fill('Client work');
    await page.getByRole('button', { name: 'Rename vault' }).click();
    await expect.poll(() => page.getByLabel('Vault', { exact: true }).locator('option:checked').innerText()).toBe('Client work');
    expect((await user.client.vaults.list()).find((v) => v.id === side)?.name).toBe('Client work');
    await expect.poll(async () => (await shown()).sort()).toEqual(['Domain registrar', 'Old staging login']);

    // Moving the registrar login to Personal: re-encrypted there, gone from Client work.
    await page.getByRole('link', { name: /Domain registrar/ }).click();
    await page.getByRole('button', { name: 'Move to another vault' }).click();
    const move = page.getByRole('group', { name: 'Move item' });
    await move.getByLabel('Move “Domain registrar” to').selectOption({ label: 'Personal' });
    await screenshot(page, 'vault-ops-01-move-1280');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await move.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => page.locator('p.notice').innerText()).toContain('Moved “Domain registrar” to Personal.');
    await expect.poll(() => page.locator('.item-view .hint').first().innerText()).toContain('in Personal');
    expect(await page.getByRole('group', { name: 'Move item' }).count()).toBe(0);
    const moved = (await user.client.items.list()).find((i) => i.title === 'Domain registrar');
    expect(moved).toMatchObject({ vaultId: personal, version: 2, username: 'owner', password: 'Registrar-Quartz-93' });
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'vault-ops-02-moved-375');
    await page.setViewportSize({ width: 1280, height: 860 });

    // Deleting Client work: told first that the staging login goes with it.
    // At desktop width the list sits beside the item (no "All items" link).
    await page.getByLabel('Vault', { exact: true }).selectOption({ label: 'Client work' });
    await expect.poll(shown).toEqual(['Old staging login']);
    await page.getByRole('button', { name: 'Delete Client work' }).click();
    const confirm = page.getByRole('group', { name: 'Delete Client work' });
    await expect.poll(() => confirm.innerText()).toContain('1 item: Old staging login');
    expect(await confirm.innerText()).toContain('0 items in its Trash');
    await screenshot(page, 'vault-ops-03-delete-1280');
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'vault-ops-04-delete-375');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 860 });
    // Cancel keeps everything.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await user.client.vaults.list()).map((v) => v.id)).toContain(side);

    await page.getByRole('button', { name: 'Delete Client work' }).click();
    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Delete vault for good' }).click();
    await expect.poll(() => page.locator('p.notice').innerText()).toContain('Deleted the vault “Client work” and 1 item.');
    await expect
      .poll(async () => (await page.getByLabel('Vault', { exact: true }).locator('option').allInnerTexts()).sort())
      .toEqual(['All vaults', 'Personal']);
    expect((await user.client.vaults.list()).map((v) => v.id)).toEqual([personal]);
    expect((await user.client.items.list()).map((i) => i.title)).toEqual(['Domain registrar']);
    await screenshot(page, 'vault-ops-05-deleted-1280');
    // The security log names what happened, in words.
    await openFromNavigation(page, 'Security log');
    await expect.poll(() => page.locator('main').innerText()).toContain('Vault deleted with its items');
    const log = await page.locator('main').innerText();
    expect(log).toContain('1 item deleted');
    expect(log).toContain('Item moved to another vault');
    expect(log).toContain('Vault renamed');
    await openFromNavigation(page, 'Items');
    // The Personal vault offers a rename, never a deletion.
    await page.getByLabel('Vault', { exact: true }).selectOption({ label: 'Personal' });
    await page.getByRole('button', { name: 'Rename Personal' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete Personal' }).count()).toBe(0);
  });
});
