/**
 * Form behaviour on a failed submit (issue 15, item 7): focus goes to the field that failed,
 * which is `aria-invalid` and described by the error's text (`aria-describedby`), and typing
 * in it (or switching method) clears the error. Sign-in on a new browser (a typo in the Secret
 * Key caught locally, a wrong password, another account's Secret Key), unlock, change
 * password (wrong current password, new passwords that differ), sign-up (passwords that differ,
 * a wrong emailed code) and recovery (a short emailed code, a malformed recovery code) at
 * 1280 and 375 px, in Chromium against an in-process server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { extractCode, signUpUser, startTestServer, type TestServer, type TestUser, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot } from './helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let user: TestUser;
let stranger: TestUser;
let context: BrowserContext;
let page: Page;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });

/** The field is the failing one: focused, `aria-invalid`, and described first by the visible error, which says `text`. */
async function expectTied(field: Locator, text: string | RegExp): Promise<void> {
  await expect.poll(() => field.getAttribute('aria-invalid'), { timeout: 60_000 }).toBe('true');
  expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
  const described = await field.evaluate((el) => {
    const first = (el.getAttribute('aria-describedby') ?? '').split(' ')[0] ?? '';
    const target = document.getElementById(first);
    return target === null ? undefined : { text: target.textContent ?? '', inAlert: target.closest('[role="alert"]') !== null };
  });
  expect(described?.inAlert).toBe(true);
  expect(described?.text).toMatch(text);
}

/** Typing in the failing field takes the error away, and the field is no longer marked. */
async function expectClearedByTyping(p: Page, field: Locator): Promise<void> {
  await field.press('End');
  await field.pressSequentially('x');
  expect(await field.getAttribute('aria-invalid')).toBeNull();
  expect(await p.getByRole('alert').count()).toBe(0);
}

/** The Secret Key with one character changed to another of the alphabet: its check character catches it. */
function withTypo(secretKey: string): string {
  const i = secretKey.length - 3;
  return secretKey.slice(0, i) + (secretKey[i] === 'A' ? 'B' : 'A') + secretKey.slice(i + 1);
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: 'form errors password 9Rt alder' });
  stranger = await signUpUser(server);
  // Recovery asks for the recovery code only of an account that has one.
  const { recoveryCode } = await user.client.recoveryCode.create();
  await user.client.recoveryCode.confirm(recoveryCode);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `form-errors-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('failed submits land on the failing field', () => {
  it('sign-in on a new browser: a Secret Key typo, a wrong password, another account’s Secret Key', async () => {
    await page.goto(server.url);
    await heading(page, 'Sign in to Latchkey').waitFor();
    const secretKey = page.getByLabel('Secret Key');
    const password = page.getByLabel('Account password', { exact: true });
    await page.getByLabel('Email address').fill(user.email);
    await secretKey.fill(withTypo(user.secretKey));
    await password.fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectTied(secretKey, /Secret Key/);
    await screenshot(page, 'form-errors-01-secret-key-typo');
    await expectClearedByTyping(page, secretKey);

    await secretKey.fill(user.secretKey);
    await password.fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectTied(password, 'That account password is not right.');
    // The hint stays in the description too, after the error.
    expect((await secretKey.getAttribute('aria-describedby'))?.split(' ')).toHaveLength(1);
    await screenshot(page, 'form-errors-02-wrong-password');
    await expectClearedByTyping(page, password);

    await secretKey.fill(stranger.secretKey);
    await password.fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectTied(secretKey, 'That Secret Key does not belong to this account.');
    expect(await password.getAttribute('aria-invalid')).toBeNull();
    await expectClearedByTyping(page, secretKey);

    await secretKey.fill(user.secretKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
  });

  it('unlock: a wrong password', async () => {
    await page.getByRole('button', { name: 'Lock' }).click();
    await heading(page, 'Latchkey is locked').waitFor();
    const password = page.getByLabel('Account password', { exact: true });
    await password.fill('still not the password');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expectTied(password, 'That account password is not right.');
    await screenshot(page, 'form-errors-03-unlock');
    await expectClearedByTyping(page, password);
    await password.fill(user.password);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
  });

  it('change password: a wrong current password, then new passwords that differ', async () => {
    await openFromNavigation(page, 'Account');
    await page.getByRole('button', { name: 'Change password' }).click();
    await heading(page, 'Change account password').waitFor();
    const current = page.getByLabel('Account password', { exact: true });
    const fresh = page.getByLabel('New account password', { exact: true });
    const again = page.getByLabel('New account password again');
    await current.fill('wrong current password 1');
    await fresh.fill('a brand new password 4Lm birch');
    await again.fill('a brand new password 4Lm birch');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectTied(current, 'That is not your current account password.');
    await screenshot(page, 'form-errors-04-change-password-current');
    await expectClearedByTyping(page, current);

    await current.fill(user.password);
    await again.fill('a brand new password 4Lm bitch');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectTied(again, 'The two passwords are not the same.');
    expect(await fresh.getAttribute('aria-invalid')).toBeNull();
    await expectClearedByTyping(page, again);
    // Nothing was changed: the SDK still signs in with the old password.
    await server.client().signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
  });

  it('at 375 px, sign-up: passwords that differ, a wrong emailed code', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const p = await phone.newPage();
    const email = uniqueEmail('form-errors');
    await p.goto(`${server.url}/signup`);
    await p.getByLabel('Email address').fill(email);
    const sentAfter = Date.now() - 1000;
    await p.getByRole('button', { name: 'Send me a code' }).click();
    await heading(p, 'Check your email').waitFor();
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
    const right = extractCode(mail.text);
    const code = p.getByLabel('Code from the email');
    const again = p.getByLabel('Account password again');
    await code.fill(right === '000000' ? '111111' : '000000');
    await p.getByLabel('Your name').fill('Fran Form');
    await p.getByLabel('Account password', { exact: true }).fill('sign-up form password 2Qs cedar');
    await again.fill('sign-up form password 2Qs cedars');
    await p.getByRole('button', { name: 'Create account' }).click();
    await expectTied(again, 'The two passwords are not the same.');
    await screenshot(p, 'form-errors-05-phone-sign-up-mismatch');
    await again.fill('sign-up form password 2Qs cedar');
    expect(await p.getByRole('alert').count()).toBe(0);
    await p.getByRole('button', { name: 'Create account' }).click();
    await expectTied(code, 'That code is not right.');
    await screenshot(p, 'form-errors-06-phone-sign-up-code');
    await expectClearedByTyping(p, code);
    await phone.close();
  });

  it('at 375 px, recovery: a short emailed code, a malformed recovery code, and switching method clears the error', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const p = await phone.newPage();
    await p.goto(`${server.url}/recover`);
    await heading(p, 'Recover your account').waitFor();
    await p.getByLabel('Email address of your account').fill(user.email);
    const sentAfter = Date.now() - 1000;
    await p.getByRole('button', { name: 'Email me a code' }).click();
    await heading(p, 'Check your email').waitFor();
    const mail = await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'confirm a Latchkey account recovery', after: sentAfter });
    const code = p.getByLabel('Code from the email');
    await code.fill('12');
    await p.getByRole('button', { name: 'Continue' }).click();
    await expectTied(code, 'The code from the email has 6 to 8 digits.');
    await expectClearedByTyping(p, code);
    await code.fill(extractCode(mail.text));
    await p.getByRole('button', { name: 'Continue' }).click();
    await heading(p, 'Enter your recovery code').waitFor();

    const recoveryCode = p.getByLabel('Recovery code', { exact: true });
    await recoveryCode.fill('R1-NOTAC-ODE');
    await p.getByRole('button', { name: 'Continue' }).click();
    await expectTied(recoveryCode, /A recovery code has 35 characters/);
    await screenshot(p, 'form-errors-07-phone-recovery-code');
    await expectClearedByTyping(p, recoveryCode);
    await p.getByRole('button', { name: 'Continue' }).click();
    await expectTied(recoveryCode, /A recovery code has 35 characters/);
    await p.getByLabel(/Share cards/).check();
    expect(await p.getByRole('alert').count()).toBe(0);
    await phone.close();
  });
});
