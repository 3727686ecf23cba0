/**
 * The item editor's TOTP field takes a QR code image (issue 15 item 1): a PNG of an
 * `otpauth://totp` setup code, made here by the `qrcode` package, is decoded in the browser
 * (jsQR on a canvas) into the field, and the saved item's live code equals `otpauth`'s for the
 * same secret; a QR code of a web link or of a counter-based (hotp) code, an image without a
 * QR code, and a file that is not an image are each refused with their own reason, leaving the
 * field as it was. At 1280 and 375 px.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';
import { signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { launchChromium, screenshot, signInOnNewBrowser } from './helpers/browser.ts';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const URI = `otpauth://totp/Fjord%20Bank:qr.user%40example.net?secret=${SECRET}&issuer=Fjord%20Bank&algorithm=SHA1&digits=6&period=30`;
const ITEM = { kind: 'login' as const, title: 'Fjord Bank q7', username: 'qr.user@example.net', password: 'Qr-pw-Heron-8841-z' };
// A 1×1 white PNG: an image, but no QR code in it.
const BLANK_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC', 'base64');

let server: TestServer;
let browser: Browser;
let user: TestUser;
let page: Page;

const png = async (text: string) => ({ name: 'setup-code.png', mimeType: 'image/png', buffer: await QRCode.toBuffer(text, { type: 'png', scale: 6 }) });
const qrInput = () => page.getByLabel('Or read a QR code image');
const totpField = () => page.getByLabel('One-time password (TOTP)', { exact: true });
const fieldAlert = () => page.locator('.totp-qr [role="alert"]');
const referenceCodes = () => {
  const totp = new TOTP({ secret: Secret.fromBase32(SECRET) });
  const now = Date.now();
  return [totp.generate({ timestamp: now - 1500 }), totp.generate({ timestamp: now })];
};

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  user = await signUpUser(server);
  const [vault] = await user.client.vaults.list();
  await user.client.items.create(vault!.id, ITEM);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && !page.isClosed())
    await screenshot(page, `totp-qr-failed-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('a QR code image in the item editor', () => {
  it('refuses what is not a time-based setup code, each with its reason, and leaves the field alone', async () => {
    await signInOnNewBrowser(page, server.url, user);
    await page.getByRole('link', { name: new RegExp(ITEM.title) }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await totpField().fill('JBSWY3DPEHPK3PXP');

    const cases = [
      [await png('https://example.com/login'), 'not an authenticator setup code'],
      [await png(`otpauth://hotp/Fjord?secret=${SECRET}&counter=3`), 'counter-based codes (otpauth://hotp)'],
      [await png('otpauth://totp/Fjord?secret=not-base32!'), 'TOTP secret is not usable'],
      [{ name: 'blank.png', mimeType: 'image/png', buffer: BLANK_PNG }, 'No QR code found in that image'],
      [{ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are not pixels') }, 'not an image this browser can read'],
    ] as const;
    for (const [file, reason] of cases) {
      await qrInput().setInputFiles(file);
      await expect.poll(() => fieldAlert().innerText(), { timeout: 10_000 }).toContain(reason);
      expect(await qrInput().getAttribute('aria-invalid')).toBe('true');
      expect(await totpField().inputValue()).toBe('JBSWY3DPEHPK3PXP');
    }
    await screenshot(page, 'totp-qr-01-refused');
  });

  it("fills the field from a QR code PNG, and the saved item's live code equals otpauth's", async () => {
    await qrInput().setInputFiles(await png(URI));
    await expect.poll(() => totpField().inputValue(), { timeout: 10_000 }).toBe(URI);
    expect(await fieldAlert().count()).toBe(0);
    expect(await qrInput().getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByText('Setup code read from the QR code image.').isVisible()).toBe(true);
    await screenshot(page, 'totp-qr-02-read');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Changes saved.').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.locator('.one-time-code').waitFor();
    expect(referenceCodes()).toContain(await page.locator('.one-time-code').getAttribute('data-code'));
    // What was saved is the URI itself, as another device reads it.
    expect((await user.client.items.list()).find((i) => i.title === ITEM.title)?.totp).toBe(URI);
  });

  it('works at phone width', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('button', { name: 'Edit' }).click();
    await totpField().fill('');
    await qrInput().setInputFiles(await png(URI));
    await expect.poll(() => totpField().inputValue(), { timeout: 10_000 }).toBe(URI);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'totp-qr-03-phone');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });
});
