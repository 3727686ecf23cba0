/**
 * Passkey accounts in the web app (issue 12 item 6; docs/protocol.md §24.9–24.11), end to end in
 * Chromium with the DevTools protocol's virtual WebAuthn authenticator (ctap2, internal,
 * resident key, user verification): sign-up with a passkey and its required recovery code (a
 * wrong code typed back is refused before anything is made), the device key a non-extractable
 * AES-256-GCM key in IndexedDB, lock and unlock with the passkey, the trusted devices list and
 * rename, and deauthorizing a second browser context from the first (its next unlock fails).
 * The recovery code, the account secret and the bundle never leave the browser in clear.
 *
 * The second browser becomes a trusted device the way enrollment (§24.7) will leave it, whose
 * web screens are not built yet: the test opens the first browser's sealed bundle with that
 * browser's own device key (script in the page can use it), seals it under a second device key
 * it imports non-extractable into the second browser, and inserts the trusted_devices row, as
 * the server suite does (passkey-accounts.test.ts). The synced passkey is the first
 * authenticator's credential copied into the second's.
 *
 * The page is opened at http://localhost:<port>: WebAuthn refuses IP addresses as relying-party IDs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { associatedData } from '@latchkey/core/associated-data';
import { importDeviceKey, sealDeviceCredentialBundle } from '@latchkey/core/device-credential-bundle';
import { generateRecoveryCode } from '@latchkey/core/recovery-code';
import { extractCode, startTestServer, type TestServer, uniqueEmail, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, screenshot, unfoldHeader, watchContext, type RecordedRequest } from './helpers/browser.ts';

let server: TestServer;
let base = '';
let browser: Browser;
const email = uniqueEmail('passkey-web');
let userId = '';

interface Device {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  readonly requests: RecordedRequest[];
  readonly problems: string[];
}
let first: Device;
let second: Device;

const heading = (p: Page, name: string | RegExp) => p.getByRole('heading', { level: 1, name });

async function newDevice(width: number): Promise<Device> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 800 : 900 }, acceptDownloads: true });
  const { requests, problems } = watchContext(context);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, hasPrf: true },
  });
  return { context, page, cdp, authenticatorId, requests, problems };
}

/** The sealed bundle of one trusted device, as the server keeps it. */
async function sealedBundleOf(deviceId: string): Promise<string> {
  const row = await server.running.context.db
    .selectFrom('trusted_devices')
    .select('sealed_bundle')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return row.sealed_bundle;
}

/**
 * The synced passkey: one authenticator's credential copied into another's, signature counter
 * included (the server refuses a counter that does not move forward).
 */
async function syncPasskey(from: Device, to: Device): Promise<void> {
  const { credentials } = await from.cdp.send('WebAuthn.getCredentials', { authenticatorId: from.authenticatorId });
  const { credentialId, isResidentCredential, rpId, privateKey, userHandle, signCount } = credentials[0]!;
  await to.cdp.send('WebAuthn.clearCredentials', { authenticatorId: to.authenticatorId });
  await to.cdp.send('WebAuthn.addCredential', {
    authenticatorId: to.authenticatorId,
    credential: { credentialId, isResidentCredential, privateKey, signCount, ...(rpId ? { rpId } : {}), ...(userHandle ? { userHandle } : {}) },
  });
}

/** The device id a browser sent with its passkey unlock (the last one). */
const unlockDeviceId = (device: Device): string => {
  const body = device.requests.filter((r) => r.url.endsWith('/api/auth/passkey/unlock')).at(-1)?.body;
  return (JSON.parse(body ?? '{}') as { deviceId: string }).deviceId;
};

beforeAll(async () => {
  server = await startTestServer({ args: ['--public-url', 'http://localhost:0'] });
  base = `http://localhost:${new URL(server.url).port}`;
  browser = await launchChromium();
  first = await newDevice(1280);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  for (const [i, d] of [first, second].entries())
    if (d && !d.page.isClosed()) await screenshot(d.page, `passkeys-failed-${i}-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

describe('passkey accounts in the web app', () => {
  let recoveryCode = '';

  it('signs up with a passkey: the recovery code is required and typed back, the device key is non-extractable, nothing secret is sent', async () => {
    const { page } = first;
    await page.goto(`${base}/signup`);
    await heading(page, 'Create your Latchkey account').waitFor();
    await page.getByLabel('Email address').fill(email);
    const sentAfter = Date.now() - 1000;
    await page.getByRole('button', { name: 'Sign up with a passkey' }).click();
    await heading(page, 'Check your email').waitFor();
    // The passkey path asks for no password.
    expect(await page.getByLabel('Account password', { exact: true }).count()).toBe(0);
    const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
    await page.getByLabel('Code from the email').fill(extractCode(mail.text));
    await page.getByLabel('Your name').fill('Pia Passkey');
    await screenshot(page, 'passkeys-01-sign-up');
    await page.getByRole('button', { name: 'Continue' }).click();

    await heading(page, 'Store your recovery code').waitFor({ timeout: 30_000 });
    expect(await page.locator('main').innerText()).toContain('This recovery code is your only way back on your own');
    recoveryCode = (await page.getByTestId('recovery-code').innerText()).trim();
    expect(recoveryCode).toMatch(/^R1-/);
    await screenshot(page, 'passkeys-02-recovery-code');
    // No passkey exists yet: the code must be typed back first.
    expect((await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId })).credentials).toEqual([]);
    const field = page.getByLabel('Type the recovery code back');
    // A typo (its check character fails), then a well-formed code that is not this one: each refused here.
    await field.fill(`${recoveryCode.slice(0, -1)}${recoveryCode.endsWith('A') ? 'B' : 'A'}`);
    await page.getByRole('button', { name: 'Create passkey and account' }).click();
    await page.getByRole('alert').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await field.fill(generateRecoveryCode());
    await page.getByRole('button', { name: 'Create passkey and account' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('That is not the code shown above');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect((await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId })).credentials).toEqual([]);

    await field.fill(recoveryCode.toLowerCase().replaceAll('-', ' '));
    await page.getByRole('button', { name: 'Create passkey and account' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    await screenshot(page, 'passkeys-03-items');

    const { credentials } = await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    const user = await server.running.context.db.selectFrom('users').select(['id', 'unlock_method']).where('email', '=', email).executeTakeFirstOrThrow();
    expect(user.unlock_method).toBe('passkey');
    userId = user.id;

    const key = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('latchkey-device-key', 1);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const stored = await new Promise<CryptoKey>((resolve, reject) => {
        const get = db.transaction('keys', 'readonly').objectStore('keys').get('device-key');
        get.onsuccess = () => resolve(get.result as CryptoKey);
        get.onerror = () => reject(get.error);
      });
      db.close();
      return { isKey: stored instanceof CryptoKey, extractable: stored.extractable, algorithm: stored.algorithm as AesKeyAlgorithm, usages: stored.usages };
    });
    expect(key).toEqual({ isKey: true, extractable: false, algorithm: { name: 'AES-GCM', length: 256 }, usages: ['encrypt', 'decrypt'] });

    // The recovery code itself never leaves the browser (only its public key and a wrap).
    const compact = recoveryCode.replaceAll('-', '');
    for (const r of first.requests) {
      expect(r.body).not.toContain(recoveryCode);
      expect(r.body.replaceAll('-', '')).not.toContain(compact);
    }
    expect(first.problems).toEqual([]);
  });

  it('locks, and unlocks with the passkey alone', async () => {
    const { page } = first;
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Lock' }).click();
    await heading(page, 'Latchkey is locked').waitFor();
    expect(await page.getByLabel('Account password', { exact: true }).count()).toBe(0);
    await screenshot(page, 'passkeys-04-locked');
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    expect(first.requests.filter((r) => r.url.endsWith('/api/auth/passkey/unlock'))).toHaveLength(1);

    // Signed out, the sign-in page offers this account's passkey.
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to Latchkey').waitFor();
    expect(await page.locator('main').innerText()).toContain(`Signing in as ${email} with your passkey`);
    await screenshot(page, 'passkeys-05-sign-in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
  });

  it('lists the trusted devices and renames this one; the Account page offers no password or Secret Key change', async () => {
    const { page } = first;
    await openFromNavigation(page, 'Account');
    await heading(page, 'Account').waitFor();
    await expect.poll(() => page.locator('main').innerText()).toContain('it has no account password and no Secret Key to change');
    expect(await page.getByRole('button', { name: 'Change password' }).count()).toBe(0);
    await openFromNavigation(page, 'Sessions');
    await page.getByRole('link', { name: 'trusted devices' }).click();
    await heading(page, 'Trusted devices').waitFor();
    const row = page.locator('ul.sessions li');
    await expect.poll(() => row.count()).toBe(1);
    const text = await row.innerText();
    expect(text).toContain('Chrome on Linux');
    expect(text).toContain('This device');
    expect(text).toMatch(/web · added .+ · last used .+/);
    await page.getByRole('button', { name: 'Rename Chrome on Linux' }).click();
    await page.getByLabel('New name').fill('Work laptop');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.locator('main').getByRole('status').first().innerText()).toBe('Renamed Chrome on Linux to Work laptop.');
    // The status is set as the list is fetched again: the row follows.
    await expect.poll(() => row.innerText()).toContain('Work laptop');
    await screenshot(page, 'passkeys-06-devices');
  });

  it('a second browser at 375 px is refused until trusted; deauthorized from the first, its next unlock fails', async () => {
    second = await newDevice(375);
    const { page } = second;
    await syncPasskey(first, second);

    await page.goto(base);
    await heading(page, 'Sign in to Latchkey').waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('This browser is not a trusted device of this account');
    await screenshot(page, 'passkeys-07-not-trusted-375');

    // Without a device key it asks nothing of the server; with one that the server has no bundle for, the server refuses it.
    expect(second.requests.filter((r) => r.url.endsWith('/api/auth/passkey/unlock'))).toEqual([]);
    const raw = crypto.getRandomValues(new Uint8Array(32));
    await page.evaluate(
      async (bytes) => {
        const key = await crypto.subtle.importKey('raw', new Uint8Array(bytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
        const open = indexedDB.open('latchkey-device-key', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('keys');
        const db = await new Promise<IDBDatabase>((resolve) => {
          open.onsuccess = () => resolve(open.result);
        });
        const tx = db.transaction('keys', 'readwrite');
        tx.objectStore('keys').put(key, 'device-key');
        await new Promise((resolve) => {
          tx.oncomplete = resolve;
        });
        db.close();
      },
      [...raw],
    );
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await expect.poll(() => second.requests.filter((r) => r.url.endsWith('/api/auth/passkey/unlock')).length).toBe(1);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('This browser is not a trusted device of this account');
    // Trusted as enrollment will leave it (see the file's comment): the bundle under its own key.
    const firstDeviceId = unlockDeviceId(first);
    const secondDeviceId = unlockDeviceId(second);
    expect(secondDeviceId).not.toBe(firstDeviceId);
    const ad = (deviceId: string) => associatedData('device-credential-bundle', { account: userId, device: deviceId });
    const bundle = new Uint8Array(
      await first.page.evaluate(
        async ({ sealed, ad }) => {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const open = indexedDB.open('latchkey-device-key', 1);
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error);
          });
          const key = await new Promise<CryptoKey>((resolve) => {
            const get = db.transaction('keys', 'readonly').objectStore('keys').get('device-key');
            get.onsuccess = () => resolve(get.result as CryptoKey);
          });
          db.close();
          const bytes = Uint8Array.from(atob(sealed.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
          const additionalData = new Uint8Array([1, ...new TextEncoder().encode(ad)]);
          const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(1, 13), additionalData }, key, bytes.subarray(13));
          return [...new Uint8Array(plain)];
        },
        { sealed: await sealedBundleOf(firstDeviceId), ad: ad(firstDeviceId) },
      ),
    );
    await server.running.context.db
      .insertInto('trusted_devices')
      .values({
        user_id: userId,
        device_id: secondDeviceId,
        name: 'Phone',
        platform: 'web',
        sealed_bundle: await sealDeviceCredentialBundle(await importDeviceKey(raw), { accountId: userId, deviceId: secondDeviceId }, bundle),
      })
      .execute();

    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    // Remembered as a passkey account here: locked, it unlocks with the passkey.
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Lock' }).click();
    await heading(page, 'Latchkey is locked').waitFor();
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await heading(page, 'Items').waitFor({ timeout: 60_000 });
    await page.goto(`${base}/devices`);
    await heading(page, 'Latchkey is locked').waitFor();
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await heading(page, 'Trusted devices').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('ul.sessions li').count()).toBe(2);
    expect(await page.locator('ul.sessions li', { hasText: 'This device' }).innerText()).toContain('Phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'passkeys-08-devices-375');
    await unfoldHeader(page);
    await page.getByRole('button', { name: 'Lock' }).click();
    await heading(page, 'Latchkey is locked').waitFor();

    // Deauthorized from the first browser (its re-authentication is the passkey again).
    await syncPasskey(second, first);
    await first.page.reload();
    await heading(first.page, 'Latchkey is locked').waitFor();
    await first.page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await heading(first.page, 'Trusted devices').waitFor({ timeout: 60_000 });
    server.advanceClock(6 * 60_000); // past the 5-minute re-authentication window
    await first.page.getByRole('button', { name: 'Remove Phone' }).click();
    expect(await first.page.locator('main').innerText()).toContain('Remove Phone? It is signed out, and it can no longer unlock with the passkey.');
    await first.page.getByRole('button', { name: 'Remove device' }).click();
    await expect
      .poll(() => first.page.locator('main').getByRole('status').first().innerText(), { timeout: 60_000 })
      .toBe('Removed Phone. It was signed out, and its next passkey unlock fails.');
    await expect.poll(() => first.page.locator('ul.sessions li').count()).toBe(1);
    expect(await server.running.context.db.selectFrom('trusted_devices').select('device_id').where('user_id', '=', userId).execute()).toEqual([
      { device_id: firstDeviceId },
    ]);

    await syncPasskey(first, second);
    await page.getByRole('button', { name: 'Unlock with a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('This browser is not a trusted device of this account');
    await screenshot(page, 'passkeys-09-deauthorized-375');
    expect(second.problems.filter((p) => !/status of 40[13]/.test(p))).toEqual([]);
  });
});
