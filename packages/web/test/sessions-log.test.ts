/**
 * Sessions and the security log in the web app (issue 15, item 10): each session shows the
 * address it signed in from and the network around it as the server saw it (no lookup), and
 * first and last use; the security log reads in words, marks failed attempts, and filters by
 * kind. The browser sits "behind a proxy" (the server trusts 127.0.0.1 for X-Forwarded-For and
 * the browser sends a public address), so the two sessions come from different places: the
 * browser from 203.0.113.0/24, the SDK from the server's own machine. At 1280 and 375 px.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, signInOnNewBrowser } from './helpers/browser.ts';

const BROWSER_IP = '203.0.113.45';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let context: BrowserContext;
let page: Page;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });

beforeAll(async () => {
  server = await startTestServer({ args: ['--trust-proxy', '127.0.0.1'] });
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'sessions log password 6Hd willow' });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, extraHTTPHeaders: { 'x-forwarded-for': BROWSER_IP } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `sessions-log-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('sessions and the security log', () => {
  it('shows each session with its address, the network it came from, and first and last use', async () => {
    // A wrong Secret Key first (another account's, so well formed): a failed attempt for the log.
    const stranger = await signUpUser(server);
    await page.goto(server.url);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Secret Key').fill(stranger.secretKey);
    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /Secret Key/ })
      .waitFor({ timeout: 30_000 });

    await signInOnNewBrowser(page, server.url, user);
    await openFromNavigation(page, 'Sessions');
    await heading(page, "Where you're signed in").waitFor();
    const sessions = page.locator('.sessions li');
    await expect.poll(() => sessions.count()).toBe(2);
    const mine = sessions.filter({ hasText: 'This browser' });
    expect(await mine.getByTestId('session-place').innerText()).toBe(`From network 203.0.113.0/24 · IP ${BROWSER_IP}`);
    expect(await mine.innerText()).toMatch(/Signed in .+ · last used .+/);
    const sdk = sessions.filter({ hasNotText: 'This browser' });
    expect(await sdk.getByTestId('session-place').innerText()).toBe("From this server's own machine (loopback) · IP 127.0.0.1");
    await screenshot(page, 'sessions-log-01-sessions');
  });

  it('reads the security log in words, marks failed attempts, and filters by kind', async () => {
    await openFromNavigation(page, 'Security log');
    await heading(page, 'Security log').waitFor();
    expect(await page.title()).toBe('Security log – Latchkey');
    const events = page.locator('.log-events li');
    await expect.poll(() => events.count()).toBeGreaterThanOrEqual(3);
    const created = events.filter({ hasText: 'Account created' });
    expect(await created.innerText()).toContain("This server's own machine (loopback) · IP 127.0.0.1");
    const signedIn = events.filter({ hasText: 'Signed in on a new device' });
    expect(await signedIn.innerText()).toContain(`Network 203.0.113.0/24 · IP ${BROWSER_IP}`);
    const refused = events.filter({ hasText: 'Sign-in refused: right password, wrong Secret Key' });
    expect(await refused.getAttribute('class')).toBe('warn');
    expect(await refused.innerText()).toContain(BROWSER_IP);
    // Newest first: the sign-in came after the refused attempt, which came after the sign-up.
    const types = await events.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    expect(types.indexOf('sign-in.new-device')).toBeLessThan(types.indexOf('sign-in.wrong-secret-key'));
    expect(types.indexOf('sign-in.wrong-secret-key')).toBeLessThan(types.indexOf('account.created'));
    // No raw event type is shown to people.
    expect(await page.locator('main').innerText()).not.toMatch(/sign-in\.|account\.created/);
    await screenshot(page, 'sessions-log-02-log');

    await page.getByLabel('Show').selectOption('failed');
    await expect.poll(() => events.count()).toBe(1);
    expect(await events.first().getAttribute('data-event-type')).toBe('sign-in.wrong-secret-key');
    expect(await page.getByRole('status').filter({ hasText: 'Showing 1 event.' }).isVisible()).toBe(true);
    await page.getByLabel('Show').selectOption('sign-ins');
    await expect
      .poll(() => events.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type'))))
      .toEqual(['sign-in.new-device', 'account.created']);
    await page.getByLabel('Show').selectOption('recovery');
    await expect.poll(() => events.count()).toBe(0);
    expect(await page.getByText('No events of this kind.').isVisible()).toBe(true);
    await page.getByLabel('Show').selectOption('all');
    await expect.poll(() => events.count()).toBe(types.length);
  });

  it('works at phone width: both pages from the menu, no sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await openFromNavigation(page, 'Sessions');
    await heading(page, "Where you're signed in").waitFor();
    await expect.poll(() => page.locator('.sessions li').count()).toBe(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'sessions-log-03-phone-sessions');
    await openFromNavigation(page, 'Security log');
    await heading(page, 'Security log').waitFor();
    await page.locator('.log-events li').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'sessions-log-04-phone-log');
  });
});
