/**
 * Changing the account password and the Secret Key in the web app, end to end in a real
 * Chromium against an in-process server (SPEC §2.1, "re-authenticate first"): the Account page
 * from the navigation; a wrong current password and a mismatched new one are refused; the
 * password change signs out the other (SDK) sessions and says how many; the Secret Key change
 * shows the new key and downloads a new Emergency Kit holding it (and not the old one) only
 * when asked; a fresh browser signs in with the new password and new Secret Key while the old
 * Secret Key and old password fail. No request body ever carries a password or Secret Key.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LatchkeyError } from '@latchkey/core/errors';
import type { LatchkeyClient } from '@latchkey/client/client';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { extractPdfText } from '@latchkey/client/testing';
import { launchChromium, screenshot, watchContext, type RecordedRequest } from './helpers/browser.ts';

const PASSWORD = 'account page password 5Rj meadow';
const NEW_PASSWORD = 'changed account password 9Lp orchard';
const NOTE = { kind: 'note' as const, title: 'Locker combination c3', notes: 'Locker: 17-43-08 ACCOUNT' };

let server: TestServer;
let browser: Browser;
let user: TestUser;
let newSecretKey = '';
const allRequests: RecordedRequest[] = [];
const allProblems: string[] = [];
const openContexts = new Set<BrowserContext>();

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const watched = watchContext(context);
  openContexts.add(context);
  context.on('close', () => {
    openContexts.delete(context);
    allRequests.push(...watched.requests);
    allProblems.push(...watched.problems);
  });
  return { context, page: await context.newPage() };
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (e) {
    return e instanceof LatchkeyError ? e.code : String(e);
  }
}

/** Signs in on a browser that does not know the account; returns 'signed-in' or the alert text. */
async function signInFresh(page: Page, secretKey: string, password: string): Promise<'signed-in' | string> {
  await page.goto(server.url);
  await heading(page, 'Sign in to Latchkey').waitFor();
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Secret Key').fill(secretKey);
  await page.getByLabel('Account password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const outcome = await Promise.race([
    heading(page, 'Items')
      .waitFor({ timeout: 60_000 })
      .then(() => 'signed-in' as const),
    page
      .getByRole('alert')
      .waitFor({ timeout: 60_000 })
      .then(() => 'alert' as const),
  ]);
  return outcome === 'signed-in' ? outcome : page.getByRole('alert').innerText();
}

async function signedInSdk(password: string, secretKey: string): Promise<LatchkeyClient> {
  const client = server.client();
  await client.signIn({ email: user.email, password, secretKey });
  return client;
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: PASSWORD, name: 'Ada Account' });
  const vaultId = (await user.client.vaults.list())[0]!.id;
  await user.client.items.create(vaultId, NOTE);
});

afterAll(async () => {
  for (const context of [...openContexts]) await context.close();
  await browser?.close();
  await server?.close();
});

describe('the Account page', () => {
  let context: BrowserContext;
  let page: Page;
  const downloads: string[] = [];

  beforeAll(async () => {
    ({ context, page } = await newContext());
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && !page.isClosed())
      await screenshot(page, `failed-account-${task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('is linked from the navigation', async () => {
    expect(await signInFresh(page, user.secretKey, PASSWORD)).toBe('signed-in');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await heading(page, 'Account').waitFor();
    expect(await page.getByText(user.email).first().isVisible()).toBe(true);
    await screenshot(page, 'account-01-overview');
  });

  it('changes the password after re-authentication and signs out the other sessions', async () => {
    const other = await signedInSdk(PASSWORD, user.secretKey);
    await page.getByRole('button', { name: 'Change password' }).click();
    await heading(page, 'Change account password').waitFor();

    // A mismatch is caught before anything is sent.
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New account password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New account password again').fill(`${NEW_PASSWORD}x`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('The two passwords are not the same');

    // A too-short new password is refused too.
    await page.getByLabel('New account password', { exact: true }).fill('short');
    await page.getByLabel('New account password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('at least 10 characters');

    // So is one that is easy to guess, with the reason.
    await page.getByLabel('New account password', { exact: true }).fill('Password123!');
    await page.getByLabel('New account password again').fill('Password123!');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 30_000 }).toContain('This password is too easy to guess.');

    // A wrong current password: wrong_password, nothing changed.
    await page.getByLabel('Account password', { exact: true }).fill('not my password at all');
    await page.getByLabel('New account password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New account password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 60_000 }).toContain('not your current account password');
    expect(await errorCodeOf(other.whoami())).toBeUndefined();

    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'account-02-change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await heading(page, 'Account').waitFor({ timeout: 60_000 });
    // The sign-up session and the other SDK session.
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Password changed' }).innerText())
      .toContain('Password changed; 2 other sessions were signed out');
    await screenshot(page, 'account-03-password-changed');

    expect(await errorCodeOf(other.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(user.client.whoami())).toBe('unauthenticated');
    expect(await errorCodeOf(signedInSdk(PASSWORD, user.secretKey))).toBe('wrong_password');
  });

  it('changes the Secret Key after re-authentication and downloads the new Emergency Kit when asked', async () => {
    const other = await signedInSdk(NEW_PASSWORD, user.secretKey);
    await page.getByRole('button', { name: 'Change Secret Key' }).click();
    await heading(page, 'Change Secret Key').waitFor();
    expect(await page.getByText('Your current Emergency Kit stops working').isVisible()).toBe(true);

    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD); // the old one
    await page.getByRole('button', { name: 'Change Secret Key' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 60_000 }).toContain('not your current account password');

    await page.getByLabel('Account password', { exact: true }).fill(NEW_PASSWORD);
    await screenshot(page, 'account-04-change-secret-key');
    await page.getByRole('button', { name: 'Change Secret Key' }).click();
    await heading(page, 'Your new Secret Key').waitFor({ timeout: 60_000 });
    newSecretKey = (await page.getByTestId('new-secret-key').innerText()).trim();
    expect(newSecretKey).not.toBe(user.secretKey);
    expect(newSecretKey.split('-')[1]).toBe(user.secretKey.split('-')[1]); // the account-ID part stays
    expect(await page.getByText('Secret Key changed; 1 other session was signed out').isVisible()).toBe(true);
    expect(await page.getByText('Your old Emergency Kit no longer works.').isVisible()).toBe(true);
    expect(await page.getByText('Nothing is saved until you press the download button.').isVisible()).toBe(true);
    expect(downloads).toEqual([]);
    await screenshot(page, 'account-05-new-secret-key');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click()]);
    expect(download.suggestedFilename()).toBe('Latchkey Emergency Kit.pdf');
    const bytes = new Uint8Array(await readFile(await download.path()));
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const kit = await extractPdfText(bytes);
    expect(kit).toContain(newSecretKey);
    expect(kit).toContain(user.email);
    expect(kit).not.toContain(user.secretKey);
    expect(kit).not.toContain(NEW_PASSWORD);
    await expect.poll(() => page.getByText('Your browser is saving the new Emergency Kit').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, 'Account').waitFor();
    expect(await page.getByText('Secret Key changed; 1 other session was signed out').isVisible()).toBe(true);
    expect(await errorCodeOf(other.whoami())).toBe('unauthenticated');

    // This browser remembers the new key: after locking, only the password is asked.
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByLabel('Account password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'Lock', exact: true }).waitFor({ timeout: 60_000 });
  });

  it('signs in on a fresh browser with the new password and new Secret Key; the old Secret Key and password fail', async () => {
    const { context: fresh, page: p } = await newContext();
    expect(await signInFresh(p, user.secretKey, NEW_PASSWORD)).toContain('Secret Key');
    await screenshot(p, 'account-06-old-secret-key-refused');
    expect(await signInFresh(p, newSecretKey, PASSWORD)).toContain('not right');
    expect(await signInFresh(p, newSecretKey, NEW_PASSWORD)).toBe('signed-in');
    await expect.poll(() => p.getByRole('link', { name: new RegExp(NOTE.title) }).count()).toBe(1);
    await p.getByRole('link', { name: new RegExp(NOTE.title) }).click();
    await expect.poll(() => p.getByText(NOTE.notes).isVisible()).toBe(true);
    await fresh.close();
    expect(await errorCodeOf(signedInSdk(NEW_PASSWORD, user.secretKey))).toBe('wrong_secret_key');
  });

  it('never sent a password or Secret Key to the server', async () => {
    await context.close();
    expect(allRequests.some((r) => r.url.includes('/api/account/credentials/finish'))).toBe(true);
    const compact = (s: string) => s.replace(/-/g, '');
    const secrets = [PASSWORD, NEW_PASSWORD, user.secretKey, newSecretKey, NOTE.notes].flatMap((s) => [
      s,
      compact(s),
      s.toLowerCase(),
      compact(s).toLowerCase(),
    ]);
    expect(secrets.every((s) => s.length > 10)).toBe(true);
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
