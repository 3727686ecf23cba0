/**
 * Families in the web app, end to end in a real Chromium against an in-process server (issue 10,
 * "three people end to end"; docs/protocol.md §22): an organizer creates a family and invites
 * two people; each opens the emailed link in their own browser, signs in, accepts and reads
 * their fingerprint; a fingerprint typed wrong confirms nobody; the organizer confirms each after
 * comparing what both screens show; shares one vault with one person from the Items page (edit)
 * and another with a group of both from the organization page (view); each reads exactly what
 * they may and edits only where the role allows (no edit controls with view; a forced write is
 * refused by the server); removal takes access away at once (the removed person's open page,
 * still holding the old keys, gets nothing new: reloading shows the vault gone). Then resending
 * and revoking an invitation, changing a share's role (manage shares, view is read only),
 * unsharing and leaving a group (each says to rotate), deleting a group, suspending and
 * reinstating (a new confirmation), and the organization log.
 *
 * Accounts are made with the SDK (cheapest); everything about the family goes through the pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Item } from '@latchkey/client/client';
import type { Vault } from '@latchkey/client/vaults';
import { LatchkeyError } from '@latchkey/core/errors';
import { signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { launchChromium, openFromNavigation, type RecordedRequest, screenshot, signInOnNewBrowser, watchContext } from './helpers/browser.ts';

const FAMILY = 'Rivers family f3';
const GROUP = 'Household q7';
const ROTATE = 'change those passwords and secrets';
const FINGERPRINT = /^\d{4}( \d{4}){5}$/;

let server: TestServer;
let browser: Browser;
let olive: TestUser;
let bob: TestUser;
let carol: TestUser;
/** Olive's vaults: one for Bob to edit, one for the group to view, one she shares with nobody. */
let projects: Vault;
let household: Vault;
let privateVault: Vault;
let projectsItem: Item;
let householdItem: Item;
let privateItem: Item;
const allProblems: string[] = [];
const pages: Page[] = [];

async function newPage(width = 1280, height = 860): Promise<{ context: BrowserContext; page: Page; requests: RecordedRequest[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const watched = watchContext(context);
  context.on('close', () => allProblems.push(...watched.problems));
  const page = await context.newPage();
  pages.push(page);
  return { context, page, requests: watched.requests };
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });
/** The page's own status line (not the toast region, also a status). */
const statusOf = (page: Page) => page.locator('main p[role="status"]').innerText();

/** Moves within the app as its own links do (no page load, so the keys stay in memory). */
async function goInApp(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

async function openFamily(page: Page): Promise<void> {
  await openFromNavigation(page, 'Organizations');
  await heading(page, 'Organizations').waitFor();
  await page.getByRole('link', { name: FAMILY }).click();
  await heading(page, FAMILY).waitFor();
}

/** The Items page afresh (it loads the vaults and items when it opens), and the vaults its filter offers. */
async function openItems(page: Page): Promise<string[]> {
  await openFromNavigation(page, 'Organizations');
  await heading(page, 'Organizations').waitFor();
  await openFromNavigation(page, 'Items');
  await heading(page, 'Items').waitFor();
  await page.locator('.item-list, .hint').first().waitFor();
  await expect.poll(() => page.getByLabel('Vault', { exact: true }).locator('option').count()).toBeGreaterThan(1);
  return (await page.getByLabel('Vault', { exact: true }).locator('option').allInnerTexts()).filter((t) => t !== 'All vaults');
}

const itemTitles = (page: Page) => page.locator('.item-list .item-title').allInnerTexts();
const member = (page: Page, email: string) => page.getByRole('list', { name: 'Members' }).locator(`li[data-email="${email}"]`);

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  [olive, bob, carol] = await Promise.all([
    signUpUser(server, { name: 'Olive Organizer' }),
    signUpUser(server, { name: 'Bob Member' }),
    signUpUser(server, { name: 'Carol Member' }),
  ]);
  projects = await olive.client.vaults.create('Projects p2');
  household = await olive.client.vaults.create('Household bills h5');
  privateVault = await olive.client.vaults.create('Olive only o9');
  projectsItem = await olive.client.items.create(projects.id, { kind: 'login', title: 'Build server x1', username: 'ci-bot', password: 'Pr-7731-kite' });
  householdItem = await olive.client.items.create(household.id, {
    kind: 'login',
    title: 'Electricity account e4',
    username: 'rivers',
    password: 'El-2290-moth',
  });
  privateItem = await olive.client.items.create(privateVault.id, { kind: 'note', title: 'Olive diary d8', notes: 'not for the family' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a family in the web app, three people', () => {
  let oliveRequests: RecordedRequest[];
  let org: Page;
  let bobPage: Page;
  let carolPage: Page;
  const fingerprints = new Map<string, string>();

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    for (const [i, page] of pages.entries())
      if (!page.isClosed()) await screenshot(page, `failed-families-${i}-${task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
  });

  it('the organizer creates a family and invites two people by email', async () => {
    ({ page: org, requests: oliveRequests } = await newPage());
    await signInOnNewBrowser(org, server.url, olive);
    await openFromNavigation(org, 'Organizations');
    await heading(org, 'Organizations').waitFor();
    await expect.poll(() => org.getByText('You are in no family or team yet.').isVisible()).toBe(true);
    await org.getByLabel('Name', { exact: true }).fill(FAMILY);
    await org.getByRole('button', { name: 'Create organization' }).click();
    await heading(org, FAMILY).waitFor({ timeout: 30_000 });
    expect(await org.getByText('A family; you are organizer.').isVisible()).toBe(true);
    for (const person of [bob, carol]) {
      await org.getByLabel('Email to invite').fill(person.email);
      await org.getByRole('button', { name: 'Invite', exact: true }).click();
      await expect.poll(() => statusOf(org)).toBe(`Invitation sent to ${person.email}.`);
    }
    const pending = org.getByRole('list', { name: 'Pending invitations' });
    expect(await pending.innerText()).toContain(`${bob.email} as member`);
    expect(await pending.innerText()).toContain(`${carol.email} as member`);
    await screenshot(org, 'families-01-invited');
  });

  it('each invitee opens the emailed link in their own browser, signs in, accepts and sees their fingerprint', async () => {
    // Carol is on a phone: the navigation folds into the header's Menu.
    bobPage = (await newPage()).page;
    carolPage = (await newPage(390, 844)).page;
    for (const [person, page] of [
      [bob, bobPage],
      [carol, carolPage],
    ] as const) {
      const mail = await waitForEmail(server.dataDir, { to: person.email, subjectIncludes: `invited you to the family "${FAMILY}"` });
      const link = /^(https?:\/\/\S+\/#\/invitations\/[A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1];
      expect(link, mail.text).toBeDefined();
      await page.goto(link ?? '');
      await heading(page, 'Sign in to Latchkey').waitFor();
      expect(page.url()).not.toContain('invitations'); // the code left the address bar (and history)
      await page.getByLabel('Email address').fill(person.email);
      await page.getByLabel('Secret Key').fill(person.secretKey);
      await page.getByLabel('Account password', { exact: true }).fill(person.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading(page, 'Invitation').waitFor({ timeout: 60_000 });
      await expect.poll(() => page.locator('main').innerText()).toContain(`invites you to the family ${FAMILY} as member`);
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      const shown = page.getByRole('region', { name: 'Your fingerprint' }).getByTestId('my-fingerprint');
      await expect.poll(() => shown.innerText(), { timeout: 30_000 }).toMatch(FINGERPRINT);
      fingerprints.set(person.email, (await shown.innerText()).trim());
      await screenshot(page, `families-02-accepted-${person === bob ? 'bob' : 'carol'}`);
      await page.getByRole('button', { name: 'Go to organizations' }).click();
      await expect.poll(() => page.getByRole('list', { name: 'Your organizations' }).innerText()).toContain('you are member, waiting to be confirmed');
      // Nothing is shared before confirmation: only their own vault.
      expect((await person.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
    }
    expect(fingerprints.get(bob.email)).not.toBe(fingerprints.get(carol.email));
    // A waiting member's own organization page keeps showing the same fingerprint.
    await bobPage.getByRole('link', { name: FAMILY }).click();
    await expect.poll(() => bobPage.getByTestId('my-fingerprint').innerText()).toBe(fingerprints.get(bob.email));
  });

  it('a fingerprint that differs from the one shown confirms nobody, with a clear error', async () => {
    await org.getByRole('button', { name: 'Refresh members' }).click();
    await expect.poll(() => member(org, bob.email).innerText()).toContain('member, waiting to be confirmed');
    const form = org.getByRole('form', { name: `Confirm ${bob.email}` });
    // What the organizer's browser computed equals what Bob's shows: then a wrong entry is the organizer's typo (or an attack).
    expect((await form.getByTestId('member-fingerprint').innerText()).trim()).toBe(fingerprints.get(bob.email));
    const confirmsBefore = oliveRequests.filter((r) => r.url.endsWith('/confirm')).length;
    await form.getByLabel(`Fingerprint ${bob.email} sees`).fill(fingerprints.get(carol.email) ?? '');
    await form.getByRole('button', { name: `Confirm ${bob.email}` }).click();
    await expect.poll(() => org.getByRole('alert').innerText()).toContain('does not match the one shown here for them, so nobody was confirmed');
    await screenshot(org, 'families-03-wrong-fingerprint');
    expect(await member(org, bob.email).innerText()).toContain('waiting to be confirmed');
    expect(oliveRequests.filter((r) => r.url.endsWith('/confirm')).length).toBe(confirmsBefore); // nothing was signed or sent
    const onServer = await olive.client.organizations.members((await olive.client.organizations.find(FAMILY)).id);
    expect(onServer.find((m) => m.email === bob.email)?.status).toBe('accepted');
  });

  it('the organizer confirms each after comparing the fingerprint both screens show', async () => {
    for (const person of [bob, carol]) {
      const form = org.getByRole('form', { name: `Confirm ${person.email}` });
      expect((await form.getByTestId('member-fingerprint').innerText()).trim()).toBe(fingerprints.get(person.email));
      // Read out over the phone: spaces and dashes do not matter.
      await form.getByLabel(`Fingerprint ${person.email} sees`).fill((fingerprints.get(person.email) ?? '').replaceAll(' ', '-'));
      await form.getByRole('button', { name: `Confirm ${person.email}` }).click();
      await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${person.email} is confirmed.`);
      expect(await member(org, person.email).innerText()).toContain('— member, confirmed');
    }
    await screenshot(org, 'families-04-confirmed');
    await openFamily(bobPage);
    await expect.poll(() => member(bobPage, bob.email).innerText()).toContain('(you) — member, confirmed');
    expect(await bobPage.getByTestId('my-fingerprint').count()).toBe(0);
    expect(await bobPage.getByRole('form', { name: 'Invite' }).count()).toBe(0); // a member does not invite
  });

  it('sends an invitation again (the earlier link stops working) and revokes it', async () => {
    const dave = await signUpUser(server, { name: 'Dave Later' });
    const linkIn = async (after: number) => {
      const mail = await waitForEmail(server.dataDir, { to: dave.email, subjectIncludes: 'invited you', after });
      return /^(https?:\/\/\S+\/#\/invitations\/[A-Za-z0-9_-]{43})$/m.exec(mail.text)?.[1] ?? '';
    };
    const firstSent = Date.now() - 1_000;
    await org.getByLabel('Email to invite').fill(dave.email);
    await org.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect.poll(() => statusOf(org)).toBe(`Invitation sent to ${dave.email}.`);
    const first = await linkIn(firstSent);
    const resent = Date.now();
    await org.getByRole('button', { name: `Resend to ${dave.email}` }).click();
    await expect.poll(() => statusOf(org)).toBe(`Sent again to ${dave.email}; the earlier link no longer works.`);
    const second = await linkIn(resent);
    expect(second).not.toBe(first);
    await expect(dave.client.invitations.describe(first)).rejects.toMatchObject({ code: 'invalid_code' });
    expect((await dave.client.invitations.describe(second)).name).toBe(FAMILY);
    await org.getByRole('button', { name: `Revoke for ${dave.email}` }).click();
    await expect.poll(() => statusOf(org)).toBe(`The invitation to ${dave.email} was revoked.`);
    expect(await org.getByRole('list', { name: 'Pending invitations' }).innerText()).not.toContain(dave.email);
    await expect(dave.client.invitations.describe(second)).rejects.toMatchObject({ code: 'code_expired' });
  });

  it('shares a vault with one person from the Items page, to edit', async () => {
    await openItems(org);
    await org.getByLabel('Vault', { exact: true }).selectOption({ label: 'Personal' });
    expect(await org.getByRole('button', { name: /^Share / }).count()).toBe(0); // a Personal vault is never shared
    await org.getByLabel('Vault', { exact: true }).selectOption({ label: projects.name });
    await org.getByRole('button', { name: `Share ${projects.name}` }).click();
    await heading(org, `Share ${projects.name}`).waitFor();
    await expect.poll(() => org.getByText('Not shared with anyone yet.').isVisible()).toBe(true);
    await org.getByLabel('With', { exact: true }).selectOption({ label: bob.email });
    await org.getByLabel('Share role', { exact: true }).selectOption('edit');
    await org.getByRole('button', { name: `Share ${projects.name}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${projects.name} is shared with ${bob.email} to edit.`);
    expect(await org.getByRole('list', { name: 'Vault shares' }).innerText()).toContain(`${projects.name} → ${bob.email}: edit`);
    await screenshot(org, 'families-05-shared-from-items');
  });

  it('creates a group with both and shares another vault with the group, to view', async () => {
    await openFamily(org);
    await org.getByLabel('New group name').fill(GROUP);
    await org.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`Group ${GROUP} created, with you in it.`);
    for (const person of [bob, carol]) {
      await org.getByLabel(`Person to add to ${GROUP}`).selectOption({ label: person.email });
      await org.getByRole('button', { name: `Add to ${GROUP}` }).click();
      await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${person.email} is in ${GROUP}.`);
    }
    const group = await org.getByRole('list', { name: 'Groups' }).innerText();
    for (const person of [olive, bob, carol]) expect(group).toContain(`Remove ${person.email} from ${GROUP}`);
    const share = org.getByRole('form', { name: 'Share a vault' });
    await share.getByLabel('Vault', { exact: true }).selectOption({ label: household.name });
    await share.getByLabel('With', { exact: true }).selectOption({ label: `group ${GROUP}` });
    await share.getByLabel('Share role', { exact: true }).selectOption('view');
    await share.getByRole('button', { name: 'Share vault' }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${household.name} is shared with group ${GROUP} to view.`);
    const shares = await org.getByRole('list', { name: 'Vault shares' }).innerText();
    expect(shares).toContain(`${household.name} → group ${GROUP}: view`);
    expect(shares).toContain(`${projects.name} → ${bob.email}: edit`);
    expect(shares).not.toContain(privateVault.name);
    await screenshot(org, 'families-06-group-shared');
  });

  it('each reads exactly what they may: Bob both shared vaults, Carol the group one, neither the private one', async () => {
    expect(await openItems(bobPage)).toEqual(['Personal', projects.name, household.name]);
    expect((await itemTitles(bobPage)).sort()).toEqual([projectsItem.title, householdItem.title].sort());
    expect(await openItems(carolPage)).toEqual(['Personal', household.name]);
    expect(await itemTitles(carolPage)).toEqual([householdItem.title]);
    await screenshot(carolPage, 'families-07-carol-items-phone');
    // Opening an item of a vault not shared with her by its address shows nothing of it.
    await goInApp(carolPage, `/items/${projectsItem.id}`);
    await expect.poll(() => carolPage.getByText('This item is not in your vaults.').isVisible()).toBe(true);
    expect(await carolPage.locator('main').innerText()).not.toContain(projectsItem.title);
    // The server answers not_found for a vault that is not shared with her.
    const err = await carol.client.items.update(privateItem.id, { notes: 'planted' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LatchkeyError);
    expect((err as LatchkeyError).code).toBe('not_found');
  });

  it('edits only where the role allows: Bob edits the vault he may edit; view has no edit controls and a forced write is refused', async () => {
    await bobPage
      .locator('.item-list')
      .getByRole('link', { name: new RegExp(projectsItem.title) })
      .click();
    await heading(bobPage, projectsItem.title).waitFor();
    await bobPage.getByRole('button', { name: 'Edit' }).click();
    await bobPage.getByLabel('Username').fill('ci-bot-by-bob');
    await bobPage.getByRole('button', { name: 'Save' }).click();
    await heading(bobPage, projectsItem.title).waitFor();
    await expect.poll(() => bobPage.locator('.item-view').innerText(), { timeout: 30_000 }).toContain('ci-bot-by-bob');
    expect((await olive.client.items.get(projectsItem.id)).username).toBe('ci-bot-by-bob');

    await bobPage
      .locator('.item-list')
      .getByRole('link', { name: new RegExp(householdItem.title) })
      .click();
    await heading(bobPage, householdItem.title).waitFor();
    expect(await bobPage.getByText('Shared with you to view: only people with edit access change or delete it.').isVisible()).toBe(true);
    expect(await bobPage.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await bobPage.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await screenshot(bobPage, 'families-08-view-only-item');
    // The edit address typed by hand shows no editor either.
    await goInApp(bobPage, `/items/${householdItem.id}/edit`);
    await expect.poll(() => bobPage.getByText(`You can only view the items of ${household.name}`).isVisible()).toBe(true);
    expect(await bobPage.getByRole('button', { name: 'Save' }).count()).toBe(0);
    // New items cannot be put there: the editor offers only vaults he may write to.
    await goInApp(bobPage, `/items/new?vault=${household.id}`);
    await heading(bobPage, 'New item').waitFor();
    expect(await bobPage.locator('#item-vault option').allInnerTexts()).toEqual(['Personal', projects.name]);

    // A write forced past the page (the same account's other device, holding the vault key) is refused by the server.
    for (const person of [bob, carol]) {
      const err = await person.client.items.update(householdItem.id, { username: 'forced' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LatchkeyError);
      expect((err as LatchkeyError).code).toBe('forbidden');
    }
    expect((await olive.client.items.get(householdItem.id)).username).toBe('rivers');
  });

  it('removing a member takes access away at once: her open page gets nothing new, and reopening shows the vault gone', async () => {
    await goInApp(carolPage, `/items/${householdItem.id}`);
    await heading(carolPage, householdItem.title).waitFor();
    await openFamily(org);
    await org.getByRole('button', { name: `Remove ${carol.email}`, exact: true }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toContain(`${carol.email} was removed, with every access they had.`);
    expect(await statusOf(org)).toContain(ROTATE);
    await screenshot(org, 'families-09-removed');
    expect(await member(org, carol.email).count()).toBe(0);
    const group = await org.getByRole('list', { name: 'Groups' }).innerText();
    expect(group).toContain(`Remove ${bob.email} from ${GROUP}`);
    expect(group).not.toContain(carol.email);
    // Written after the removal: under the group's new key only.
    const later = await olive.client.items.create(household.id, { kind: 'note', title: 'Water meter w6', notes: 'after Carol left' });

    // Carol's page still shows what it had decrypted, but reopening the Items page finds the vault gone.
    expect(await heading(carolPage, householdItem.title).isVisible()).toBe(true);
    expect(await openItems(carolPage)).toEqual(['Personal']);
    await expect.poll(() => carolPage.getByText('No items yet.').isVisible()).toBe(true);
    expect(await carolPage.getByLabel('Vault', { exact: true }).locator('option').allInnerTexts()).toEqual(['All vaults', 'Personal']);
    expect(await carolPage.locator('main').innerText()).not.toContain(later.title);
    // A full reload (locked; unlocked again with her password) shows the same.
    await carolPage.reload();
    await heading(carolPage, 'Latchkey is locked').waitFor();
    await carolPage.getByLabel('Account password', { exact: true }).fill(carol.password);
    await carolPage.getByRole('button', { name: 'Unlock' }).click();
    await heading(carolPage, 'Items').waitFor({ timeout: 60_000 });
    await expect.poll(() => carolPage.getByText('No items yet.').isVisible()).toBe(true);
    await screenshot(carolPage, 'families-10-removed-reloaded');
    // Her other device, which had the old group and vault keys, gets nothing of the vault from the server.
    expect((await carol.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
    expect((await carol.client.items.list()).map((i) => i.title)).toEqual([]);
    await expect(carol.client.organizations.find(FAMILY)).rejects.toMatchObject({ code: 'not_found' });

    // Bob, still in the group, reads the new item (the group was re-keyed to him).
    await openItems(bobPage);
    await expect.poll(() => itemTitles(bobPage)).toContain(later.title);
  });

  it("changing a share's role takes effect for the person: manage lets him share, view takes his edit controls away", async () => {
    await openFamily(org);
    await org.getByLabel(`Role of ${bob.email} in ${projects.name}`, { exact: true }).selectOption('manage');
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${bob.email} can now manage ${projects.name}.`);
    await openItems(bobPage);
    await bobPage.getByLabel('Vault', { exact: true }).selectOption({ label: projects.name });
    await bobPage.getByRole('button', { name: `Share ${projects.name}` }).click();
    await heading(bobPage, `Share ${projects.name}`).waitFor();
    await expect.poll(() => bobPage.getByRole('list', { name: 'Vault shares' }).innerText()).toContain(`${projects.name} → ${bob.email}: manage`);
    expect(await bobPage.getByRole('form', { name: 'Share a vault' }).isVisible()).toBe(true);

    await org.getByLabel(`Role of ${bob.email} in ${projects.name}`, { exact: true }).selectOption('view');
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${bob.email} can now view ${projects.name}.`);
    await openItems(bobPage);
    await bobPage
      .locator('.item-list')
      .getByRole('link', { name: new RegExp(projectsItem.title) })
      .click();
    await heading(bobPage, projectsItem.title).waitFor();
    expect(await bobPage.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await expect(bob.client.items.update(projectsItem.id, { username: 'forced' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('unsharing takes the vault away and says to rotate what they saw', async () => {
    await openFamily(org);
    await org.getByRole('button', { name: `Unshare ${projects.name} from ${bob.email}` }).click();
    await expect
      .poll(() => statusOf(org), { timeout: 30_000 })
      .toBe(`${projects.name} is no longer shared with ${bob.email}. What they could see they may have kept: ${ROTATE}.`);
    expect(await org.getByRole('list', { name: 'Vault shares' }).innerText()).not.toContain(bob.email);
    expect(await openItems(bobPage)).toEqual(['Personal', household.name]);
  });

  it('removing someone from a group re-keys it and takes its vaults away; adding them back gives them again', async () => {
    await org.getByRole('button', { name: `Remove ${bob.email} from ${GROUP}` }).click();
    await expect
      .poll(() => statusOf(org), { timeout: 30_000 })
      .toBe(`${bob.email} left ${GROUP}; the group was re-keyed. What they could see they may have kept: ${ROTATE}.`);
    expect(await openItems(bobPage)).toEqual(['Personal']);
    await org.getByLabel(`Person to add to ${GROUP}`).selectOption({ label: bob.email });
    await org.getByRole('button', { name: `Add to ${GROUP}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${bob.email} is in ${GROUP}.`);
    expect(await openItems(bobPage)).toEqual(['Personal', household.name]);
  });

  it('deleting a group takes away the vaults shared with it', async () => {
    await org.getByRole('button', { name: `Delete group ${GROUP}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toContain(`Group ${GROUP} was deleted, with the vault access it gave.`);
    expect(await org.getByRole('list', { name: 'Groups' }).innerText()).toBe('');
    expect(await org.getByText('Not shared with anyone yet.').isVisible()).toBe(true);
    expect(await openItems(bobPage)).toEqual(['Personal']);
    await expect.poll(() => bobPage.getByText('No items yet.').isVisible()).toBe(true);
    expect((await bob.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
  });

  it('suspends a member and reinstates them, who must then be confirmed again', async () => {
    await org.getByRole('button', { name: `Suspend ${bob.email}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toContain(`${bob.email} is suspended, with every access they had.`);
    expect(await member(org, bob.email).innerText()).toContain('member, suspended');
    expect(await org.getByRole('form', { name: `Confirm ${bob.email}` }).count()).toBe(0);
    // A suspended member cannot be shared with.
    expect(await org.getByRole('form', { name: 'Share a vault' }).getByLabel('With', { exact: true }).count()).toBe(0);
    await openFromNavigation(bobPage, 'Organizations');
    await expect.poll(() => bobPage.getByRole('list', { name: 'Your organizations' }).innerText()).toContain('you are member, suspended');

    await org.getByRole('button', { name: `Reinstate ${bob.email}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toContain(`${bob.email} is reinstated and waits to be confirmed again`);
    expect(await member(org, bob.email).innerText()).toContain('member, waiting to be confirmed');
    const form = org.getByRole('form', { name: `Confirm ${bob.email}` });
    expect((await form.getByTestId('member-fingerprint').innerText()).trim()).toBe(fingerprints.get(bob.email));
    await form.getByLabel(`Fingerprint ${bob.email} sees`).fill(fingerprints.get(bob.email) ?? '');
    await form.getByRole('button', { name: `Confirm ${bob.email}` }).click();
    await expect.poll(() => statusOf(org), { timeout: 30_000 }).toBe(`${bob.email} is confirmed.`);
  });

  it('shows the organization log to the organizer', async () => {
    const log = await org.getByRole('list', { name: 'Organization log' }).innerText();
    for (const line of [
      `organization created by ${olive.email}`,
      `invitation created by ${olive.email}`,
      `member confirmed by ${olive.email} (${bob.email})`,
      `member removed by ${olive.email}`,
      `vault shared by ${olive.email}`,
      `vault unshared by ${olive.email}`,
      `group deleted by ${olive.email}`,
      `member suspended by ${olive.email} (${bob.email})`,
      `member reinstated by ${olive.email} (${bob.email})`,
    ])
      expect(log).toContain(line);
    await screenshot(org, 'families-11-log');
    // A member sees no log.
    await openFamily(bobPage);
    expect(await bobPage.getByRole('list', { name: 'Organization log' }).count()).toBe(0);
  });

  it('left no page errors', async () => {
    for (const page of pages) await page.context().close();
    expect(allProblems).toEqual([]);
  });
});
