/**
 * Dead ends and noise (issue 15 items 7 and 8), in Chromium against an in-process server:
 * - the generator tells a screen reader the new password once the slider stops, not at every step;
 * - a browser that remembers a Secret Key changed elsewhere asks "Enter your new Secret Key"
 *   (email and password kept) instead of a dead end, then remembers the new one;
 * - Account downloads the Emergency Kit again, with the current Secret Key, after the password;
 * - leaving sign-up before the kit is saved asks once (in-app, the browser's Back, and on closing the tab).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { extractPdfText } from '@latchkey/client/testing';
import { extractCode, signUpUser, startTestServer, type TestServer, type TestUser, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, signInOnNewBrowser, unfoldHeader } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let user: TestUser;
const contexts: BrowserContext[] = [];

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });

async function newPage(width = 1280, height = 860): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'dead ends password 5Tq juniper' });
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the password generator', () => {
  it('announces the password once the slider stops, not at every step', async () => {
    const page = await newPage();
    await signInOnNewBrowser(page, server.url, user);
    await openFromNavigation(page, 'Generator');
    await heading(page, 'Password generator').waitFor();
    const output = page.locator('output.generated');
    expect(await output.getAttribute('aria-live')).toBe('off');
    const live = page.getByTestId('generator-announcement');
    expect(await live.getAttribute('aria-live')).toBe('polite');
    // Every text the live region takes is something a screen reader would read out.
    await live.evaluate((el) => {
      const seen: string[] = [];
      (window as unknown as { announced: string[] }).announced = seen;
      new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    const announced = () => page.evaluate(() => (window as unknown as { announced: string[] }).announced.filter((t) => t !== ''));

    const slider = page.getByLabel(/^Length/);
    await slider.focus();
    for (let i = 0; i < 8; i++) await slider.press('ArrowRight');
    await expect.poll(async () => (await output.innerText()).trim().length).toBe(28);
    await expect.poll(announced, { timeout: 10_000 }).toHaveLength(1);
    const finalPassword = (await output.innerText()).trim();
    expect((await announced())[0]).toBe(`New password, 28 characters: ${finalPassword}`);
    await page.waitForTimeout(1000);
    expect(await announced()).toHaveLength(1);

    await page.getByRole('button', { name: 'Generate another' }).click();
    await expect.poll(announced, { timeout: 10_000 }).toHaveLength(2);
    expect((await announced())[1]).toContain((await output.innerText()).trim());
  });
});

describe('a Secret Key changed elsewhere', () => {
  it('asks this browser for the new Secret Key, with the email and password kept, then remembers it', async () => {
    const page = await newPage(375, 800);
    await signInOnNewBrowser(page, server.url, user);
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await heading(page, 'Sign in to Latchkey').waitFor();

    const { secretKey: newKey } = await user.client.account.changeSecretKey(user.password);
    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Enter your new Secret Key').waitFor({ timeout: 60_000 });
    expect(await page.getByText('no longer works').isVisible()).toBe(true);
    expect(await page.getByLabel('Email address').inputValue()).toBe(user.email);
    expect(await page.getByLabel('Account password', { exact: true }).inputValue()).toBe(user.password);
    await screenshot(page, 'dead-ends-01-new-secret-key-mobile');
    await page.getByLabel('Secret Key').fill(newKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });

    // Remembered now: the next sign-in on this browser needs only the password.
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    (user as { secretKey: string }).secretKey = newKey;
  });
});

describe('the Emergency Kit from Account', () => {
  it('downloads again, with the current Secret Key, after the account password', async () => {
    const page = await newPage();
    await signInOnNewBrowser(page, server.url, user);
    await openFromNavigation(page, 'Account');
    await heading(page, 'Account').waitFor();
    await page.getByRole('button', { name: 'Download Emergency Kit' }).click();
    await heading(page, 'Download your Emergency Kit').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 60_000 }).toContain('not your current account password');

    await page.getByLabel('Account password', { exact: true }).fill(user.password);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Latchkey Emergency Kit.pdf');
    const kit = await extractPdfText(new Uint8Array(await readFile(await download.path())));
    expect(kit).toContain(user.secretKey);
    expect(kit).toContain(user.email);
    expect(kit).not.toContain(user.password);
    await heading(page, 'Account').waitFor();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'saving your Emergency Kit' }).count()).toBe(1);
    await screenshot(page, 'dead-ends-02-kit-from-account');
  });
});

describe('leaving sign-up before the Emergency Kit is saved', () => {
  async function signUpToSecretKey(page: Page, from: 'address' | 'sign-in page' = 'address'): Promise<void> {
    if (from === 'address') await page.goto(`${server.url}/signup`);
    else {
      await page.goto(`${server.url}/`);
      await page.getByRole('link', { name: 'Create an account' }).click();
    }
    await heading(page, 'Create your Latchkey account').waitFor();
    const email = uniqueEmail('leave');
    await page.getByLabel('Email address').fill(email);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await heading(page, 'Check your email').waitFor();
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
    await page.getByLabel('Code from the email').fill(extractCode(mail.text));
    await page.getByLabel('Your name').fill('Leaving Early');
    await page.getByLabel('Account password', { exact: true }).fill('leaving early password 2Wd');
    await page.getByLabel('Account password again').fill('leaving early password 2Wd');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Your Secret Key').waitFor({ timeout: 60_000 });
  }

  it('asks once before going on to the vault, and not again', async () => {
    const page = await newPage(375, 800);
    await signUpToSecretKey(page);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Continue to my vault' }).click();
    await expect.poll(() => dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(/^confirm: You have not downloaded your Emergency Kit\./);
    expect(await heading(page, 'Your Secret Key').isVisible()).toBe(true);
    await screenshot(page, 'dead-ends-03-leave-sign-up-mobile');

    await page.getByRole('button', { name: 'Continue to my vault' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    expect(dialogs).toHaveLength(1);
  });

  it("asks once on the browser's Back, and staying keeps the Secret Key on screen", async () => {
    const page = await newPage();
    await signUpToSecretKey(page, 'sign-in page');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goBack();
    await expect.poll(() => dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatch(/^confirm: You have not downloaded your Emergency Kit\./);
    expect(await heading(page, 'Your Secret Key').isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/signup');

    // Asked once: the second Back leaves.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    expect(dialogs).toHaveLength(1);
  });

  it('asks once when the tab is closed, and not after the kit is saved', async () => {
    const page = await newPage();
    await signUpToSecretKey(page);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual(['beforeunload']);

    // Once the kit is downloaded nothing is asked.
    const saved = await newPage();
    await signUpToSecretKey(saved);
    const asked: string[] = [];
    saved.on('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    await Promise.all([saved.waitForEvent('download', { timeout: 60_000 }), saved.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click()]);
    await saved.close({ runBeforeUnload: true });
    await expect.poll(() => saved.isClosed()).toBe(true);
    expect(asked).toEqual([]);
  });
});
