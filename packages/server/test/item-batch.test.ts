/**
 * The batch item create (`POST /api/items/batch`, docs/protocol.md §26) and the SDK import on
 * it: one transaction, so a batch with one bad item, one item aimed at a vault the caller may not
 * write, or an id already taken writes nothing (its new vaults neither); the size bound; who may
 * write where; and an import that fails midway through the SDK leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPlan } from '@latchkey/core/import-file';
import type { ItemFields } from '@latchkey/core/item';
import { MAX_ITEMS_PER_BATCH } from '@latchkey/core/wire/vaults';
import type { Fetch } from '@latchkey/client/http';
import { expectApiError, newVaultBody, send, signUpUser, startTestServer, type TestServer, type TestUser } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';
import { addMember, createHttpOrganization, orgPerson, type OrgPerson, share, sharedVaultOf } from './helpers/org-http.ts';

let server: TestServer;
let alice: TestUser;
let alicePerson: OrgPerson;
let bob: TestUser;
let bobPerson: OrgPerson;
/** Sends raw batches only (its hand-made vaults are signed by no key of its own, so its SDK client is never used). */
let carol: TestUser;
let carolVault: string;
let aliceVault: string;
/** What `corrupt` does to the next batch request(s) of alice's SDK client. */
let corrupt: ((body: { items: Array<{ ciphertext: string }> }, call: number) => void) | undefined;
let batchCalls = 0;

const db = () => server.running.context.db;
const junk = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url');
const rowCounts = async () => ({
  items: Number(
    (
      await db()
        .selectFrom('items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  ),
  vaults: Number(
    (
      await db()
        .selectFrom('vaults')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  ),
});
const batch = (token: string, body: unknown) => send(server, { method: 'POST', path: '/api/items/batch', token, body });
const itemFor = (vaultId: string) => ({ vaultId, id: crypto.randomUUID(), ciphertext: junk() });
const tokenOf = async (user: TestUser) => (await user.store.read()).session!.token;
const plan = (vaults: Array<{ name: string | undefined; items: ItemFields[] }>): ImportPlan => ({ format: 'csv', vaults, skipped: [] });
const logins = (n: number, prefix: string): ItemFields[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'login', title: `${prefix} ${i}`, username: `u${i}`, password: `pw-${i}`, urls: [`https://s${i}.example`] }));

/** Alice's fetch: lets a test damage a batch request before it leaves, as a fault midway would. */
const aliceFetch: Fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (init?.method === 'POST' && url.endsWith('/api/items/batch') && typeof init.body === 'string') {
    batchCalls++;
    if (corrupt !== undefined) {
      const body = JSON.parse(init.body) as { items: Array<{ ciphertext: string }> };
      corrupt(body, batchCalls);
      return fetch(input, { ...init, body: JSON.stringify(body) });
    }
  }
  return fetch(input, init);
};

beforeAll(async () => {
  server = await startTestServer();
  alice = await signUpUser(server, { fetch: aliceFetch });
  bob = await signUpUser(server);
  carol = await signUpUser(server);
  carolVault = (await carol.client.vaults.find('Personal')).id;
  aliceVault = (await alice.client.vaults.find('Personal')).id;
  alicePerson = await orgPerson(server, alice);
  bobPerson = await orgPerson(server, bob);
});
afterAll(() => server.close());

describe('POST /api/items/batch', () => {
  it('creates new vaults and items in one go, version 1', async () => {
    const token = await tokenOf(carol);
    const vault = await newVaultBody(await carol.client.whoami());
    const items = [itemFor(carolVault), itemFor(vault.id), itemFor(vault.id)];
    const res = await batch(token, { vaults: [vault], items });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ items: items.map((i) => ({ id: i.id, version: 1 })) });
    const rows = await db().selectFrom('items').select(['id', 'vault_id', 'version']).where('vault_id', '=', vault.id).execute();
    expect(rows.map((r) => [r.id, r.version]).sort()).toEqual([items[1]!, items[2]!].map((i) => [i.id, 1]).sort());
  });

  it('writes nothing when one item is bad, is another account’s vault, or has an id already taken', async () => {
    const token = await tokenOf(carol);
    const bobVault = (await bob.client.vaults.find('Personal')).id;
    const taken = itemFor(carolVault);
    expect((await batch(token, { items: [taken] })).status).toBe(201);
    const before = await rowCounts();
    const vault = await newVaultBody(await carol.client.whoami());
    const good = () => [itemFor(carolVault), itemFor(vault.id)];
    expectApiError(await batch(token, { vaults: [vault], items: [...good(), { ...itemFor(carolVault), ciphertext: 'not base64url!' }] }), 'invalid_request');
    expectApiError(await batch(token, { vaults: [vault], items: [...good(), { ...itemFor(carolVault), extra: 1 }] }), 'invalid_request');
    expectApiError(await batch(token, { vaults: [vault], items: [...good(), itemFor(bobVault)] }), 'not_found');
    expectApiError(await batch(token, { vaults: [vault], items: [...good(), { ...itemFor(carolVault), id: taken.id }] }), 'already_exists');
    const twice = itemFor(carolVault);
    expectApiError(await batch(token, { items: [twice, twice] }), 'invalid_request');
    expectApiError(await batch(token, { vaults: [vault, vault], items: good() }), 'invalid_request');
    expectApiError(
      await batch(token, { vaults: [{ ...vault, keyWrap: { ...vault.keyWrap, recipientKeysetId: bobPerson.keyset.id } }], items: good() }),
      'invalid_request',
    );
    expectApiError(await batch(token, { items: [] }), 'invalid_request');
    expect(await rowCounts()).toEqual(before);
  });

  it(`refuses more than ${MAX_ITEMS_PER_BATCH} items, and a body over its limit, writing nothing`, async () => {
    const token = await tokenOf(carol);
    const before = await rowCounts();
    const over = await batch(token, { items: Array.from({ length: MAX_ITEMS_PER_BATCH + 1 }, () => itemFor(carolVault)) });
    expectApiError(over, 'invalid_request');
    expect((over.json as { error: { message: string } }).error.message).toContain(String(MAX_ITEMS_PER_BATCH));
    const big = 'A'.repeat(200_000);
    expectApiError(await batch(token, { items: Array.from({ length: 45 }, () => ({ ...itemFor(carolVault), ciphertext: big })) }), 'body_too_large');
    // The single create keeps the default limit.
    const single = await send(server, {
      method: 'POST',
      path: `/api/vaults/${carolVault}/items`,
      token,
      rawBody: JSON.stringify({ id: crypto.randomUUID(), ciphertext: 'A'.repeat(1_100_000) }),
    });
    expectApiError(single, 'body_too_large');
    expect(await rowCounts()).toEqual(before);
  });

  it('lets a member write a vault shared to edit, refuses one shared to view (forbidden)', async () => {
    const org = await createHttpOrganization(server, alicePerson);
    await addMember(server, org, bobPerson, 'member');
    const viewOnly = await sharedVaultOf(server, alicePerson);
    const editable = await sharedVaultOf(server, alicePerson);
    await share(server, org, viewOnly, alicePerson, bobPerson, 'view');
    await share(server, org, editable, alicePerson, bobPerson, 'edit');
    const token = await tokenOf(bob);
    const before = await rowCounts();
    expectApiError(await batch(token, { items: [itemFor(editable.id), itemFor(viewOnly.id)] }), 'forbidden');
    expectApiError(await batch(token, { items: [itemFor(editable.id), itemFor(aliceVault)] }), 'not_found');
    expect(await rowCounts()).toEqual(before);
    expect((await batch(token, { items: [itemFor(editable.id)] })).status).toBe(201);
  });
});

describe('SDK import', () => {
  it('imports into Personal and a new vault in one batch; a second import adds nothing', async () => {
    const first = plan([
      { name: undefined, items: logins(3, 'Mine') },
      { name: 'Imported Work', items: [...logins(2, 'Work'), { kind: 'note', title: 'Memo', notes: 'ünïcødé\nline 2' }] },
    ]);
    batchCalls = 0;
    expect(await alice.client.items.import(first)).toMatchObject({ imported: 6, duplicates: 0, newVaults: ['Imported Work'] });
    expect(batchCalls).toBe(1);
    const work = await alice.client.vaults.find('Imported Work');
    expect((await alice.client.items.list(work.id)).map((i) => i.title).sort()).toEqual(['Memo', 'Work 0', 'Work 1']);
    expect(await alice.client.items.import(first)).toMatchObject({ imported: 0, duplicates: 6, newVaults: [] });
    expect((await alice.client.items.list(work.id)).length).toBe(3);
  });

  it('a failure during the upload leaves nothing, not even the new vault', async () => {
    const before = await rowCounts();
    corrupt = (body) => {
      body.items[body.items.length - 1]!.ciphertext = '!';
    };
    try {
      const failing = plan([
        { name: undefined, items: logins(50, 'Half') },
        { name: 'Never', items: logins(50, 'Never') },
      ]);
      expect(await errorCodeOf(alice.client.items.import(failing))).toBe('invalid_request');
    } finally {
      corrupt = undefined;
    }
    expect(await rowCounts()).toEqual(before);
    expect((await alice.client.vaults.list()).map((v) => v.name)).not.toContain('Never');
  });

  it('an import larger than one batch body goes in several; a later batch failing removes the earlier ones’ items', async () => {
    const before = await rowCounts();
    // ~100 KB notes: the 8 MiB body holds about 60 of them, so 100 items take two batches.
    const bulky = logins(100, 'Bulky').map((item, i) => ({ ...item, notes: `${i} ${'x'.repeat(100_000)}` }));
    const sizes: number[] = [];
    batchCalls = 0;
    corrupt = (body, call) => {
      sizes.push(body.items.length);
      if (call === 2) body.items[0]!.ciphertext = '!';
    };
    try {
      expect(await errorCodeOf(alice.client.items.import(plan([{ name: undefined, items: bulky }])))).toBe('invalid_request');
    } finally {
      corrupt = undefined;
    }
    expect(batchCalls).toBe(2);
    expect(sizes[0]! + sizes[1]!).toBe(100);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses to import into a vault shared to view, before sending anything', async () => {
    const viewOnly = (await bob.client.vaults.list()).find((v) => v.access === 'view');
    expect(viewOnly).toBeDefined();
    const before = await rowCounts();
    expect(await errorCodeOf(bob.client.items.import(plan([{ name: undefined, items: logins(2, 'No') }]), { vault: viewOnly!.id }))).toBe('forbidden');
    expect(await rowCounts()).toEqual(before);
  });
});
