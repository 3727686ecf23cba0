/**
 * Recovery codes in the web app, end to end in a real Chromium against an in-process server
 * (SPEC §2.2, §3.3; issue 4): the reminder, set-up with re-authentication, the code shown once,
 * the Recovery Kit as text and PDF (downloads the person asks for), confirmation, "Check my
 * code", share cards; then "Having trouble signing in?" in fresh browsers, one step at a time:
 * a wrong emailed code is refused on its own step, an unconfirmed (pending) code is refused on
 * the recovery-code step with the typed code kept, and the active one then works with the same
 * emailed code before any password is asked; the new Secret Key and Emergency Kit,
 * sign-in with the new credentials with every item intact, recovery AGAIN with the same code,
 * and the old credentials failing. Every request body is checked for the recovery codes,
 * passwords, Secret Keys and share cards.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { LatchkeyError } from '@latchkey/core/errors';
import { extractCode, readOutbox, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { extractPdfText } from '@latchkey/client/testing';
import { launchChromium, openFromNavigation, type RecordedRequest, screenshot, unfoldHeader, watchContext } from './helpers/browser.ts';

const PASSWORD = 'original password 4Kq lantern';
const NEW_PASSWORD = 'recovered password 8Zm harbour';
const NEWER_PASSWORD = 'second recovery password 3Tx quay';
const LOGIN = {
  kind: 'login' as const,
  title: 'Harbour Credit Union r4',
  username: 'rita.q9@example.net',
  password: 'Hc-77-oyster-pw',
  notes: 'Branch PIN hint: tide 41',
};
const NOTE = { kind: 'note' as const, title: 'Passport number note w2', notes: 'Passport: X99-RECOV-7731' };

let server: TestServer;
let browser: Browser;
let user: TestUser;
let activeCode = '';
let pendingCode = '';
let firstNewSecretKey = '';
let secondNewSecretKey = '';
const shareTexts: string[] = [];
const allRequests: RecordedRequest[] = [];
const allProblems: string[] = [];
/** Requests of contexts still open; closed ones are moved to `allRequests`. */
const liveWatches = new Map<BrowserContext, RecordedRequest[]>();

async function newContext(options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 860 }, acceptDownloads: true });
  const watched = watchContext(context);
  liveWatches.set(context, watched.requests);
  context.on('close', () => {
    liveWatches.delete(context);
    allRequests.push(...watched.requests);
    allProblems.push(...watched.problems);
  });
  const page = await context.newPage();
  return { context, page };
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Uint8Array }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { download, bytes: new Uint8Array(await readFile(await download.path())) };
}

/** Waits for a recovery email that was not in the outbox before. */
async function nextRecoveryEmailCode(before: ReadonlySet<string>): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const mail = (await readOutbox(server.dataDir))
      .filter((m) => m.to === user.email && m.subject.includes('confirm a Latchkey account recovery') && !before.has(m.file))
      .at(-1);
    if (mail) return extractCode(mail.text);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no new recovery email');
}
const outboxFiles = async () => new Set((await readOutbox(server.dataDir)).map((m) => m.file));

/**
 * From the sign-in page: "Having trouble signing in?" → "Use recovery code" → email → emailed
 * code, checked on its own step (with `wrongEmailCodeFirst`, a wrong code is tried first: it is
 * refused on that step and stays in the field).
 */
async function startRecovery(page: Page, shots?: string, { wrongEmailCodeFirst = false } = {}): Promise<void> {
  await page.goto(server.url);
  await heading(page, 'Sign in to Latchkey').waitFor();
  await page.getByRole('link', { name: 'Having trouble signing in?' }).click();
  await heading(page, 'Having trouble signing in?').waitFor();
  if (shots) await screenshot(page, `${shots}-help`);
  await page.getByRole('button', { name: 'Use recovery code' }).click();
  await heading(page, 'Recover your account').waitFor();
  await page.getByLabel('Email address of your account').fill(user.email);
  if (shots) await screenshot(page, `${shots}-email`);
  const before = await outboxFiles();
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await heading(page, 'Check your email').waitFor();
  const emailCode = await nextRecoveryEmailCode(before);
  const field = page.getByLabel('Code from the email');
  if (wrongEmailCodeFirst) {
    const wrong = emailCode === '00000000' ? '11111111' : '00000000';
    await field.fill(wrong);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('That code is not right');
    expect(await heading(page, 'Check your email').isVisible()).toBe(true);
    expect(await page.getByLabel('Recovery code', { exact: true }).count()).toBe(0);
    expect(await field.inputValue()).toBe(wrong);
    if (shots) await screenshot(page, `${shots}-email-code-wrong`);
  }
  await field.fill(emailCode);
  if (shots) await screenshot(page, `${shots}-email-code`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await heading(page, 'Enter your recovery code').waitFor();
}

async function chooseNewPassword(page: Page, password: string): Promise<void> {
  await heading(page, 'Choose a new account password').waitFor();
  await page.getByLabel('New account password', { exact: true }).fill(password);
  await page.getByLabel('New account password again').fill(password);
  await page.getByRole('button', { name: 'Recover my account' }).click();
}

/** Signs in on a fresh browser with email, Secret Key and password; returns the alert text on failure. */
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

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server, { password: PASSWORD, name: 'Rita Recover' });
  const vaultId = (await user.client.vaults.list())[0]!.id;
  await user.client.items.create(vaultId, LOGIN);
  await user.client.items.create(vaultId, NOTE);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('recovery codes in the web app', () => {
  let context: BrowserContext;
  let page: Page;
  const downloads: string[] = [];

  beforeAll(async () => {
    ({ context, page } = await newContext());
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && !page.isClosed())
      await screenshot(page, `failed-recovery-${task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('reminds a signed-in user who has no recovery code', async () => {
    expect(await signInFresh(page, user.secretKey, PASSWORD)).toBe('signed-in');
    const banner = page.getByRole('complementary', { name: 'Recovery code reminder' });
    await expect.poll(() => banner.innerText()).toContain('You have no recovery code');
    await screenshot(page, 'recovery-01-reminder-banner');
    await banner.getByRole('link', { name: 'Set up a recovery code' }).click();
    await heading(page, 'Recovery code').waitFor();
    await expect.poll(() => page.getByText('You have no working recovery code').isVisible()).toBe(true);
    expect(await banner.count()).toBe(0); // not repeated on the page it points to
    await screenshot(page, 'recovery-02-page-none');
  });

  it('sets up a code after re-authentication, shows it once, saves the kit only when asked, and confirms it', async () => {
    await page.getByRole('button', { name: 'Set up a recovery code' }).click();
    await heading(page, 'Set up a recovery code').waitFor();
    await expect.poll(() => page.getByText('Re-authenticate first').isVisible()).toBe(true);
    await page.getByLabel('Account password', { exact: true }).fill('not my password at all');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 60_000 }).toContain('password is not right');
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'recovery-03-reauthenticate');
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Store your recovery code').waitFor({ timeout: 60_000 });
    activeCode = (await page.getByTestId('recovery-code').innerText()).trim();
    expect(activeCode).toMatch(/^R1(-[A-Z2-9]{5}){7}$/);
    expect(await page.getByTestId('recovery-code').locator('mark').innerText()).toBe(activeCode.slice(-5));
    expect(await page.getByText('Nothing is saved or printed unless you press').isVisible()).toBe(true);
    expect(await page.getByText('shown only this once').isVisible()).toBe(true);
    await screenshot(page, 'recovery-04-code-shown-once');
    expect(downloads).toEqual([]); // nothing written before a button is pressed

    // The text is selectable: selecting the element's contents yields the code.
    const selected = await page.getByTestId('recovery-code').evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    });
    expect(selected.trim()).toBe(activeCode);
    expect(await page.getByRole('button', { name: 'Copy recovery code' }).count()).toBe(1);

    const text = await downloadOf(page, () => page.getByRole('button', { name: 'Save as text file' }).click());
    expect(text.download.suggestedFilename()).toBe('Latchkey Recovery Kit.txt');
    const kitText = new TextDecoder().decode(text.bytes);
    expect(kitText).toContain(activeCode);
    expect(kitText).toContain(user.email);

    const pdf = await downloadOf(page, () => page.getByRole('button', { name: 'Print Recovery Kit (PDF)' }).click());
    expect(pdf.download.suggestedFilename()).toBe('Latchkey Recovery Kit.pdf');
    expect(new TextDecoder().decode(pdf.bytes.slice(0, 5))).toBe('%PDF-');
    const kitPdf = await extractPdfText(pdf.bytes);
    expect(kitPdf).toContain(activeCode);
    expect(kitPdf).toContain(user.email);
    expect(kitPdf).not.toContain(PASSWORD);
    expect(downloads).toHaveLength(2);

    // Still pending: the server says so, and the status tells the truth.
    expect((await user.client.recoveryCode.status()).status).toBe('pending');

    await page.getByRole('button', { name: 'I stored it' }).click();
    await heading(page, 'Confirm your recovery code').waitFor();
    expect(await page.locator('body').innerText()).not.toContain(activeCode.slice(3, 20)); // the code is not shown while confirming
    const field = page.getByLabel('Recovery code', { exact: true });
    await field.fill(activeCode.slice(0, -1) + (activeCode.endsWith('A') ? 'B' : 'A'));
    await page.getByRole('button', { name: 'Confirm and finish setup' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('typo');
    await field.fill(generateRecoveryCode());
    await page.getByRole('button', { name: 'Confirm and finish setup' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('not the code you were shown');
    await screenshot(page, 'recovery-05-confirm-wrong');
    await field.fill(activeCode.toLowerCase().replace(/-/g, ' ')); // spaces and case do not matter
    await page.getByRole('button', { name: 'Confirm and finish setup' }).click();
    await heading(page, 'Your recovery code is ready').waitFor();
    await screenshot(page, 'recovery-06-confirmed');
    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, 'Recovery code').waitFor();
    await expect.poll(() => page.getByRole('heading', { name: 'Your recovery code is set up' }).isVisible()).toBe(true);
    expect((await user.client.recoveryCode.status()).status).toBe('active');
    await screenshot(page, 'recovery-07-page-active');
    await page.getByRole('link', { name: 'Items', exact: true }).click();
    await heading(page, 'Items').waitFor();
    expect(await page.getByRole('complementary', { name: 'Recovery code reminder' }).count()).toBe(0);
  });

  it('checks a code without recovering', async () => {
    await page.getByRole('link', { name: 'Recovery code' }).click();
    await page.getByRole('button', { name: 'Check my code' }).click();
    await heading(page, 'Check my recovery code').waitFor();
    await page.getByLabel('Recovery code', { exact: true }).fill(activeCode);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByText('This code works.').isVisible()).toBe(true);
    await screenshot(page, 'recovery-08-check-works');
    await page.getByLabel('Recovery code', { exact: true }).fill(generateRecoveryCode());
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('This code does not work for your account');
    await screenshot(page, 'recovery-09-check-fails');
    await page.getByRole('button', { name: 'Back' }).click();
    await heading(page, 'Recovery code').waitFor();
    await expect.poll(() => page.getByText(/Last checked on/).isVisible()).toBe(true);
  });

  it('splits the code into share cards, entirely in the browser, saved only when asked', async () => {
    const before = allRequestsSoFar().length;
    await page.getByRole('button', { name: 'Split into shares' }).click();
    await heading(page, 'Split into shares').waitFor();
    await page.getByLabel('Your recovery code').fill(activeCode);
    await page.getByLabel('Number of cards').fill('3');
    await page.getByLabel('Cards needed to rebuild the code').fill('2');
    await page.getByRole('button', { name: 'Make share cards' }).click();
    await expect.poll(() => page.getByTestId('share-text').count()).toBe(3);
    shareTexts.push(...(await page.getByTestId('share-text').allInnerTexts()).map((t) => t.trim()));
    expect(shareTexts.every((t) => t.startsWith('S1-'))).toBe(true);
    await screenshot(page, 'recovery-10-shares');
    const card = await downloadOf(page, () => page.getByRole('button', { name: 'Save share 1 as text file' }).click());
    const noSpace = (s: string) => s.replace(/\s+/g, '');
    expect(noSpace(new TextDecoder().decode(card.bytes))).toContain(noSpace(shareTexts[0]!));
    const cardPdf = await downloadOf(page, () => page.getByRole('button', { name: 'Download share 2 card (PDF)' }).click());
    expect(noSpace(await extractPdfText(cardPdf.bytes))).toContain(noSpace(shareTexts[1]!));
    // Only the check of the typed code talked to the server; no share left the browser.
    expect(watchedBodies().slice(before).join('\n')).not.toContain(shareTexts[0]!.slice(3, 30));
    await page.getByRole('button', { name: 'Done' }).click();
    await heading(page, 'Recovery code').waitFor();
  });

  it('keeps the active code when a replacement is abandoned, and says so', async () => {
    await page.getByRole('button', { name: 'Replace code' }).click();
    await heading(page, 'Replace your recovery code').waitFor();
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Store your recovery code').waitFor({ timeout: 60_000 });
    pendingCode = (await page.getByTestId('recovery-code').innerText()).trim();
    expect(pendingCode).not.toBe(activeCode);
    await expect.poll(() => page.getByText('your current recovery code keeps working').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Stop setup' }).click();
    await heading(page, 'Recovery code').waitFor();
    await expect.poll(() => page.getByText('Unfinished setup').isVisible()).toBe(true);
    expect(await page.getByText('Your current recovery code still works.').isVisible()).toBe(true);
    await screenshot(page, 'recovery-11-unfinished-replacement');
    const status = await user.client.recoveryCode.status();
    expect(status).toMatchObject({ status: 'active', pendingReplacement: true });
    expect(await user.client.recoveryCode.check(activeCode)).toBe(true);
    expect(await user.client.recoveryCode.check(pendingCode)).toBe(false);
    expect(downloads.filter((d) => d.includes('Recovery Kit'))).toHaveLength(2); // abandoning wrote nothing
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    await context.close();
  });

  it('recovers in a fresh browser: refuses a wrong email code and the unconfirmed code on their own steps, accepts the active one with the same email code, shows the new Secret Key', async () => {
    const { context: fresh, page: p } = await newContext();
    await startRecovery(p, 'recovery-12', { wrongEmailCodeFirst: true });
    await screenshot(p, 'recovery-13-enter-code');
    const codeField = p.getByLabel('Recovery code', { exact: true });

    // A typo is caught in the browser, before any request.
    const proveRequests = () => watched(fresh).filter((r) => r.url.includes('/api/recovery/prove')).length;
    await codeField.fill(activeCode.slice(0, -1) + (activeCode.endsWith('A') ? 'B' : 'A'));
    await p.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toContain('typo');
    expect(proveRequests()).toBe(0);

    // The pending replacement is not a working code: refused on this step, before any password
    // is asked, and what was typed stays in the field. No new email is needed to try again.
    const mailsBefore = await outboxFiles();
    await codeField.fill(pendingCode);
    await p.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => p.getByRole('alert').innerText(), { timeout: 60_000 }).toContain('That recovery code does not work for this account');
    expect(proveRequests()).toBe(1);
    expect(await heading(p, 'Enter your recovery code').isVisible()).toBe(true);
    expect(await p.getByLabel('New account password', { exact: true }).count()).toBe(0);
    expect(await codeField.inputValue()).toBe(pendingCode);
    await screenshot(p, 'recovery-14-wrong-code');

    // The active code works with the same emailed code (its ticket is still live).
    await codeField.fill(activeCode);
    await p.getByRole('button', { name: 'Continue' }).click();
    await heading(p, 'Choose a new account password').waitFor({ timeout: 60_000 });
    expect(await p.getByText('Your recovery code is right.').isVisible()).toBe(true);
    expect(watched(fresh).filter((r) => r.url.includes('/api/recovery/verify')).length).toBe(2); // the wrong email code and the right one
    await screenshot(p, 'recovery-15-new-password');
    await chooseNewPassword(p, NEW_PASSWORD);
    await heading(p, 'Your account is recovered').waitFor({ timeout: 60_000 });
    firstNewSecretKey = (await p.getByLabel('New Secret Key').innerText()).trim();
    expect(firstNewSecretKey).toMatch(/^L1-[A-Z2-9]{6}-/);
    expect(firstNewSecretKey).not.toBe(user.secretKey);
    const body = await p.locator('main').innerText();
    expect(body).toContain('Every session and device was signed out');
    expect(body).toContain('Your recovery code still works.');
    expect(body).toContain('replace it');
    await screenshot(p, 'recovery-16-recovered');
    // Every retry used the first email: no other recovery email was sent.
    const newMails = (await readOutbox(server.dataDir)).filter(
      (m) => !mailsBefore.has(m.file) && m.to === user.email && m.subject.includes('confirm a Latchkey account recovery'),
    );
    expect(newMails).toEqual([]);

    const kit = await downloadOf(p, () => p.getByRole('button', { name: 'Download Emergency Kit (PDF)' }).click());
    const kitText = await extractPdfText(kit.bytes);
    expect(kitText).toContain(firstNewSecretKey);
    expect(kitText).toContain(user.email);

    // The SDK's session (another device) was signed out.
    const error = await user.client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toMatch(/unauthenticated|session_expired/);
    await waitForEmail(server.dataDir, { to: user.email, subjectIncludes: 'was recovered' });

    // Recovery does not sign in; this browser now knows the new Secret Key.
    await p.getByRole('button', { name: 'Sign in with your new password' }).click();
    await heading(p, 'Sign in to Latchkey').waitFor();
    await expect.poll(() => p.getByText('This browser remembers your Secret Key').isVisible()).toBe(true);
    await fresh.close();
  });

  it('signs in with the new password and Secret Key on another browser, with every item intact', async () => {
    const { context: fresh, page: p } = await newContext({ width: 375, height: 740 });
    expect(await signInFresh(p, firstNewSecretKey, NEW_PASSWORD)).toBe('signed-in');
    await expect.poll(() => p.locator('.item-list li').count()).toBe(2);
    await p.getByRole('link', { name: new RegExp(LOGIN.title) }).click();
    await heading(p, LOGIN.title).waitFor();
    await expect.poll(() => p.locator('.detail-pane').getByText(LOGIN.username).first().isVisible()).toBe(true);
    await p.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => p.getByTestId('password-value').innerText()).toBe(LOGIN.password);
    // The reused code stays active after recovery.
    await openFromNavigation(p, 'Recovery code');
    await heading(p, 'Recovery code').waitFor();
    await expect.poll(() => p.getByRole('heading', { name: 'Your recovery code is set up' }).isVisible()).toBe(true);
    await screenshot(p, 'recovery-17-phone-page-after-recovery');
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await unfoldHeader(p);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await heading(p, 'Sign in to Latchkey').waitFor();
    await fresh.close();
  });

  it('recovers AGAIN with the same code (reusable), with share cards checked first', async () => {
    const { context: fresh, page: p } = await newContext({ width: 375, height: 740 });
    await startRecovery(p);
    await p.getByLabel('Share cards (the code was split among people I trust)').check();
    await p.getByLabel('Share card 1').fill(shareTexts[0]!);
    await p.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toContain('2 different shares are needed');
    const tampered = shareTexts[1]!.replace(/-([A-Z2-9])/, (_m, c: string) => `-${c === 'A' ? 'B' : 'A'}`);
    await p.getByLabel('Share card 2').fill(tampered);
    await p.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toMatch(/Share card 2: .*(typo|not typed correctly)/);
    await screenshot(p, 'recovery-18-phone-shares-error');
    await p.getByLabel('My recovery code').check();
    await p.getByLabel('Recovery code', { exact: true }).fill(activeCode);
    await p.getByRole('button', { name: 'Continue' }).click();
    await chooseNewPassword(p, NEWER_PASSWORD);
    await heading(p, 'Your account is recovered').waitFor({ timeout: 60_000 });
    secondNewSecretKey = (await p.getByLabel('New Secret Key').innerText()).trim();
    expect(secondNewSecretKey).not.toBe(firstNewSecretKey);
    await screenshot(p, 'recovery-19-phone-recovered-again');
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await fresh.close();
  });

  it('refuses the old passwords and Secret Keys, opens with the newest, and deletes the code', async () => {
    const { context: fresh, page: p } = await newContext();
    expect(await signInFresh(p, user.secretKey, PASSWORD)).not.toBe('signed-in');
    expect(await signInFresh(p, firstNewSecretKey, NEW_PASSWORD)).not.toBe('signed-in');
    expect(await signInFresh(p, user.secretKey, NEWER_PASSWORD)).toMatch(/Secret Key|not right/);
    await screenshot(p, 'recovery-20-old-secret-key-refused');
    expect(await signInFresh(p, secondNewSecretKey, NEWER_PASSWORD)).toBe('signed-in');
    await expect.poll(() => p.locator('.item-list li').count()).toBe(2);
    await p.getByRole('link', { name: new RegExp(NOTE.title) }).click();
    await expect.poll(() => p.getByText(NOTE.notes).isVisible()).toBe(true);

    // Delete, after re-authentication: the code stops working and the reminder comes back.
    await openFromNavigation(p, 'Recovery code');
    await p.getByRole('button', { name: 'Delete code' }).click();
    await heading(p, 'Delete your recovery code').waitFor();
    await p.getByLabel('Account password', { exact: true }).fill(NEWER_PASSWORD);
    await screenshot(p, 'recovery-21-delete');
    await p.getByRole('button', { name: 'Delete permanently' }).click();
    await heading(p, /^Recovery code$/).waitFor({ timeout: 60_000 }); // not the "Delete your recovery code" heading still shown
    await expect.poll(() => p.getByText('Your recovery code was deleted.').isVisible()).toBe(true);
    await expect.poll(() => p.getByRole('heading', { name: 'You have no working recovery code' }).isVisible()).toBe(true);
    await openFromNavigation(p, 'Items');
    await expect.poll(() => p.getByRole('complementary', { name: 'Recovery code reminder' }).innerText()).toContain('You have no recovery code');
    await fresh.close();
  });

  it('never sent a recovery code, share card, password or Secret Key to the server', () => {
    expect(allRequests.some((r) => r.url.includes('/api/recovery/finish'))).toBe(true);
    const compact = (s: string) => s.replace(/-/g, '');
    const secrets = [
      PASSWORD,
      NEW_PASSWORD,
      NEWER_PASSWORD,
      user.secretKey,
      firstNewSecretKey,
      secondNewSecretKey,
      activeCode,
      pendingCode,
      ...shareTexts,
      LOGIN.password,
      LOGIN.notes,
      NOTE.notes,
    ].flatMap((s) => [s, compact(s), s.toLowerCase(), compact(s).toLowerCase()]);
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

/* Request bookkeeping for contexts still open (closed ones are in allRequests). */
function watched(context: BrowserContext): RecordedRequest[] {
  return liveWatches.get(context) ?? [];
}
function allRequestsSoFar(): RecordedRequest[] {
  return [...allRequests, ...[...liveWatches.values()].flat()];
}
function watchedBodies(): string[] {
  return allRequestsSoFar().map((r) => r.body);
}
