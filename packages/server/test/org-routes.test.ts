/**
 * The families-and-teams routes over HTTP against a running server (SQLite and PostgreSQL), with
 * the client side done by the core functions: an organization from creation to a shared vault
 * whose role decides what a member may do with its items; the invitation email and answer that
 * do not tell whether the address has an account; groups through their routes; and the races the
 * issue names (two organizers confirming or removing one member at once, one invitation accepted
 * twice at once, an invitation used after revocation), each with exactly one outcome and no
 * partial rows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memberFingerprint } from '@latchkey/core/member-fingerprint';
import {
  type RawResponse,
  expectApiError,
  readOutbox,
  send,
  signUpUser,
  startTestServer,
  type TestServer,
  uniqueEmail,
  waitForEmail,
} from '@latchkey/server/testing';
import {
  acceptanceFor,
  acceptedMember,
  addMember,
  confirmBody,
  createHttpOrganization,
  createTestGroup,
  groupBody,
  invite,
  invitationCode,
  organizationKeyWrapFor,
  type HttpOrganization,
  type OrgPerson,
  orgPerson,
  rekeyBody,
  share,
  sharedVaultOf,
  shareBody,
  withTwoStep,
} from './helpers/org-http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.close());

const person = async () => orgPerson(server, await signUpUser(server));
const api = (method: string, path: string, who: OrgPerson, body?: unknown) =>
  send(server, { method, path, token: who.token, ...(body === undefined ? {} : { body }) });
const ok = (res: RawResponse, status = 200) => {
  expect(res.status, res.text).toBe(status);
  return res.json as Record<string, unknown>;
};
const db = () => server.running.context.db;

describe('an organization over HTTP', () => {
  let alice: OrgPerson;
  let ben: OrgPerson;
  let org: HttpOrganization;
  beforeAll(async () => {
    [alice, ben] = [await person(), await person()];
    org = await createHttpOrganization(server, alice);
  }, 60_000);

  it('invites, accepts and confirms through the routes; both sides get the same fingerprint', async () => {
    const after = Date.now() - 1000;
    const invitation = ok(await api('POST', `/api/organizations/${org.id}/invitations`, alice, { email: ben.email, role: 'member' }), 201);
    expect(invitation).toMatchObject({ email: ben.email, role: 'member', status: 'pending', resentCount: 0 });
    const code = await invitationCode(server, ben.email, after);
    const described = ok(await api('POST', '/api/invitations/describe', ben, { token: code }));
    expect(described).toMatchObject({ organizationId: org.id, kind: 'family', role: 'member', alreadyMember: false });
    // Someone else signed in with the code: not theirs.
    expectApiError(await api('POST', '/api/invitations/describe', alice, { token: code }), 'forbidden');
    const acceptance = await acceptanceFor(server, ben, code);
    expect(ok(await api('POST', '/api/invitations/accept', ben, { token: code, acceptance }))).toEqual({ organizationId: org.id, status: 'accepted' });
    // Accepted, not yet confirmed: the organization only, nothing else.
    expect(ok(await api('GET', `/api/organizations/${org.id}`, ben))).not.toHaveProperty('keyWrap');
    expectApiError(await api('GET', `/api/organizations/${org.id}/members`, ben), 'forbidden');
    const members = ok(await api('GET', `/api/organizations/${org.id}/members`, alice)).members as Array<{ userId: string; acceptance: never; status: string }>;
    const listed = members.find((m) => m.userId === ben.id)!;
    expect(listed.status).toBe('accepted');
    expect(memberFingerprint(listed.acceptance)).toBe(memberFingerprint(acceptance));
    const body = await confirmBody(org, ben, 'member', listed.acceptance);
    expect(ok(await api('POST', `/api/organizations/${org.id}/members/${ben.id}/confirm`, alice, body))).toEqual({ confirmed: true });
    expect(ok(await api('GET', '/api/organizations', ben)).organizations).toEqual([
      { id: org.id, kind: 'family', name: 'The Testers', role: 'member', status: 'confirmed' },
    ]);
    const log = ok(await api('GET', `/api/organizations/${org.id}/log`, alice)).events as Array<{ type: string; subjectUserId: string | null }>;
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['organization.created', 'invitation.created', 'invitation.accepted', 'member.confirmed']));
    expectApiError(await api('GET', `/api/organizations/${org.id}/log`, ben), 'forbidden');
  });

  it('answers and emails alike whether or not the invited address has an account', async () => {
    const stranger = uniqueEmail('no-account');
    const carl = await person();
    const after = Date.now() - 1000;
    const toStranger = ok(await api('POST', `/api/organizations/${org.id}/invitations`, alice, { email: stranger, role: 'member' }), 201);
    const toCarl = ok(await api('POST', `/api/organizations/${org.id}/invitations`, alice, { email: carl.email, role: 'member' }), 201);
    const shape = (s: Record<string, unknown>) => ({ ...s, id: 'id', email: 'email', expiresAt: 'at' });
    expect(shape(toStranger)).toEqual(shape(toCarl));
    await invitationCode(server, stranger, after);
    await invitationCode(server, carl.email, after);
    const mails = (await readOutbox(server.dataDir)).filter(
      (m) => m.sentAt >= after && m.subject.includes('invited you') && (m.to === stranger || m.to === carl.email.toLowerCase()),
    );
    const normalized = mails.map((m) => ({ subject: m.subject, text: m.text.replace(/[A-Za-z0-9_-]{43}/g, 'CODE').replace(/expires on \S+/, 'expires') }));
    expect(normalized).toHaveLength(2);
    expect(normalized[0]).toEqual(normalized[1]);
  });

  it('keeps the invitation code out of the database and the logs (only its hash is stored)', async () => {
    const hal = await person();
    const { code } = await invite(server, org, hal.email, 'member');
    const acceptance = await acceptanceFor(server, hal, code);
    ok(await api('POST', '/api/invitations/describe', hal, { token: code }));
    ok(await api('POST', '/api/invitations/accept', hal, { token: code, acceptance }));
    expect(server.logs.filter((line) => line.includes(code))).toEqual([]);
    for (const table of ['invitations', 'memberships', 'organization_events'] as const) {
      const rows = JSON.stringify(await db().selectFrom(table).selectAll().execute());
      expect(rows.includes(code), table).toBe(false);
    }
  });

  it('revokes and re-sends invitations: the old code stops working, a revoked one is never accepted', async () => {
    const carl = await person();
    const first = await invite(server, org, carl.email, 'member');
    const after = Date.now() - 1000;
    const resent = ok(await api('POST', `/api/organizations/${org.id}/invitations/${first.id}/resend`, alice, {}));
    expect(resent).toMatchObject({ id: first.id, status: 'pending', resentCount: 1 });
    const second = await invitationCode(server, carl.email, after, first.code);
    expect(second).not.toBe(first.code);
    expectApiError(await api('POST', '/api/invitations/describe', carl, { token: first.code }), 'invalid_code');
    const acceptance = await acceptanceFor(server, carl, second);
    expect(ok(await api('DELETE', `/api/organizations/${org.id}/invitations/${first.id}`, alice))).toEqual({ revoked: true });
    expectApiError(await api('POST', '/api/invitations/accept', carl, { token: second, acceptance }), 'code_expired');
    expectApiError(await api('DELETE', `/api/organizations/${org.id}/invitations/${first.id}`, alice), 'conflict');
    expect(await db().selectFrom('memberships').select('id').where('user_id', '=', carl.id).execute()).toEqual([]);
    const listed = ok(await api('GET', `/api/organizations/${org.id}/invitations`, alice)).invitations as Array<{ id: string; status: string }>;
    expect(listed.find((i) => i.id === first.id)?.status).toBe('revoked');
  });

  it('re-sending is rate-limited per invitation: the fourth within the hour is rate_limited and issues no new code', async () => {
    const gus = await person();
    const { id } = await invite(server, org, gus.email, 'member');
    for (let i = 1; i <= 3; i++) ok(await api('POST', `/api/organizations/${org.id}/invitations/${id}/resend`, alice, {}));
    const tokenHash = async () => await db().selectFrom('invitations').select(['token_hash', 'resent_count']).where('id', '=', id).executeTakeFirstOrThrow();
    const before = await tokenHash();
    const limited = await api('POST', `/api/organizations/${org.id}/invitations/${id}/resend`, alice, {});
    expectApiError(limited, 'rate_limited');
    expect((limited.json as { error: { details?: { retryAfterSeconds?: number } } }).error.details?.retryAfterSeconds).toBeGreaterThan(0);
    // No new code was issued (so none could be emailed), and the count did not move.
    expect(before.resent_count).toBe(3);
    expect(await tokenHash()).toEqual(before);
  });

  it('a shared vault: view lists it and reads its items, edit also writes them, manage shares it; unsharing takes it away at once', async () => {
    const cat = await person();
    await addMember(server, org, cat, 'member');
    const vault = await sharedVaultOf(server, alice);
    const item = ok(await api('POST', `/api/vaults/${vault.id}/items`, alice, { id: crypto.randomUUID(), ciphertext: 'AAAA' }), 201) as { id: string };
    // Before any share: cat does not know it exists.
    expectApiError(await api('GET', `/api/vaults/${vault.id}/items`, cat), 'not_found');
    expectApiError(await api('GET', `/api/items/${item.id}`, cat), 'not_found');

    const body = await shareBody(org, vault, alice, cat, 'view');
    expect(ok(await api('POST', `/api/vaults/${vault.id}/shares`, alice, body), 201)).toEqual({ shareId: body.id });
    const shared = ok(await api('GET', '/api/shared-vaults', cat)).vaults as Array<Record<string, unknown>>;
    expect(shared).toEqual([
      expect.objectContaining({ vaultId: vault.id, shareId: body.id, role: 'view', groupId: null, sharedBy: alice.id, wrap: body.wrap }),
    ]);
    expect((ok(await api('GET', `/api/vaults/${vault.id}/items`, cat)).items as unknown[]).length).toBe(1);
    expect(ok(await api('GET', `/api/items/${item.id}`, cat))).toMatchObject({ id: item.id, vaultId: vault.id });
    expectApiError(await api('POST', `/api/vaults/${vault.id}/items`, cat, { id: crypto.randomUUID(), ciphertext: 'AAAA' }), 'forbidden');
    expectApiError(await api('PUT', `/api/vaults/${vault.id}/items/${item.id}`, cat, { expectedVersion: 1, ciphertext: 'BBBB' }), 'forbidden');
    expectApiError(await api('GET', `/api/vaults/${vault.id}/shares`, cat), 'forbidden');
    // Someone outside the organization: nothing exists.
    expectApiError(await api('GET', `/api/vaults/${vault.id}/items`, await person()), 'not_found');

    expect(ok(await api('PUT', `/api/vaults/${vault.id}/shares/${body.id}`, alice, { role: 'edit' }))).toEqual({ role: 'edit' });
    expect(ok(await api('PUT', `/api/vaults/${vault.id}/items/${item.id}`, cat, { expectedVersion: 1, ciphertext: 'BBBB' }))).toEqual({
      id: item.id,
      version: 2,
    });
    expectApiError(await api('GET', `/api/vaults/${vault.id}/shares`, cat), 'forbidden');
    ok(await api('PUT', `/api/vaults/${vault.id}/shares/${body.id}`, alice, { role: 'manage' }));
    const shares = ok(await api('GET', `/api/vaults/${vault.id}/shares`, cat)).shares;
    expect(shares).toEqual([{ id: body.id, organizationId: org.id, userId: cat.id, groupId: null, role: 'manage' }]);
    // A share id under another vault is not found there.
    const other = await sharedVaultOf(server, alice);
    expectApiError(await api('DELETE', `/api/vaults/${other.id}/shares/${body.id}`, alice), 'not_found');

    expect(ok(await api('DELETE', `/api/vaults/${vault.id}/shares/${body.id}`, alice))).toEqual({ rotateSecrets: true });
    expectApiError(await api('GET', `/api/vaults/${vault.id}/items`, cat), 'not_found');
    expectApiError(await api('GET', `/api/items/${item.id}`, cat), 'not_found');
    expect(ok(await api('GET', '/api/shared-vaults', cat)).vaults).toEqual([]);
  });

  it('groups through their routes: create, list, read, add, re-key a member out, delete; a group share reaches members only', async () => {
    const [dan, eve] = [await person(), await person()];
    await addMember(server, org, dan, 'member');
    await addMember(server, org, eve, 'member');
    const { body, version } = await groupBody(org, [alice, dan]);
    expect(ok(await api('POST', `/api/organizations/${org.id}/groups`, alice, body), 201)).toEqual({ id: body.id, keyVersion: 1 });
    const asDan = ok(await api('GET', `/api/organizations/${org.id}/groups/${body.id}`, dan));
    expect(asDan).toMatchObject({ id: body.id, keyVersion: 1, members: expect.arrayContaining([alice.id, dan.id]), sharedVaultIds: [] });
    expect(asDan).toHaveProperty('keyWrap');
    expect(asDan).not.toHaveProperty('memberWraps');
    expectApiError(await api('GET', `/api/organizations/${org.id}/groups/${body.id}`, eve), 'not_found');
    expect((ok(await api('GET', `/api/organizations/${org.id}/groups`, eve)).groups as unknown[]).map((g) => (g as { id: string }).id)).not.toContain(body.id);
    expect((ok(await api('GET', `/api/organizations/${org.id}/groups`, alice)).groups as Array<{ id: string }>).map((g) => g.id)).toContain(body.id);

    const { addGroupMember } = await import('@latchkey/core/group-keyset');
    const wrap = await addGroupMember({ organizationId: org.id, keyset: org.keyset }, { groupId: body.id, keyVersion: 1, keyset: version.keyset }, eve.member);
    expect(ok(await api('POST', `/api/organizations/${org.id}/groups/${body.id}/members`, alice, { userId: eve.id, keyVersion: 1, wrap }), 201)).toEqual({
      added: true,
    });
    expectApiError(await api('POST', `/api/organizations/${org.id}/groups/${body.id}/members`, dan, { userId: eve.id, keyVersion: 1, wrap }), 'forbidden');
    const rekey = await rekeyBody(org, { id: body.id }, [alice, dan, eve], [eve]);
    expect(ok(await api('POST', `/api/organizations/${org.id}/groups/${body.id}/rekey`, alice, rekey))).toEqual({ keyVersion: 2 });
    expectApiError(await api('POST', `/api/organizations/${org.id}/groups/${body.id}/rekey`, alice, rekey), 'conflict');
    expectApiError(await api('GET', `/api/organizations/${org.id}/groups/${body.id}`, eve), 'not_found');
    expect(ok(await api('DELETE', `/api/organizations/${org.id}/groups/${body.id}`, alice))).toEqual({ deleted: true });
    expectApiError(await api('GET', `/api/organizations/${org.id}/groups/${body.id}`, alice), 'not_found');
  });

  it('suspends, reinstates and removes a member through the routes: the share goes at once', async () => {
    const fay = await person();
    await addMember(server, org, fay, 'member');
    const vault = await sharedVaultOf(server, alice);
    await share(server, org, vault, alice, fay, 'view');
    expect(ok(await api('POST', `/api/organizations/${org.id}/members/${fay.id}/suspend`, alice, {}))).toEqual({ groupsToRekey: [] });
    expectApiError(await api('GET', `/api/vaults/${vault.id}/items`, fay), 'not_found');
    expect(ok(await api('POST', `/api/organizations/${org.id}/members/${fay.id}/reinstate`, alice, {}))).toEqual({ reinstated: true });
    expect(ok(await api('GET', `/api/organizations/${org.id}`, fay))).toMatchObject({ status: 'accepted' });
    expect(ok(await api('DELETE', `/api/organizations/${org.id}/members/${fay.id}`, alice))).toEqual({ groupsToRekey: [] });
    expectApiError(await api('GET', `/api/organizations/${org.id}`, fay), 'not_found');
  });
});

describe('races over HTTP: exactly one outcome, no partial rows', () => {
  let alice: OrgPerson;
  let bob: OrgPerson;
  let org: HttpOrganization;
  beforeAll(async () => {
    [alice, bob] = [await person(), await person()];
    org = await createHttpOrganization(server, alice);
    await addMember(server, org, bob, 'organizer');
  }, 60_000);

  const statuses = (results: RawResponse[]) => results.map((r) => r.status).sort();

  it('two organizers confirming the same member at once: one confirms, the other gets conflict', async () => {
    const kim = await person();
    const acceptance = await acceptedMember(server, org, kim, 'member');
    const [byAlice, byBob] = [await confirmBody(org, kim, 'member', acceptance), await confirmBody(org, kim, 'member', acceptance)];
    const path = `/api/organizations/${org.id}/members/${kim.id}/confirm`;
    const results = await Promise.all([api('POST', path, alice, byAlice), api('POST', path, bob, byBob)]);
    expect(statuses(results)).toEqual([200, 409]);
    expectApiError(results.find((r) => r.status === 409)!, 'conflict');
    const events = await db()
      .selectFrom('organization_events')
      .select('type')
      .where('organization_id', '=', org.id)
      .where('subject_user_id', '=', kim.id)
      .where('type', '=', 'member.confirmed')
      .execute();
    expect(events).toHaveLength(1);
    const row = await db().selectFrom('memberships').select(['status', 'confirmed_by']).where('user_id', '=', kim.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
    expect([alice.id, bob.id]).toContain(row.confirmed_by);
  });

  it('two organizers removing the same member at once: one removes, the other gets not_found; nothing of theirs is left', async () => {
    const lee = await person();
    await addMember(server, org, lee, 'organizer');
    const vault = await sharedVaultOf(server, alice);
    await share(server, org, vault, alice, lee, 'edit');
    await createTestGroup(server, org, [alice, lee]);
    const path = `/api/organizations/${org.id}/members/${lee.id}`;
    const results = await Promise.all([api('DELETE', path, alice), api('DELETE', path, bob)]);
    expect(statuses(results)).toEqual([200, 404]);
    expectApiError(results.find((r) => r.status === 404)!, 'not_found');
    for (const table of ['memberships', 'organization_key_wraps', 'group_memberships', 'group_key_wraps', 'vault_shares'] as const) {
      expect(await db().selectFrom(table).select('user_id').where('user_id', '=', lee.id).execute(), table).toEqual([]);
    }
    const removed = await db()
      .selectFrom('organization_events')
      .select('type')
      .where('subject_user_id', '=', lee.id)
      .where('type', '=', 'member.removed')
      .execute();
    expect(removed).toHaveLength(1);
    // The log still names the removed member (and the remover) by email, to those who may read it.
    const log = ok(await api('GET', `/api/organizations/${org.id}/log`, alice)).events as Array<Record<string, unknown>>;
    const entry = log.find((e) => e.type === 'member.removed' && e.subjectUserId === lee.id);
    expect(entry?.subjectEmail).toBe(lee.email);
    expect([alice.email, bob.email]).toContain(entry?.actorEmail);
    expect(log.find((e) => e.type === 'organization.created')).toMatchObject({ actorEmail: alice.email, subjectEmail: null });
    expect(JSON.stringify(log.map((e) => e.detail))).not.toContain('@');
  });

  it('two organizers removing each other at once: the organization keeps one organizer', async () => {
    const solo = await person();
    const other = await person();
    const family = await createHttpOrganization(server, solo);
    await addMember(server, family, other, 'organizer');
    const results = await Promise.all([
      api('DELETE', `/api/organizations/${family.id}/members/${other.id}`, solo),
      api('DELETE', `/api/organizations/${family.id}/members/${solo.id}`, other),
    ]);
    // One removes the other; the second is no longer a member (not_found) or would leave no organizer (conflict).
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expectApiError(results.find((r) => r.status !== 200)!, ['not_found', 'conflict']);
    const left = await db().selectFrom('memberships').select(['role', 'status']).where('organization_id', '=', family.id).execute();
    expect(left).toEqual([{ role: 'organizer', status: 'confirmed' }]);
  });

  it('one invitation accepted twice at once: one membership, the other gets code_used', async () => {
    const max = await person();
    const { code } = await invite(server, org, max.email, 'member');
    const acceptance = await acceptanceFor(server, max, code);
    const results = await Promise.all([
      api('POST', '/api/invitations/accept', max, { token: code, acceptance }),
      api('POST', '/api/invitations/accept', max, { token: code, acceptance }),
    ]);
    expect(statuses(results)).toEqual([200, 400]);
    expectApiError(results.find((r) => r.status === 400)!, 'code_used');
    expect(await db().selectFrom('memberships').select('status').where('user_id', '=', max.id).execute()).toEqual([{ status: 'accepted' }]);
  });

  it('an invitation revoked while it is being accepted: either revoked (and never accepted) or accepted (and not revoked)', async () => {
    const ned = await person();
    const { id, code } = await invite(server, org, ned.email, 'member');
    const acceptance = await acceptanceFor(server, ned, code);
    const [accepted, revoked] = await Promise.all([
      api('POST', '/api/invitations/accept', ned, { token: code, acceptance }),
      api('DELETE', `/api/organizations/${org.id}/invitations/${id}`, alice),
    ]);
    const membership = await db().selectFrom('memberships').select('status').where('user_id', '=', ned.id).execute();
    const invitation = await db().selectFrom('invitations').select(['accepted_at', 'revoked_at']).where('id', '=', id).executeTakeFirstOrThrow();
    if (accepted.status === 200) {
      expectApiError(revoked, 'conflict');
      expect(membership).toEqual([{ status: 'accepted' }]);
      expect(invitation.revoked_at).toBeNull();
    } else {
      expect(revoked.status).toBe(200);
      expectApiError(accepted, ['code_used', 'code_expired']);
      expect(membership).toEqual([]);
      expect(invitation.accepted_at).toBeNull();
    }
    // Used after revocation (or after acceptance): refused, nothing written.
    expectApiError(await api('POST', '/api/invitations/accept', ned, { token: code, acceptance }), ['code_used', 'code_expired']);
    expect(await db().selectFrom('memberships').select('status').where('user_id', '=', ned.id).execute()).toEqual(membership);
  });
});

describe('team administration over HTTP: roles, transfer, two-step reset (§22.10)', () => {
  // Each test signs up a few people: the sign-up limit per source is not under test here.
  beforeEach(async () => {
    await db().deleteFrom('rate_limits').where('bucket', 'like', 'signupPer%').execute();
  });
  const role = (org: HttpOrganization, who: OrgPerson, body: unknown) => api('POST', `/api/organizations/${org.id}/members/${who.id}/role`, org.creator, body);
  const roleOf = async (org: HttpOrganization, who: OrgPerson) =>
    (await db().selectFrom('memberships').select('role').where('organization_id', '=', org.id).where('user_id', '=', who.id).executeTakeFirst())?.role;
  const wrapsOf = async (org: HttpOrganization, who: OrgPerson) =>
    db().selectFrom('organization_key_wraps').select('key_version').where('organization_id', '=', org.id).where('user_id', '=', who.id).execute();
  const outboxTo = async (email: string, kind: string) =>
    db().selectFrom('outbox').select(['kind', 'data']).where('recipient', '=', email.toLowerCase()).where('kind', '=', kind).execute();

  it('promotes a member with the organization key and demotes them again, deleting their wrap; the member is emailed and the log says so', async () => {
    const alice = await person();
    const ben = await person();
    const family = await createHttpOrganization(server, alice);
    await addMember(server, family, ben, 'member');
    const wrap = await organizationKeyWrapFor(family, ben);
    // Bad promotions: no wrap, a wrap to someone else, a team role in a family, a stale `from`.
    expectApiError(await role(family, ben, { from: 'member', role: 'organizer' }), 'invalid_request');
    expectApiError(
      await role(family, ben, { from: 'member', role: 'organizer', organizationKeyWrap: await organizationKeyWrapFor(family, alice) }),
      'invalid_request',
    );
    expectApiError(await role(family, ben, { from: 'member', role: 'admin', organizationKeyWrap: wrap }), 'invalid_request');
    expectApiError(await role(family, ben, { from: 'organizer', role: 'member' }), 'conflict');
    expectApiError(await role(family, ben, { from: 'member', role: 'member' }), 'invalid_request');
    expect(await roleOf(family, ben)).toBe('member');
    expect(await wrapsOf(family, ben)).toEqual([]);

    expect(ok(await role(family, ben, { from: 'member', role: 'organizer', organizationKeyWrap: wrap }))).toEqual({ role: 'organizer' });
    expect(ok(await api('GET', `/api/organizations/${family.id}`, ben)).keyWrap).toEqual(wrap);
    // Now an organizer, ben may confirm people himself.
    ok(await api('GET', `/api/organizations/${family.id}/log`, ben));
    // A demotion carries no wrap; it deletes ben's.
    expectApiError(await role(family, ben, { from: 'organizer', role: 'member', organizationKeyWrap: wrap }), 'invalid_request');
    expect(ok(await role(family, ben, { from: 'organizer', role: 'member' }))).toEqual({ role: 'member' });
    expect(await wrapsOf(family, ben)).toEqual([]);
    expect(ok(await api('GET', `/api/organizations/${family.id}`, ben))).not.toHaveProperty('keyWrap');
    expectApiError(await api('GET', `/api/organizations/${family.id}/log`, ben), 'forbidden');
    // A member may change no role, not even their own.
    expectApiError(await api('POST', `/api/organizations/${family.id}/members/${alice.id}/role`, ben, { from: 'organizer', role: 'member' }), 'forbidden');

    const log = ok(await api('GET', `/api/organizations/${family.id}/log`, alice)).events as Array<{ type: string; detail: Record<string, unknown> }>;
    expect(log.filter((e) => e.type === 'member.role-changed').map((e) => e.detail)).toEqual([
      { from: 'organizer', to: 'member' },
      { from: 'member', to: 'organizer' },
    ]);
    const notices = await outboxTo(ben.email, 'member-role-changed');
    expect(notices.map((n) => (n.data as { role: string }).role).sort()).toEqual(['member', 'organizer']);
  });

  it('the last organizer cannot step down; with a second one they can, and a team admin can change no role', async () => {
    const alice = await person();
    const family = await createHttpOrganization(server, alice);
    expectApiError(await role(family, alice, { from: 'organizer', role: 'member' }), 'conflict');
    expect(await roleOf(family, alice)).toBe('organizer');

    const team = await createHttpOrganization(server, alice, 'team');
    const [adam, mia] = [await person(), await person()];
    await addMember(server, team, adam, 'admin');
    await addMember(server, team, mia, 'member');
    // An admin acts on members only, and may make nobody an admin: the table gives role changes to owners.
    expectApiError(
      await api('POST', `/api/organizations/${team.id}/members/${mia.id}/role`, adam, {
        from: 'member',
        role: 'admin',
        organizationKeyWrap: await organizationKeyWrapFor(team, mia),
      }),
      'forbidden',
    );
    // Key holder to key holder: no new wrap, the old one stays.
    expect(ok(await role(team, adam, { from: 'admin', role: 'recovery_admin' }))).toEqual({ role: 'recovery_admin' });
    expect(await wrapsOf(team, adam)).toHaveLength(1);
    expectApiError(await role(team, adam, { from: 'recovery_admin', role: 'organizer' }), 'invalid_request');
  });

  it('transfers a team: the member becomes owner with the key, the owner steps down to admin in the same transaction', async () => {
    const alice = await person();
    const mia = await person();
    const team = await createHttpOrganization(server, alice, 'team');
    await addMember(server, team, mia, 'member');
    const path = `/api/organizations/${team.id}/members/${mia.id}/transfer`;
    expectApiError(await api('POST', path, alice, { from: 'member', stepDown: true }), 'invalid_request');
    expectApiError(
      await api('POST', `/api/organizations/${team.id}/members/${alice.id}/transfer`, alice, { from: 'owner', stepDown: true }),
      'invalid_request',
    );
    expect(await roleOf(team, alice)).toBe('owner');
    const body = { from: 'member', stepDown: true, organizationKeyWrap: await organizationKeyWrapFor(team, mia) };
    expect(ok(await api('POST', path, alice, body))).toEqual({ role: 'owner', yourRole: 'admin' });
    expect([await roleOf(team, mia), await roleOf(team, alice)]).toEqual(['owner', 'admin']);
    expect(ok(await api('GET', `/api/organizations/${team.id}`, mia)).keyWrap).toEqual(body.organizationKeyWrap);
    expect(await wrapsOf(team, alice)).toHaveLength(1);
    // Alice is an admin now: no more transfers or role changes of hers.
    expectApiError(await api('POST', `/api/organizations/${team.id}/members/${mia.id}/transfer`, alice, { from: 'owner', stepDown: false }), 'forbidden');
    const log = ok(await api('GET', `/api/organizations/${team.id}/log`, mia)).events as Array<{ type: string; detail: Record<string, unknown> }>;
    expect(log.find((e) => e.type === 'organization.ownership-transferred')?.detail).toEqual({ from: 'member', to: 'owner', steppedDownTo: 'admin' });
  });

  it('a family organizer hands over and becomes a member: their organization key wrap goes', async () => {
    const alice = await person();
    const ben = await person();
    const family = await createHttpOrganization(server, alice);
    await addMember(server, family, ben, 'member');
    const body = { from: 'member', stepDown: true, organizationKeyWrap: await organizationKeyWrapFor(family, ben) };
    expect(ok(await api('POST', `/api/organizations/${family.id}/members/${ben.id}/transfer`, alice, body))).toEqual({ role: 'organizer', yourRole: 'member' });
    expect(await wrapsOf(family, alice)).toEqual([]);
    expect(await wrapsOf(family, ben)).toHaveLength(1);
  });

  it("resets a member's two-step verification: every factor and session goes, no key or item changes; logged and emailed to the member and every owner; once a day", async () => {
    const [alice, olga, adam, mia] = [await person(), await person(), await person(), await person()];
    const team = await createHttpOrganization(server, alice, 'team');
    await addMember(server, team, olga, 'owner');
    await addMember(server, team, adam, 'admin');
    await addMember(server, team, mia, 'member');
    await withTwoStep(server, mia);
    const path = (who: OrgPerson) => `/api/organizations/${team.id}/members/${who.id}/reset-two-step`;
    // An admin acts on members only; nobody resets themselves; a member without two-step verification has nothing to reset.
    expectApiError(await api('POST', path(alice), adam, {}), 'forbidden');
    expectApiError(await api('POST', path(adam), adam, {}), 'invalid_request');
    expectApiError(await api('POST', path(olga), alice, {}), 'invalid_request');
    expectApiError(await api('POST', path(mia), mia, {}), 'forbidden');

    const keysOfMia = async () => ({
      vaults: await db().selectFrom('vault_access').selectAll().where('user_id', '=', mia.id).execute(),
      keyset: await db().selectFrom('users').select(['keyset_id', 'opaque_record']).where('id', '=', mia.id).execute(),
      wraps: await db().selectFrom('organization_key_wraps').selectAll().where('user_id', '=', mia.id).execute(),
    });
    const before = await keysOfMia();
    expect((await api('GET', '/api/account', mia)).status).toBe(200);
    const after = Date.now() - 1000;
    const done = ok(await api('POST', path(mia), adam, {}));
    expect(done).toMatchObject({ reset: true });
    expect(done.sessionsEnded).toBeGreaterThanOrEqual(1);
    for (const table of ['totp_factors', 'security_keys', 'backup_codes', 'sessions', 'challenges'] as const) {
      expect(await db().selectFrom(table).select('user_id').where('user_id', '=', mia.id).execute(), table).toEqual([]);
    }
    expect(await keysOfMia()).toEqual(before);
    expectApiError(await api('GET', '/api/account', mia), 'unauthenticated');
    const security = await db()
      .selectFrom('security_events')
      .select(['type', 'detail'])
      .where('user_id', '=', mia.id)
      .where('type', '=', 'two-factor.reset-by-organization')
      .execute();
    expect(security).toHaveLength(1);
    const log = ok(await api('GET', `/api/organizations/${team.id}/log`, alice)).events as Array<{ type: string; actorUserId: string; subjectUserId: string }>;
    expect(log.find((e) => e.type === 'member.two-step-reset')).toMatchObject({ actorUserId: adam.id, subjectUserId: mia.id });
    expect(await outboxTo(mia.email, 'two-step-reset')).toHaveLength(1);
    for (const owner of [alice, olga]) expect(await outboxTo(owner.email, 'member-two-step-reset'), owner.email).toHaveLength(1);
    expect(await outboxTo(adam.email, 'member-two-step-reset')).toEqual([]);
    const mail = await waitForEmail(server.dataDir, { to: mia.email, subjectIncludes: 'two-step verification was removed', after });
    expect(mail.text).toContain('change your password and your Secret Key');

    // Set up again the same day: a second reset is refused and removes nothing.
    await withTwoStep(server, mia);
    expectApiError(await api('POST', path(mia), alice, {}), 'rate_limited');
    expect(await db().selectFrom('totp_factors').select('status').where('user_id', '=', mia.id).execute()).toHaveLength(2);
  });

  it('a family has no two-step reset, not even for its organizer', async () => {
    const alice = await person();
    const ben = await person();
    const family = await createHttpOrganization(server, alice);
    await addMember(server, family, ben, 'member');
    await withTwoStep(server, ben);
    expectApiError(await api('POST', `/api/organizations/${family.id}/members/${ben.id}/reset-two-step`, alice, {}), 'forbidden');
    expect(await db().selectFrom('security_keys').select('id').where('user_id', '=', ben.id).execute()).toHaveLength(1);
  });
});

describe('team administration races: exactly one outcome', () => {
  // Each test signs up a few people: the sign-up limit per source is not under test here.
  beforeEach(async () => {
    await db().deleteFrom('rate_limits').where('bucket', 'like', 'signupPer%').execute();
  });
  const statuses = (results: RawResponse[]) => results.map((r) => r.status).sort();

  it('two role changes of one member at once: one succeeds, the other gets conflict', async () => {
    const [alice, bob, kim] = [await person(), await person(), await person()];
    const team = await createHttpOrganization(server, alice, 'team');
    await addMember(server, team, bob, 'owner');
    await addMember(server, team, kim, 'admin');
    const path = `/api/organizations/${team.id}/members/${kim.id}/role`;
    const results = await Promise.all([api('POST', path, alice, { from: 'admin', role: 'member' }), api('POST', path, bob, { from: 'admin', role: 'owner' })]);
    expect(statuses(results)).toEqual([200, 409]);
    expectApiError(results.find((r) => r.status === 409)!, 'conflict');
    const row = await db()
      .selectFrom('memberships')
      .select('role')
      .where('organization_id', '=', team.id)
      .where('user_id', '=', kim.id)
      .executeTakeFirstOrThrow();
    const wraps = await db()
      .selectFrom('organization_key_wraps')
      .select('user_id')
      .where('organization_id', '=', team.id)
      .where('user_id', '=', kim.id)
      .execute();
    // Demoted: no wrap left; made owner: the wrap stays.
    expect({ role: row.role, wraps: wraps.length }).toEqual(row.role === 'member' ? { role: 'member', wraps: 0 } : { role: 'owner', wraps: 1 });
    const events = await db()
      .selectFrom('organization_events')
      .select('type')
      .where('subject_user_id', '=', kim.id)
      .where('type', '=', 'member.role-changed')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('a transfer to a member while another organizer removes them: either they are gone with no wrap, or they are organizer with theirs', async () => {
    const [alice, bob, carl] = [await person(), await person(), await person()];
    const family = await createHttpOrganization(server, alice);
    await addMember(server, family, bob, 'organizer');
    await addMember(server, family, carl, 'member');
    const body = { from: 'member', stepDown: false, organizationKeyWrap: await organizationKeyWrapFor(family, carl) };
    const [transfer, removal] = await Promise.all([
      api('POST', `/api/organizations/${family.id}/members/${carl.id}/transfer`, alice, body),
      api('DELETE', `/api/organizations/${family.id}/members/${carl.id}`, bob),
    ]);
    expect(removal.status === 200 || transfer.status === 200, `${transfer.text} ${removal.text}`).toBe(true);
    if (transfer.status !== 200) expectApiError(transfer, 'not_found');
    const membership = await db().selectFrom('memberships').select('role').where('organization_id', '=', family.id).where('user_id', '=', carl.id).execute();
    const wraps = await db()
      .selectFrom('organization_key_wraps')
      .select('user_id')
      .where('organization_id', '=', family.id)
      .where('user_id', '=', carl.id)
      .execute();
    if (removal.status === 200) {
      expect({ membership, wraps }).toEqual({ membership: [], wraps: [] });
    } else {
      expect({ membership, wraps: wraps.length }).toEqual({ membership: [{ role: 'organizer' }], wraps: 1 });
    }
  });
});
