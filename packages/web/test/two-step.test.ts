/**
 * Two-step verification in the web app, end to end in a real Chromium against an in-process
 * server (SPEC §2.3, §3.3; issue 5): authenticator app setup by reading the setup key and
 * `otpauth://` URI from the page (with the QR code drawn), backup codes shown once and
 * downloaded; a security key registered with Chromium's virtual WebAuthn authenticator
 * (DevTools protocol); then sign-ins in fresh browsers answering the two-step prompt with
 * a wrong and a right authenticator code, a backup code (which works once), and the security
 * key; a sign-in stopped at the second step (password and Secret Key right) marked on the
 * sessions page; and changing factors (remove the key with the key itself as the proof, new
 * backup codes, turn the app off with a backup code). Every request body is checked: the TOTP secret, passwords and
 * the Secret Key never leave the browser; backup codes only go where they are checked.
 *
 * The page is opened at http://localhost:<port>, because WebAuthn refuses IP addresses as
 * relying-party IDs; the server's public URL is `http://localhost:0` (the real port filled in).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Download, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { signInAgain, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { extractPdfText } from '@latchkey/client/testing';
import { launchChromium, screenshot, watchContext, type RecordedRequest } from './helpers/browser.ts';

const PASSWORD = 'two step password 6Vw lighthouse';

let server: TestServer;
let base = '';
let browser: Browser;
let user: TestUser;
let totpSecret = '';
let backupCodes: string[] = [];
let newBackupCodes: string[] = [];
/** The virtual authenticator's credential, copied into fresh browsers to sign in with the "same" key. */
let keyCredential: Record<string, unknown> | undefined;
const allRequests: RecordedRequest[] = [];
const allProblems: string[] = [];
const liveWatches = new Map<BrowserContext, RecordedRequest[]>();

/** Each TOTP code is accepted once per step: move the server's clock (and ours) to a fresh step. */
let clockOffset = 0;
function nextCode(): string {
  server.advanceClock(30_000);
  clockOffset += 30_000;
  return codeNow();
}
const codeNow = () => new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + clockOffset });
/** A code that is not the current one (one digit changed). */
const wrongCode = () => {
  const code = codeNow();
  return String((Number(code[0]) + 5) % 10) + code.slice(1);
};

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ download: Download; bytes: Uint8Array }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { download, bytes: new Uint8Array(await readFile(await download.path())) };
}

/** New-browser sign-in up to the point where the SDK either signs in or asks for the second step. */
async function signInUntilPrompt(page: Page): Promise<void> {
  await page.goto(base);
  await heading(page, 'Sign in to Latchkey').waitFor();
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Secret Key').fill(user.secretKey);
  await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading(page, 'Two-step verification').waitFor({ timeout: 60_000 });
}

async function reauthenticate(page: Page): Promise<void> {
  await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Continue|Create new codes)$/ }).click();
}

async function openTwoStep(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Two-step verification' }).click();
  await heading(page, 'Two-step verification').waitFor();
}

beforeAll(async () => {
  server = await startTestServer({ args: ['--public-url', 'http://localhost:0'] });
  base = `http://localhost:${new URL(server.url).port}`;
  browser = await launchChromium();
  user = await signUpUser(server, { password: PASSWORD, name: 'Tess Twostep' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('two-step verification in the web app', () => {
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';

  beforeAll(async () => {
    ({ context, page } = await newContext());
    ({ cdp, authenticatorId } = await virtualAuthenticator(context, page));
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && !page.isClosed())
      await screenshot(page, `two-step-failed-${task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  });

  it('sets up the authenticator app from the setup key and URI on the page, with a QR code', async () => {
    await page.goto(base);
    await heading(page, 'Sign in to Latchkey').waitFor();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Secret Key').fill(user.secretKey);
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    await openTwoStep(page);
    await expect.poll(() => page.getByRole('heading', { name: 'Two-step verification is off' }).isVisible()).toBe(true);
    await screenshot(page, 'two-step-01-overview-off');

    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await heading(page, 'Set up an authenticator app').waitFor();
    await reauthenticate(page);
    await heading(page, 'Scan this QR code').waitFor({ timeout: 60_000 });
    const shownKey = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    const uri = await page.getByTestId('totp-uri').textContent();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const parsed = new URL(uri!);
    expect(parsed.searchParams.get('secret')).toBe(shownKey);
    expect(Secret.fromBase32(shownKey).bytes.length * 8).toBeGreaterThanOrEqual(160);
    totpSecret = shownKey;
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    expect(await qr.isVisible()).toBe(true);
    expect((await qr.boundingBox())!.width).toBeGreaterThan(150);
    expect(await page.getByTestId('totp-qr').locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    await screenshot(page, 'two-step-02-scan');

    await page.getByLabel('Code from the app').fill(wrongCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That code is not right');

    // Six minutes with the phone: the re-authentication has lapsed (the setup itself has not).
    // The page asks for the password beside the code instead of leaving the owner stuck.
    server.advanceClock(6 * 60_000);
    clockOffset += 6 * 60_000;
    await page.getByLabel('Code from the app').fill(nextCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Enter it again');
    await page.getByLabel('Account password', { exact: true }).fill(`${PASSWORD} typo`);
    await page.getByLabel('Code from the app').fill(nextCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('account password is not right');
    await page.getByLabel('Account password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Code from the app').fill(nextCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await heading(page, 'Save your backup codes').waitFor();
  });

  it('shows 10 backup codes once, downloadable as text and printable as PDF', async () => {
    backupCodes = (await page.getByTestId('backup-codes').locator('li').allInnerTexts()).map((c) => c.trim());
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    await screenshot(page, 'two-step-03-backup-codes');
    const text = await downloadOf(page, () => page.getByRole('button', { name: 'Download' }).click());
    expect(text.download.suggestedFilename()).toBe('Latchkey backup codes.txt');
    const content = new TextDecoder().decode(text.bytes);
    for (const code of backupCodes) expect(content).toContain(code);
    expect(content).toContain(user.email);
    expect(content).not.toContain(totpSecret);
    const pdf = await downloadOf(page, () => page.getByRole('button', { name: 'Print (PDF)' }).click());
    expect(new TextDecoder().decode(pdf.bytes.slice(0, 5))).toBe('%PDF-');
    const pdfText = await extractPdfText(pdf.bytes);
    for (const code of backupCodes) expect(pdfText).toContain(code);
    await page.getByRole('button', { name: 'I saved my backup codes' }).click();
    await heading(page, 'Two-step verification').waitFor();
    await expect.poll(() => page.getByRole('heading', { name: 'Two-step verification is on' }).isVisible()).toBe(true);
    expect(await page.getByTestId('backup-remaining').textContent()).toContain('10 backup codes left');
    expect(await page.getByTestId('backup-codes').count()).toBe(0); // shown once
  });

  it('registers a security key (virtual authenticator), proving it is the owner with an app code', async () => {
    await page.getByLabel('Name for a new key').fill('Blue test key');
    await page.getByRole('button', { name: 'Add security key' }).click();
    await heading(page, 'Add security key “Blue test key”').waitFor();
    await reauthenticate(page);
    await page.getByRole('heading', { name: 'Prove it is you' }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'two-step-04-proof');
    await page.getByLabel('Code from your authenticator app').fill(nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading(page, 'Two-step verification').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole('list', { name: 'Your security keys' }).textContent()).toContain('Blue test key');
    await screenshot(page, 'two-step-05-overview-on');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    keyCredential = credentials[0] as unknown as Record<string, unknown>;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    await context.close();
  });

  it('asks for the second step on a fresh browser: a wrong code is refused clearly, the right one signs in', async () => {
    const { context: fresh, page: p } = await newContext();
    await signInUntilPrompt(p);
    expect(await p.getByRole('button', { name: 'Use your security key' }).isVisible()).toBe(true);
    expect(await p.getByRole('button', { name: 'Use a backup code' }).isVisible()).toBe(true);
    await screenshot(p, 'two-step-06-sign-in-prompt');
    await p.getByLabel('Code from your authenticator app').fill(wrongCode());
    await p.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => p.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('That code is not right');
    await screenshot(p, 'two-step-07-wrong-code');
    await p.getByLabel('Code from your authenticator app').fill(nextCode());
    await p.getByRole('button', { name: 'Verify' }).click();
    await heading(p, 'Items').waitFor({ timeout: 30_000 });
    await fresh.close();
  });

  it('signs in with a backup code, which then works no more', async () => {
    const { context: first, page: p } = await newContext();
    await signInUntilPrompt(p);
    await p.getByRole('button', { name: 'Use a backup code' }).click();
    await p.getByLabel('Backup code').fill(backupCodes[0]!);
    await screenshot(p, 'two-step-08-backup-code');
    await p.getByRole('button', { name: 'Verify' }).click();
    await heading(p, 'Items').waitFor({ timeout: 30_000 });
    await openTwoStep(p);
    await expect.poll(() => p.getByTestId('backup-remaining').textContent()).toContain('9 backup codes left');
    await first.close();

    const { context: second, page: q } = await newContext();
    await signInUntilPrompt(q);
    await q.getByRole('button', { name: 'Use a backup code' }).click();
    await q.getByLabel('Backup code').fill(backupCodes[0]!);
    await q.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => q.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('already used');
    await q.getByRole('button', { name: 'Cancel sign-in' }).click();
    await heading(q, 'Sign in to Latchkey').waitFor();
    expect(await q.getByRole('alert').count()).toBe(0);
    await second.close();
  });

  it('marks a sign-in waiting for its second step on the sessions page, and signs it out', async () => {
    // Someone with the password and Secret Key, stopped by two-step verification (a raw sign-in
    // that never gives the second step; the SDK itself ends a sign-in it abandons).
    await signInAgain(server, { email: user.email, password: PASSWORD, secretKey: user.secretKey });

    const { context: fresh, page: p } = await newContext();
    await signInUntilPrompt(p);
    await p.getByLabel('Code from your authenticator app').fill(nextCode());
    await p.getByRole('button', { name: 'Verify' }).click();
    await heading(p, 'Items').waitFor({ timeout: 30_000 });
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
    await heading(p, "Where you're signed in").waitFor();
    // The raw sign-in's device is named "raw client"; browsers are named by user agent.
    const intruderRow = p
      .locator('.sessions li')
      .filter({ has: p.locator('strong', { hasText: /^raw client$/ }) })
      .filter({ has: p.getByTestId('two-step-pending') });
    await expect.poll(() => intruderRow.count(), { timeout: 30_000 }).toBe(1);
    expect(await intruderRow.getByText('Waiting for two-step verification', { exact: true }).isVisible()).toBe(true);
    const warning = await intruderRow.getByTestId('two-step-pending').textContent();
    expect(warning).toContain('waiting for two-step verification');
    expect(warning).toContain('change your account password and Secret Key');
    // This browser's own session is complete, so it is not marked.
    const mine = p.locator('.sessions li').filter({ hasText: 'This browser' });
    expect(await mine.count()).toBe(1);
    expect(await mine.getByTestId('two-step-pending').count()).toBe(0);
    // (A sign-in cancelled at the prompt ends its own waiting session, so only the raw one is marked.)
    const waitingBefore = await p.getByTestId('two-step-pending').count();
    expect(waitingBefore).toBeGreaterThanOrEqual(1);
    await screenshot(p, 'two-step-08b-waiting-session');

    await intruderRow.getByRole('button', { name: /^Sign out / }).click();
    await expect.poll(() => intruderRow.count(), { timeout: 30_000 }).toBe(0);
    expect(await p.getByTestId('two-step-pending').count()).toBe(waitingBefore - 1);
    await fresh.close();
  });

  it('signs in with the security key, removes it proved by the key itself, makes new backup codes, turns the app off with a backup code', async () => {
    // Five factor attempts follow: start in a fresh window of the per-user limit (10 per 5 minutes).
    server.advanceClock(300_000);
    clockOffset += 300_000;
    const { context: fresh, page: p } = await newContext();
    const { cdp: freshCdp, authenticatorId: freshId } = await virtualAuthenticator(fresh, p);
    await freshCdp.send('WebAuthn.addCredential', { authenticatorId: freshId, credential: keyCredential as never });
    await signInUntilPrompt(p);
    await p.getByRole('button', { name: 'Use your security key' }).click();
    await screenshot(p, 'two-step-09-security-key');
    await p.getByRole('button', { name: 'Use security key' }).click();
    await heading(p, 'Items').waitFor({ timeout: 30_000 });

    await openTwoStep(p);
    await p.getByRole('button', { name: 'Remove Blue test key' }).click();
    await reauthenticate(p);
    await p.getByRole('heading', { name: 'Prove it is you' }).waitFor({ timeout: 60_000 });
    expect(await p.locator('section.two-step > p').first().textContent()).toContain('your security key');
    // The security key proves it is the owner, on a fresh challenge for this change.
    const proofOptions = p.waitForRequest((r) => r.url().endsWith('/api/two-step/security-keys/proof-options') && r.method() === 'POST');
    const removal = p.waitForRequest((r) => /\/api\/two-step\/security-keys\/[^/]+$/.test(r.url()) && r.method() === 'DELETE');
    await p.getByRole('button', { name: 'Use your security key' }).click();
    await screenshot(p, 'two-step-10-proof-by-key');
    await p.getByRole('button', { name: 'Use security key' }).click();
    await proofOptions;
    const removeBody = JSON.parse((await removal).postData() ?? '{}') as Record<string, unknown>;
    expect(Object.keys(removeBody)).toEqual(['securityKey']);
    expect(removeBody.securityKey).toMatchObject({ type: 'public-key' });
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'was removed' }).count(), { timeout: 30_000 }).toBe(1);
    // The list re-renders after the status line appears.
    await p.getByText('No security keys yet.').waitFor({ timeout: 10_000 });

    await p.getByRole('button', { name: 'Create new backup codes' }).click();
    await reauthenticate(p);
    // Regenerating changes a factor: it needs a proof by an enrolled one, like removing a key.
    await p.getByRole('heading', { name: 'Prove it is you' }).waitFor({ timeout: 60_000 });
    await p.getByLabel('Code from your authenticator app').fill(nextCode());
    await p.getByRole('button', { name: 'Verify' }).click();
    await heading(p, 'Your new backup codes').waitFor({ timeout: 60_000 });
    newBackupCodes = (await p.getByTestId('backup-codes').locator('li').allInnerTexts()).map((c) => c.trim());
    expect(newBackupCodes).toHaveLength(10);
    expect(newBackupCodes.some((c) => backupCodes.includes(c))).toBe(false);
    await p.getByRole('button', { name: 'I saved my backup codes' }).click();
    await heading(p, 'Two-step verification').waitFor();

    await p.getByRole('button', { name: 'Turn off authenticator app' }).click();
    await reauthenticate(p);
    await p.getByRole('heading', { name: 'Prove it is you' }).waitFor({ timeout: 60_000 });
    await p.getByRole('button', { name: 'Use a backup code' }).click();
    await p.getByLabel('Backup code').fill(backupCodes[1]!); // revoked by the regeneration
    await p.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => p.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('not right');
    await p.getByLabel('Backup code').fill(newBackupCodes[0]!);
    await p.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => p.getByRole('heading', { name: 'Two-step verification is off' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await screenshot(p, 'two-step-11-off-again');
    await fresh.close();
  });

  it('never sends the TOTP secret, a password or the Secret Key; backup codes only where they are checked', async () => {
    for (const requests of liveWatches.values()) allRequests.push(...requests);
    expect(allRequests.length).toBeGreaterThan(20);
    const secretKeyCompact = user.secretKey.replace(/-/g, '');
    for (const request of allRequests) {
      expect(request.body).not.toContain(totpSecret);
      expect(request.body).not.toContain(PASSWORD);
      expect(request.body.replace(/-/g, '')).not.toContain(secretKeyCompact);
      for (const code of [...backupCodes, ...newBackupCodes]) {
        if (request.body.includes(code)) expect(request.url).toMatch(/\/api\/(auth\/two-step|two-step\/totp\/disable|two-step\/security-keys)/);
      }
    }
    expect(allProblems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
