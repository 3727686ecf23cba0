/**
 * Live one-time codes in the web app (issue 15 §1): an item with a TOTP secret shows the current
 * code, the same as the `otpauth` library's for the same secret and time, with a countdown and
 * a Copy button; the item editor takes a pasted setup key or an otpauth:// URI and refuses one
 * that is not usable; at phone width too. Each view is named in the window title, never with an item's title (the
 * window title goes into the browser history). Real Chromium against an in-process server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, screenshot, signInOnNewBrowser } from './helpers/browser.ts';

const URI_SECRET = 'KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ';
const ITEM = {
  kind: 'login' as const,
  title: 'Northwind Portal t6',
  username: 'otp.user@example.net',
  password: 'Otp-pw-Lark-2290',
  totp: `otpauth://totp/Northwind:otp.user?secret=${URI_SECRET}&issuer=Northwind&digits=6&period=30`,
};
const PASTED_SECRET = 'JBSW Y3DP EHPK 3PXP';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;

const shownCode = () => page.locator('.one-time-code').getAttribute('data-code');
/** Codes around now: the period may turn over between reading the page and computing. */
const referenceCodes = (secret: string) => {
  const totp = new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')) });
  const now = Date.now();
  return [totp.generate({ timestamp: now - 1500 }), totp.generate({ timestamp: now })];
};

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'one-time codes password 3Hv birch' });
  const [vault] = await user.client.vaults.list();
  await user.client.items.create(vault!.id, ITEM);
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
    await screenshot(page, `totp-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('one-time codes in the web app', () => {
  it("shows the current code of an otpauth:// secret, equal to otpauth's, with a countdown and Copy", async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.getByRole('link', { name: new RegExp(ITEM.title) }).click();
    await page.locator('.one-time-code').waitFor();

    expect(referenceCodes(URI_SECRET)).toContain(await shownCode());
    expect(await page.locator('.one-time-code').innerText()).toMatch(/^\d{3} \d{3}$/);
    expect(await page.locator('.countdown').innerText()).toMatch(/^([1-9]|[12]\d|30) s$/);
    await screenshot(page, 'totp-01-code');

    await page.getByRole('button', { name: 'Copy one-time code' }).click();
    await expect.poll(() => page.locator('.toast').textContent()).toContain('One-time code copied');
    expect(referenceCodes(URI_SECRET)).toContain(await page.evaluate(() => navigator.clipboard.readText()));

    // The code follows the clock: the countdown moves on by itself.
    const first = await page.locator('.countdown').innerText();
    await expect.poll(() => page.locator('.countdown').innerText(), { timeout: 5_000 }).not.toBe(first);
  });

  it('takes a pasted setup key in the editor, refuses one that is not usable, and shows its code', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const field = page.getByLabel('One-time password (TOTP)', { exact: true });
    await field.fill('not a secret at all!');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('TOTP secret is not usable');
    await field.fill(PASTED_SECRET);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Changes saved.').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.locator('.one-time-code').waitFor();
    expect(referenceCodes(PASTED_SECRET)).toContain(await shownCode());
    // The device that did not make the change sees the same secret.
    const stored = await user.client.items.list();
    expect(stored.find((i) => i.title === ITEM.title)?.totp).toBe(PASTED_SECRET);
  });

  it("names each view in the window title, and never puts an item's title there", async () => {
    expect(await page.title()).toBe('Item – Latchkey');
    await page.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.title()).toBe('Edit item – Latchkey');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await expect.poll(() => page.title()).toBe('Items – Latchkey');
    for (const [link, title] of [
      ['Sessions', "Where you're signed in"],
      ['Settings', 'Settings'],
      ['Generator', 'Password generator'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await expect.poll(() => page.title()).toBe(`${title} – Latchkey`);
    }
    await page.getByRole('button', { name: 'Lock' }).click();
    await expect.poll(() => page.title()).toBe('Latchkey is locked');
  });

  it('shows the code and its Copy at phone width, with the toast, and no sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const phone = await context.newPage();
    try {
      await signInOnNewBrowser(phone, server.url, user);
      await phone.getByRole('link', { name: new RegExp(ITEM.title) }).click();
      const code = phone.locator('.one-time-code');
      await code.waitFor();
      expect(referenceCodes(PASTED_SECRET)).toContain(await code.getAttribute('data-code'));
      await phone.getByRole('button', { name: 'Copy one-time code' }).click();
      await expect.poll(() => phone.locator('.toast').textContent()).toContain('One-time code copied');
      expect(await phone.locator('.toast').isVisible()).toBe(true);
      expect(referenceCodes(PASTED_SECRET)).toContain(await phone.evaluate(() => navigator.clipboard.readText()));
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await screenshot(phone, 'totp-02-code-375');
    } finally {
      await context.close();
    }
  });
});
