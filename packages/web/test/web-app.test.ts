/**
 * The web app end to end in a real Chromium against an in-process server (SPEC §3.3):
 * sign-up with the emailed code, the Emergency Kit PDF, items (create, view, edit, conflict,
 * delete), sessions, lock/unlock with the key derivation in a Web Worker, idle lock, sign-out,
 * and sign-in on a fresh browser with the Secret Key. Every request body the pages send is
 * recorded and checked for the password, the Secret Key and every item field.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseItemId } from '@latchkey/core/ids';
import { createSetupCode } from '@latchkey/core/setup-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { extractCode, startTestServer, type TestServer, waitForEmail } from '@latchkey/server/testing';
import { extractPdfText } from '@latchkey/client/testing';
import { launchChromium, screenshot, watchContext, type RecordedRequest } from './helpers/browser.ts';

const EMAIL = `web-${Date.now().toString(36)}@example.com`;
const NAME = 'Wendy Webb';
const PASSWORD = 'correct horse battery staple 7Qx';

/** Distinctive item contents, so a leak is found by a plain substring search. */
const LOGIN = {
  title: 'Zephyr Bank qv7',
  username: 'wendy.zq3@example.net',
  password: 'Sx9-pw-Kite-7731-zz',
  url: 'https://bank.zephyr-qv7.example',
  notes: 'Security question answer: Pelican 88',
};
const EDITED_USERNAME = 'wendy.edited.k2@example.net';
const SDK_USERNAME = 'changed-from-sdk-j4@example.net';
const NOTE = { title: 'Wifi router note m5', notes: 'Router admin passphrase: lantern-orbit-9' };
const VAULT_NAME = 'Travel documents h8';

let server: TestServer;
let browser: Browser;
let secretKey = '';
let generatedPassword = '';
/** A second device (the SDK) signed in to the same account: edits behind the browser's back. */
let otherDevice: ReturnType<TestServer['client']>;
const allRequests: RecordedRequest[] = [];
const allProblems: string[] = [];

async function newContext(options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 860 }, acceptDownloads: true });
  const watched = watchContext(context);
  // Shared arrays: every request of every context ends up in one list for the leak check.
  context.on('close', () => {
    allRequests.push(...watched.requests);
    allProblems.push(...watched.problems);
  });
  const page = await context.newPage();
  return { context, page };
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('web app', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ context, page } = await newContext());
  });

  // A failing step leaves a picture of what the page showed.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && !page.isClosed())
      await screenshot(page, `failed-${task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('serves the app with a strict Content-Security-Policy and an SPA fallback', async () => {
    const response = await fetch(`${server.url}/items/some-id`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const api = await fetch(`${server.url}/api/no-such-endpoint`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('signs up with the emailed code and shows the Secret Key', async () => {
    const downloads: unknown[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(server.url);
    await expect.poll(() => heading(page, 'Sign in to Latchkey').isVisible()).toBe(true);
    await screenshot(page, '01-sign-in-new-browser');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create your Latchkey account').waitFor();
    await page.getByLabel('Email address').fill(EMAIL);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await heading(page, 'Check your email').waitFor();
    const mail = await waitForEmail(server.dataDir, { to: EMAIL, subjectIncludes: 'verification code', after: sentAfter });
    await page.getByLabel('Code from the email').fill(extractCode(mail.text));
    await page.getByLabel('Your name').fill(NAME);
    await page.getByLabel('Account password', { exact: true }).fill('short');
    await expect.poll(() => page.getByText('Too short').isVisible()).toBe(true);
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Account password again').fill(PASSWORD);
    await screenshot(page, '02-sign-up-details');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Your Secret Key').waitFor({ timeout: 60_000 });
    secretKey = (await page.locator('.secret-key').innerText()).trim();
    expect(secretKey).toMatch(/^L1-[A-Z2-9]{6}-/);
    await screenshot(page, '03-secret-key');
    expect(downloads).toHaveLength(0); // nothing saved silently
  });

  it('downloads the Emergency Kit as a PDF holding the Secret Key when asked', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const bytes = new Uint8Array(await readFile(await download.path()));
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = await extractPdfText(bytes);
    expect(text).toContain(secretKey);
    expect(text).toContain(EMAIL);
    expect(text).not.toContain(PASSWORD);
    await page.getByRole('button', { name: 'Continue to my vault' }).click();
    await heading(page, 'Items').waitFor();
  });

  it('creates, views, searches and edits items', async () => {
    await page.getByRole('button', { name: 'New item' }).click();
    await heading(page, 'New item').waitFor();
    await page.getByLabel('Title').fill(LOGIN.title);
    await page.getByLabel('Username').fill(LOGIN.username);
    await page.getByLabel('Password', { exact: true }).fill(LOGIN.password);
    await page.getByLabel('Website').fill(LOGIN.url);
    await page.getByLabel('Notes').fill(LOGIN.notes);
    await screenshot(page, '04-item-new');
    await page.getByRole('button', { name: 'Save' }).click();
    await heading(page, LOGIN.title).waitFor();
    // The password is hidden until revealed.
    await expect.poll(() => page.getByTestId('password-value').innerText()).not.toContain(LOGIN.password);
    expect(await page.locator('body').innerText()).not.toContain(LOGIN.password);
    await page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => page.getByTestId('password-value').innerText()).toBe(LOGIN.password);
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await page.getByRole('button', { name: 'Copy password' }).count()).toBe(1);
    await screenshot(page, '05-item-view');

    // A second item, a secure note, with a password from the generator.
    await page.getByRole('button', { name: 'New item' }).click();
    await heading(page, 'New item').waitFor();
    await page.getByLabel('Kind').selectOption('password');
    await page.getByLabel('Title').fill(NOTE.title);
    await page.getByRole('button', { name: 'Generate a password' }).click();
    const readGenerated = async () => (await page.locator('output.generated').innerText()).trim();
    await expect.poll(async () => (await readGenerated()).length).toBe(20);
    generatedPassword = await readGenerated();
    await screenshot(page, '06-item-generator');
    await page.getByRole('button', { name: 'Use this password' }).click();
    await expect.poll(() => page.getByLabel('Password', { exact: true }).inputValue()).toBe(generatedPassword);
    await page.getByLabel('Notes').fill(NOTE.notes);
    await page.getByRole('button', { name: 'Save' }).click();
    await heading(page, NOTE.title).waitFor();

    // Search narrows the list.
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.getByLabel('Search').fill('zephyr');
    await expect.poll(() => page.locator('.item-list li').count()).toBe(1);
    await expect.poll(() => page.getByText('1 of 2 items match').isVisible()).toBe(true);
    await screenshot(page, '07-items-search');
    await page.getByLabel('Search').fill('');
    await expect.poll(() => page.locator('.item-list li').count()).toBe(2);

    // Edit.
    await page.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await heading(page, `Edit ${LOGIN.title}`).waitFor();
    await page.getByLabel('Username').fill(EDITED_USERNAME);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Changes saved.').isVisible()).toBe(true);
    await expect.poll(() => page.getByText(EDITED_USERNAME).first().isVisible()).toBe(true);
  });

  it('creates a vault', async () => {
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.getByRole('button', { name: 'New vault' }).click();
    await page.getByLabel('New vault name').fill(VAULT_NAME);
    await page.getByRole('button', { name: 'Create vault' }).click();
    await expect.poll(() => page.getByLabel('Vault', { exact: true }).locator('option:checked').innerText()).toBe(VAULT_NAME);
    await expect.poll(() => page.locator('.item-list li').count()).toBe(0);
    await page.getByLabel('Vault', { exact: true }).selectOption('all');
  });

  it('shows a clear conflict message when the item changed elsewhere, and reloads it', async () => {
    otherDevice = server.client();
    const sdk = otherDevice;
    await sdk.signIn({ email: EMAIL, password: PASSWORD, secretKey });
    await page.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await heading(page, `Edit ${LOGIN.title}`).waitFor();
    const itemId = /\/items\/([^/]+)\/edit/.exec(page.url())?.[1];
    expect(itemId).toBeDefined();
    await sdk.items.update(parseItemId(itemId!), { username: SDK_USERNAME });
    await page.getByLabel('Notes').fill('edited in the browser, must not overwrite');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('changed on another device');
    await screenshot(page, '08-conflict');
    await page.getByRole('button', { name: 'Reload latest version' }).click();
    await expect.poll(() => page.getByLabel('Username').inputValue()).toBe(SDK_USERNAME);
    expect(await page.getByLabel('Notes').inputValue()).toBe(LOGIN.notes);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('deletes an item after confirmation', async () => {
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.getByRole('link', { name: new RegExp(NOTE.title) }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await screenshot(page, '09-delete-confirm');
    await page.getByRole('button', { name: 'Move to Trash' }).click();
    await heading(page, 'Items').waitFor();
    await expect.poll(() => page.locator('.item-list li').count()).toBe(1);
    await expect.poll(() => page.getByText(/^Moved “.*” to the Trash of /).isVisible()).toBe(true);
  });

  it('lists sessions and signs out everywhere else', async () => {
    await page.getByRole('link', { name: 'Sessions' }).click();
    await heading(page, "Where you're signed in").waitFor();
    await expect.poll(() => page.locator('.sessions li').count()).toBe(2);
    expect(await page.getByText('This browser').count()).toBe(1);
    await screenshot(page, '10-sessions');
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await expect.poll(() => page.getByText('Signed out 1 other session.').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.sessions li').count()).toBe(1);
    const error = await otherDevice.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toMatch(/unauthenticated|session_expired/);
  });

  it('has a password generator page', async () => {
    await page.getByRole('link', { name: 'Generator' }).click();
    await heading(page, 'Password generator').waitFor();
    await page.getByLabel('Symbols').uncheck();
    await expect.poll(async () => (await page.locator('output.generated').innerText()).trim()).toMatch(/^[A-Za-z0-9]{20}$/);
    await screenshot(page, '11-generator');
  });

  it('locks, and unlocks with the key derivation in a Web Worker while the page stays responsive', async () => {
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await page.getByRole('button', { name: 'Lock' }).click();
    await heading(page, 'Latchkey is locked').waitFor();
    expect(await page.locator('body').innerText()).not.toContain(LOGIN.title);
    await screenshot(page, '12-locked');

    // Count main-thread timer ticks while unlocking.
    await page.evaluate(() => {
      const w = window as unknown as { __ticks: number[] };
      w.__ticks = [];
      const tick = () => w.__ticks.push(performance.now());
      setInterval(tick, 10);
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    const startedAt = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => workers.length, { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    // While the worker derives keys, the main thread still answers at once and shows progress.
    const roundTrip = Date.now();
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    const evaluateMs = Date.now() - roundTrip;
    const progressShown = await page.getByRole('status').filter({ hasText: 'Unlocking…' }).isVisible();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    const { ticks, endedAt } = await page.evaluate(() => ({ ticks: (window as unknown as { __ticks: number[] }).__ticks, endedAt: performance.now() }));
    const during = ticks.filter((t) => t >= startedAt && t <= endedAt);
    const gaps = during.slice(1).map((t, i) => t - during[i]!);
    const longestGap = Math.max(...gaps);
    console.log(
      `unlock took ${Math.round(endedAt - startedAt)} ms; ${during.length} main-thread ticks, longest gap ${Math.round(longestGap)} ms; evaluate round trip ${evaluateMs} ms; worker ${workers[0]}`,
    );
    expect(workers[0]).toMatch(/key-derivation\.worker/);
    expect(progressShown).toBe(true);
    expect(evaluateMs).toBeLessThan(250);
    expect(longestGap).toBeLessThan(250);
    expect(during.length).toBeGreaterThan((endedAt - startedAt) / 10 / 4);
  });

  it('locks itself after the configured idle time, and a reload keeps the browser known', async () => {
    await page.evaluate(() => localStorage.setItem('latchkey.idleLockSeconds', '2'));
    await page.reload();
    await heading(page, 'Latchkey is locked').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 30_000 }).toContain('password is not right');
    await screenshot(page, '13-unlock-wrong-password');
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    // The notice only appears when an unlocked app locks itself.
    await heading(page, 'Latchkey is locked').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByText('Locked after a period without activity.').isVisible(), { timeout: 60_000 }).toBe(true);
    await page.evaluate(() => localStorage.removeItem('latchkey.idleLockSeconds'));
  });

  it('signs out, and signs in again on this known browser with the password only', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    await expect.poll(() => page.getByText('This browser remembers your Secret Key').isVisible()).toBe(true);
    expect(await page.getByLabel('Secret Key').count()).toBe(0);
    await screenshot(page, '14-sign-in-known-browser');
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    await context.close();
  });

  it('signs in on a fresh browser with the Secret Key (typed, or from the setup code)', async () => {
    const fresh = await newContext({ width: 375, height: 740 });
    const p = fresh.page;
    await p.goto(server.url);
    await heading(p, 'Sign in to Latchkey').waitFor();
    await p.getByLabel('Email address').fill(EMAIL);
    // A typo is caught before any request.
    const typo = secretKey.slice(0, -1) + (secretKey.endsWith('A') ? 'B' : 'A');
    await p.getByLabel('Secret Key').fill(typo);
    await p.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toContain('typo');
    await screenshot(p, '15-phone-sign-in-typo');
    // The Emergency Kit's setup code fills in the email and Secret Key.
    await p.getByLabel('Email address').fill('');
    await p.getByLabel('Secret Key').fill('');
    await p.getByText("Fill in from your Emergency Kit's setup code").click();
    await p.getByLabel('Setup code').fill(createSetupCode({ server: server.url, email: EMAIL, secretKey }));
    await p.getByRole('button', { name: 'Use setup code' }).click();
    await expect.poll(() => p.getByLabel('Secret Key').inputValue()).toBe(secretKey);
    expect(await p.getByLabel('Email address').inputValue()).toBe(EMAIL);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await heading(p, 'Items').waitFor({ timeout: 60_000 });
    await expect.poll(() => p.locator('.item-list li').count()).toBe(1);
    await screenshot(p, '16-phone-items');
    await p.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await heading(p, LOGIN.title).waitFor();
    await screenshot(p, '17-phone-item-view');
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375); // no sideways scrolling at phone width

    // The header is one line on a phone; the navigation is behind the Menu button.
    const header = async () => (await p.locator('header.top').boundingBox())?.height ?? Number.POSITIVE_INFINITY;
    expect(await header()).toBeLessThan(80);
    const menu = p.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await p.getByRole('link', { name: 'Sessions' }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await screenshot(p, '18-phone-menu');
    await p.getByRole('link', { name: 'Sessions' }).click();
    await heading(p, "Where you're signed in").waitFor();
    // Choosing a page closes the menu again.
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await header()).toBeLessThan(80);
    await fresh.context.close();
  });

  it('never sent the password, the Secret Key or any item field to the server', () => {
    expect(allRequests.length).toBeGreaterThan(20);
    expect(allRequests.some((r) => r.method === 'PUT' && r.url.includes('/items/'))).toBe(true);
    const secrets = [
      PASSWORD,
      secretKey,
      secretKey.replace(/-/g, ''),
      generatedPassword,
      VAULT_NAME,
      EDITED_USERNAME,
      ...Object.values(LOGIN),
      ...Object.values(NOTE),
    ];
    for (const request of allRequests) {
      for (const secret of secrets) {
        expect(request.body.includes(secret) || decodeURIComponent(request.url).includes(secret), `${request.method} ${request.url} carries a secret`).toBe(
          false,
        );
      }
    }
  });

  it('ran without page errors or Content-Security-Policy violations', () => {
    const bad = allProblems.filter((p) => /Content Security Policy|page error|Refused to/i.test(p));
    expect(bad).toEqual([]);
  });
});
