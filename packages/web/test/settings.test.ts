/**
 * Copying and the Settings page in the web app (issue 15, "copy that people can see" and
 * "settings"): every Copy button shows a visible toast, and what was copied is taken off the
 * clipboard after the configured time, but only when it is still there; the Secret Key can be
 * copied at sign-up. The Settings page changes the clipboard time, the idle lock (down to "only
 * when the browser closes") and the theme, at once and across reloads, at 1280 and 375 px. Real Chromium, with the
 * clipboard permissions a person grants, against an in-process server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { extractCode, signUpUser, startTestServer, type TestServer, type TestUser, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, signInOnNewBrowser } from './helpers/browser.ts';

const LOGIN = { kind: 'login' as const, title: 'Harbour Credit Union c8', username: 'clip.user.r4@example.net', password: 'Clip-pw-Orchid-5521-q' };

let server: TestServer;
let browser: Browser;
let user: TestUser;
let context: BrowserContext;
let page: Page;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
const clipboard = (p: Page) => p.evaluate(() => navigator.clipboard.readText());
const toast = (p: Page) => p.locator('.toast');

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'clipboard test password 4Wq fern' });
  const [vault] = await user.client.vaults.list();
  await user.client.items.create(vault!.id, LOGIN);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `clipboard-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('copying in the web app', () => {
  it('offers to copy the Secret Key at sign-up, and says it did', async () => {
    // Its own browser profile: the account made here must not be the one signed in below.
    const signUpContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await signUpContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const signUp = await signUpContext.newPage();
    const email = uniqueEmail('clip-signup');
    await signUp.goto(`${server.url}/signup`);
    await heading(signUp, 'Create your Latchkey account').waitFor();
    await signUp.getByLabel('Email address').fill(email);
    const sentAfter = Date.now() - 1000;
    await signUp.getByRole('button', { name: 'Send me a code' }).click();
    await heading(signUp, 'Check your email').waitFor();
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
    await signUp.getByLabel('Code from the email').fill(extractCode(mail.text));
    await signUp.getByLabel('Your name').fill('Clip Board');
    await signUp.getByLabel('Account password', { exact: true }).fill('sign-up copy password 8Tz heron');
    await signUp.getByLabel('Account password again').fill('sign-up copy password 8Tz heron');
    await signUp.getByRole('button', { name: 'Create account' }).click();
    await heading(signUp, 'Your Secret Key').waitFor({ timeout: 60_000 });
    const secretKey = (await signUp.locator('.secret-key').innerText()).trim();

    await signUp.getByRole('button', { name: 'Copy secret key' }).click();
    await expect.poll(() => toast(signUp).textContent()).toContain('Secret Key copied');
    expect(await toast(signUp).isVisible()).toBe(true);
    expect(await clipboard(signUp)).toBe(secretKey);
    await screenshot(signUp, 'clipboard-01-secret-key-copied');
    await signUpContext.close();
  });

  it('copies a password with a visible toast, and clears the clipboard after the configured time', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.evaluate(() => localStorage.setItem('latchkey.clipboardClearSeconds', '2'));

    await page.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await page.getByRole('button', { name: 'Copy password' }).click();
    await expect.poll(() => toast(page).textContent()).toBe('Password copied. The clipboard is cleared in 2 s.');
    expect(await toast(page).isVisible()).toBe(true);
    expect(await clipboard(page)).toBe(LOGIN.password);
    await screenshot(page, 'clipboard-02-password-copied');
    await expect.poll(() => clipboard(page), { timeout: 10_000 }).toBe('');
    // The toast goes away by itself.
    await expect.poll(() => toast(page).count(), { timeout: 10_000 }).toBe(0);
  });

  it('leaves the clipboard alone when something else was copied since', async () => {
    await page.getByRole('button', { name: 'Copy username' }).click();
    await expect.poll(() => toast(page).textContent()).toContain('Username copied');
    expect(await clipboard(page)).toBe(LOGIN.username);
    await page.evaluate(() => navigator.clipboard.writeText('copied from another app'));
    // Well past the 2 s: the pending clear ran and found someone else's text.
    await page.waitForTimeout(3_500);
    expect(await clipboard(page)).toBe('copied from another app');
  });

  it('is linked from the navigation; the clipboard time chosen there is the one used', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await heading(page, 'Settings').waitFor();
    await page.getByRole('group', { name: 'Clear copied passwords from the clipboard after' }).getByLabel('10 seconds').check();
    await screenshot(page, 'settings-01-page');
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await page.getByRole('button', { name: 'Copy password' }).click();
    await expect.poll(() => toast(page).textContent()).toBe('Password copied. The clipboard is cleared in 10 s.');
    expect(await page.evaluate(() => localStorage.getItem('latchkey.clipboardClearSeconds'))).toBe('10');
  });

  it('switches the theme at once, and keeps it after a reload', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body.parentElement as HTMLElement).backgroundColor);
    await page.getByRole('link', { name: 'Settings' }).click();
    const theme = page.getByRole('group', { name: 'Theme' });
    await theme.getByLabel('Dark').check();
    await expect.poll(background).toBe('rgb(18, 19, 23)');
    await screenshot(page, 'settings-02-dark');
    await theme.getByLabel('Light').check();
    await expect.poll(background).toBe('rgb(246, 247, 249)');
    await theme.getByLabel('Dark').check();
    await page.reload();
    await heading(page, 'Latchkey is locked').waitFor();
    await expect.poll(background).toBe('rgb(18, 19, 23)');
  });

  it('does not lock on idle when set to lock only when the browser closes', async () => {
    // A 5-second idle lock first (below what the page offers; the same setting), to see the change matter.
    await page.evaluate(() => localStorage.setItem('latchkey.idleLockSeconds', '5'));
    await page.reload();
    await heading(page, 'Latchkey is locked').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Unlock' }).click();
    // Unlocking comes back to the page it locked on.
    await heading(page, 'Settings').waitFor({ timeout: 60_000 });
    await page.getByRole('group', { name: 'Lock Latchkey after no activity for' }).getByLabel('Only when the browser closes').check();
    expect(await page.getByRole('note').filter({ hasText: 'Lock it yourself' }).isVisible()).toBe(true);
    // The 5-second watch would have locked by now: the change took effect at once.
    await page.waitForTimeout(7_000);
    expect(await heading(page, 'Settings').isVisible()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('latchkey.idleLockSeconds'))).toBe('browser-close');

    await page.getByRole('group', { name: 'Lock Latchkey after no activity for' }).getByLabel('1 minute').check();
    expect(await page.evaluate(() => localStorage.getItem('latchkey.idleLockSeconds'))).toBe('60');
  });

  it('works at phone width: from the menu, 1 minute to 8 hours or browser close, clipboard and theme, no sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await openFromNavigation(page, 'Settings');
    await heading(page, 'Settings').waitFor();
    const lock = page.getByRole('group', { name: 'Lock Latchkey after no activity for' });
    expect(await lock.getByRole('radio').evaluateAll((radios) => radios.map((r) => r.parentElement?.textContent?.trim()))).toEqual([
      '1 minute',
      '5 minutes',
      '10 minutes',
      '30 minutes',
      '1 hour',
      '4 hours',
      '8 hours',
      'Only when the browser closes',
    ]);
    await lock.getByLabel('8 hours').check();
    expect(await page.evaluate(() => localStorage.getItem('latchkey.idleLockSeconds'))).toBe('28800');
    await page.getByRole('group', { name: 'Clear copied passwords from the clipboard after' }).getByLabel('5 minutes').check();
    expect(await page.evaluate(() => localStorage.getItem('latchkey.clipboardClearSeconds'))).toBe('300');
    await page.getByRole('group', { name: 'Theme' }).getByLabel('Light').check();
    expect(await page.evaluate(() => localStorage.getItem('latchkey.theme'))).toBe('light');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'settings-03-phone');
  });
});
