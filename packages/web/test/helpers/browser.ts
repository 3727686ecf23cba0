/**
 * Test helper: Debian's Chromium driven by playwright-core (never a downloaded browser), plus
 * a recorder of every request body a page sends, and a screenshot helper writing to
 * `test-artifacts/screenshots/` at the repository root.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

export const CHROMIUM_PATH = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = fileURLToPath(new URL('../../../../test-artifacts/screenshots/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** Records every request (URL and body) of every page in the context, and console/CSP errors. */
export function watchContext(context: BrowserContext): { requests: RecordedRequest[]; problems: string[] } {
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const watchPage = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData() ?? '' }));
  context.on('page', watchPage);
  for (const page of context.pages()) watchPage(page);
  return { requests, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Signs in on a browser that does not know the account (email, Secret Key, password) and waits for the Items page. */
export async function signInOnNewBrowser(page: Page, url: string, account: { email: string; secretKey: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: 'Sign in to Latchkey' }).waitFor();
  await page.getByLabel('Email address').fill(account.email);
  await page.getByLabel('Secret Key').fill(account.secretKey);
  await page.getByLabel('Account password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Items' }).waitFor({ timeout: 60_000 });
}

/** Opens the header's Menu where it folds the navigation and account buttons away (phone widths); nothing elsewhere. */
export async function unfoldHeader(page: Page): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if ((await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
}

/** Follows a link of the main navigation, at any width. */
export async function openFromNavigation(page: Page, name: string): Promise<void> {
  await unfoldHeader(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (as accessibility.test.ts runs it), as "rule: help" lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
  });
}
