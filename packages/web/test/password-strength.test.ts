/**
 * The account-password rule in the web app (issue 15 item 5): a strength meter under the new
 * password at sign-up, "password"-like and short passwords refused with the reason (tied to the
 * field), a good passphrase accepted; the estimator and its dictionaries are not part of the
 * sign-in page (they load when a new password is typed). At 1280 and 375 px in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractCode, startTestServer, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, screenshot, watchContext } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });
const strength = (p: Page) => p.getByTestId('password-strength');
const isEstimator = (url: string) => /\/assets\/account-password-strength-[^/]+\.js$/.test(url);

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.each([
  ['desktop', 1280, 860],
  ['mobile', 375, 800],
] as const)('sign-up password at %s width', (label, width, height) => {
  it('shows the strength, refuses a weak or short password with the reason, and accepts a good passphrase', async () => {
    const context = await browser.newContext({ viewport: { width, height } });
    const { requests, problems } = watchContext(context);
    const page = await context.newPage();
    try {
      await page.goto(server.url);
      await heading(page, 'Sign in to Latchkey').waitFor();
      await page.waitForLoadState('networkidle');
      expect(requests.filter((r) => isEstimator(r.url))).toEqual([]);

      await page.goto(`${server.url}/signup`);
      await heading(page, 'Create your Latchkey account').waitFor();
      const email = uniqueEmail(`strength-${label}`);
      await page.getByLabel('Email address').fill(email);
      const sentAfter = Date.now() - 1000;
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await heading(page, 'Check your email').waitFor();
      const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
      await page.getByLabel('Code from the email').fill(extractCode(mail.text));
      await page.getByLabel('Your name').fill('Strength Tester');
      const password = page.getByLabel('Account password', { exact: true });
      const again = page.getByLabel('Account password again');

      await password.fill('Password1');
      await expect.poll(() => strength(page).getAttribute('data-strength')).toBe('too-short');
      expect(await strength(page).innerText()).toContain('at least 10 characters');

      await password.fill('Password123');
      await expect.poll(() => strength(page).getAttribute('data-strength'), { timeout: 30_000 }).toBe('weak');
      expect(await strength(page).innerText()).toMatch(/^Weak\. This password is too easy to guess\./);
      expect(requests.some((r) => isEstimator(r.url))).toBe(true);
      expect(await page.locator('meter.strength').getAttribute('value')).toMatch(/^[0-2]$/);
      await again.fill('Password123');
      await screenshot(page, `password-strength-01-weak-${label}`);
      const signupRequests = () => requests.filter((r) => r.url.includes('/api/signup/verify')).length;
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('too easy to guess');
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      expect(signupRequests()).toBe(0);

      // Built on the person's own email: weak too.
      await password.fill(`${email.split('@')[0]}!`);
      await expect.poll(() => strength(page).getAttribute('data-strength'), { timeout: 30_000 }).toBe('weak');

      await password.fill('quartz-lantern-47-meadow');
      await expect.poll(() => strength(page).getAttribute('data-strength'), { timeout: 30_000 }).toBe('strong');
      expect(await page.locator('meter.strength').getAttribute('value')).toBe('4');
      await again.fill('quartz-lantern-47-meadow');
      await screenshot(page, `password-strength-02-strong-${label}`);
      await page.getByRole('button', { name: 'Create account' }).click();
      await heading(page, 'Your Secret Key').waitFor({ timeout: 60_000 });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
