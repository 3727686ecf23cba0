/**
 * Organizer recovery over HTTP (docs/protocol.md §22.8), SQLite and PostgreSQL: the start by a
 * Recovery Group member (the member is emailed a link with a token kept only as a hash; the
 * member and every organizer get a notice; both logs record it), the member's and the
 * organizers' status, every way to cancel (the member signed in, the link signed out, another
 * organizer, signing in with the old credentials, a recovery-code proof), and the policy.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawResponse, expectApiError, send, signInAgain, signUpUser, startTestServer, type TestServer, waitForEmail } from '@latchkey/server/testing';
import { hashToken } from '../src/security/tokens.ts';
import { addMember, createHttpOrganization, ensureRecoveryGroup, type HttpOrganization, type OrgPerson, orgPerson } from './helpers/org-http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.close());

const strongPassword = () => `quartz-lantern-${randomBytes(4).toString('hex')}-meadow`;
interface Person extends OrgPerson {
  readonly password: string;
  readonly secretKey: string;
}
const person = async (): Promise<Person> => {
  const user = await signUpUser(server, { password: strongPassword() });
  return { ...(await orgPerson(server, user)), password: user.password, secretKey: user.secretKey };
};
const api = (method: string, path: string, who: { token: string } | null, body?: unknown) =>
  send(server, { method, path, ...(who === null ? {} : { token: who.token }), ...(body === undefined ? {} : { body }) });
const ok = (res: RawResponse, status = 200) => {
  expect(res.status, res.text).toBe(status);
  return res.json as Record<string, unknown>;
};
const db = () => server.running.context.db;
const orgUrl = (org: HttpOrganization, rest = '') => `/api/organizations/${org.id}${rest}`;

/** The token on the link line of the newest recovery email to `email`. */
async function linkToken(email: string, after: number): Promise<string> {
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'started recovering', after: after - 1000 }, 10_000);
  const token = /#\/organizer-recovery\/([A-Za-z0-9_-]{43})\n/.exec(mail.text)?.[1];
  expect(token, mail.text).toBeDefined();
  return token!;
}

const noticesTo = async (email: string) =>
  (
    await db()
      .selectFrom('outbox')
      .select(['recipient', 'kind', 'data'])
      .where('recipient', '=', email)
      .where('kind', '=', 'organizer-recovery')
      .orderBy('created_at')
      .execute()
  ).map((r) => (r.data as { event: string }).event);

let organizer: Person;
let second: Person;
let family: HttpOrganization;
beforeAll(async () => {
  organizer = await person();
  second = await person();
  family = await createHttpOrganization(server, organizer, 'family');
  await addMember(server, family, second, 'member');
  // The second organizer joins the Recovery Group through a promotion before the group exists, then the group is made for both.
  await db().updateTable('memberships').set({ role: 'organizer' }).where('organization_id', '=', family.id).where('user_id', '=', second.id).execute();
  await ensureRecoveryGroup(server, family);
}, 120_000);

async function memberOf(org: HttpOrganization): Promise<Person> {
  const p = await person();
  await addMember(server, org, p, 'member');
  return p;
}

const start = async (org: HttpOrganization, by: { token: string }, member: { id: string }) =>
  api('POST', orgUrl(org, '/recoveries'), by, { userId: member.id });

describe('starting', () => {
  it('a Recovery Group member starts it: the member gets the link (only its hash is stored), everyone a notice, both logs the event', async () => {
    const member = await memberOf(family);
    const before = Date.now();
    const started = ok(await start(family, organizer, member), 201);
    expect(started).toMatchObject({
      memberUserId: member.id,
      memberEmail: member.email,
      startedBy: organizer.id,
      status: 'awaiting_member',
      approvalsRequired: 1,
      approvedBy: [],
      waitingPeriodSeconds: 86400,
      waitingUntil: null,
      memberStepDone: false,
      endReason: null,
    });
    const token = await linkToken(member.email, before);
    const row = await db()
      .selectFrom('organizer_recoveries')
      .selectAll()
      .where('id', '=', started.id as string)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const outbox = JSON.stringify(await db().selectFrom('outbox').selectAll().execute());
    expect(outbox).not.toContain(token);
    expect(await noticesTo(member.email)).toEqual(['started']);
    expect(await noticesTo(organizer.email)).toContain('started');
    expect(await noticesTo(second.email)).toContain('started');
    const events = await db().selectFrom('security_events').select('type').where('user_id', '=', member.id).execute();
    expect(events.map((e) => e.type)).toContain('organizer-recovery.started');
    const log = ok(await api('GET', orgUrl(family, '/log'), organizer)) as { events: { type: string }[] };
    expect(log.events.map((e) => e.type)).toContain('organizer-recovery.started');

    // Every signed-in device of the member sees it.
    const mine = ok(await api('GET', '/api/organizer-recoveries', member)) as { recoveries: Record<string, unknown>[] };
    expect(mine.recoveries).toEqual([expect.objectContaining({ id: started.id, organizationId: family.id, status: 'awaiting_member', memberStepDone: false })]);
    // And the organizers, listed and one by one.
    const list = ok(await api('GET', orgUrl(family, '/recoveries'), second)) as { policy: unknown; recoveries: { id: string }[] };
    expect(list.policy).toEqual({ waitingPeriodSeconds: 86400, approvalsRequired: 1 });
    expect(list.recoveries.map((r) => r.id)).toContain(started.id);
    expect(ok(await api('GET', orgUrl(family, `/recoveries/${started.id}`), second))).toEqual(started);
  });

  it('one open recovery per member: a second start is conflict', async () => {
    const member = await memberOf(family);
    ok(await start(family, organizer, member), 201);
    expectApiError(await start(family, second, member), 'conflict');
  });

  it('is refused to members without a Recovery Group role, for oneself, for strangers and for members not yet confirmed', async () => {
    const member = await memberOf(family);
    const other = await memberOf(family);
    expectApiError(await start(family, member, other), 'forbidden');
    expectApiError(await start(family, organizer, organizer), 'invalid_request');
    const stranger = await person();
    expectApiError(await start(family, organizer, stranger), 'not_found');
    expectApiError(await start(family, stranger, member), 'not_found');
    await db().updateTable('memberships').set({ status: 'accepted' }).where('organization_id', '=', family.id).where('user_id', '=', other.id).execute();
    expectApiError(await start(family, organizer, other), 'conflict');
    expect(await db().selectFrom('organizer_recoveries').select('id').where('member_user_id', 'in', [member.id, other.id]).execute()).toEqual([]);
  });

  it('needs a Recovery Group', async () => {
    const org = await createHttpOrganization(server, organizer, 'family');
    const member = await memberOf(org);
    expectApiError(await start(org, organizer, member), 'not_found');
  });
});

describe('cancelling', () => {
  const statusOf = async (id: string) =>
    await db().selectFrom('organizer_recoveries').select(['status', 'end_reason']).where('id', '=', id).executeTakeFirstOrThrow();

  it('the member cancels from a signed-in session; everyone is told; a second cancel is conflict', async () => {
    const member = await memberOf(family);
    const { id } = ok(await start(family, organizer, member), 201) as { id: string };
    expect(ok(await api('POST', `/api/organizer-recoveries/${id}/cancel`, member, {}))).toEqual({ cancelled: true });
    expect(await statusOf(id)).toEqual({ status: 'cancelled', end_reason: 'cancelled-by-member' });
    expect(await noticesTo(member.email)).toEqual(['started', 'cancelled']);
    expectApiError(await api('POST', `/api/organizer-recoveries/${id}/cancel`, member, {}), 'conflict');
    expectApiError(await api('POST', orgUrl(family, `/recoveries/${id}/cancel`), organizer, {}), 'conflict');
    expect(ok(await api('GET', '/api/organizer-recoveries', member))).toEqual({ recoveries: [] });
    // Someone else's recovery is not the caller's to cancel.
    const other = await memberOf(family);
    const { id: otherId } = ok(await start(family, organizer, other), 201) as { id: string };
    expectApiError(await api('POST', `/api/organizer-recoveries/${otherId}/cancel`, member, {}), 'not_found');
  });

  it('the emailed link cancels, signed out, once', async () => {
    const member = await memberOf(family);
    const before = Date.now();
    const { id } = ok(await start(family, organizer, member), 201) as { id: string };
    const token = await linkToken(member.email, before);
    expectApiError(await api('POST', '/api/organizer-recovery/cancel', null, { token: randomBytes(32).toString('base64url') }), 'not_found');
    expect(ok(await api('POST', '/api/organizer-recovery/cancel', null, { token }))).toEqual({ cancelled: true });
    expect(await statusOf(id)).toEqual({ status: 'cancelled', end_reason: 'cancelled-by-link' });
    expectApiError(await api('POST', '/api/organizer-recovery/cancel', null, { token }), 'not_found');
  });

  it('any organizer cancels, also one who did not start it', async () => {
    const member = await memberOf(family);
    const { id } = ok(await start(family, organizer, member), 201) as { id: string };
    const cancelled = ok(await api('POST', orgUrl(family, `/recoveries/${id}/cancel`), second, {}));
    expect(cancelled).toMatchObject({ status: 'cancelled', endReason: 'cancelled-by-organizer' });
    expect(await noticesTo(organizer.email)).toContain('cancelled');
    // A member without a Recovery Group role cannot.
    const other = await memberOf(family);
    const { id: otherId } = ok(await start(family, organizer, other), 201) as { id: string };
    expectApiError(await api('POST', orgUrl(family, `/recoveries/${otherId}/cancel`), member, {}), 'forbidden');
  });

  it('signing in with the old password and Secret Key cancels it', async () => {
    const member = await memberOf(family);
    const { id } = ok(await start(family, organizer, member), 201) as { id: string };
    await signInAgain(server, member);
    expect(await statusOf(id)).toEqual({ status: 'cancelled', end_reason: 'signed-in-with-old-credentials' });
    expect(await noticesTo(second.email)).toContain('cancelled');
  });

  it('two cancels at once: exactly one wins, the other is conflict', async () => {
    const member = await memberOf(family);
    const { id } = ok(await start(family, organizer, member), 201) as { id: string };
    const results = await Promise.all([
      api('POST', orgUrl(family, `/recoveries/${id}/cancel`), organizer, {}),
      api('POST', orgUrl(family, `/recoveries/${id}/cancel`), second, {}),
      api('POST', `/api/organizer-recoveries/${id}/cancel`, member, {}),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const cancelledNotices = (await noticesTo(member.email)).filter((e) => e === 'cancelled');
    expect(cancelledNotices).toHaveLength(1);
  });
});

describe('policy', () => {
  it('defaults to 24 hours and one approval; organizers set it; running recoveries keep theirs', async () => {
    const org = await createHttpOrganization(server, organizer, 'family');
    await ensureRecoveryGroup(server, org);
    const member = await memberOf(org);
    const { id } = ok(await start(org, organizer, member), 201) as { id: string };
    expect(ok(await api('PUT', orgUrl(org, '/recovery-policy'), organizer, { waitingPeriodSeconds: 0, approvalsRequired: 1 }))).toEqual({
      waitingPeriodSeconds: 0,
      approvalsRequired: 1,
    });
    expect((ok(await api('GET', orgUrl(org, '/recoveries'), organizer)) as { policy: unknown }).policy).toEqual({
      waitingPeriodSeconds: 0,
      approvalsRequired: 1,
    });
    expect(ok(await api('GET', orgUrl(org, `/recoveries/${id}`), organizer))).toMatchObject({ waitingPeriodSeconds: 86400 });
    expectApiError(await api('PUT', orgUrl(org, '/recovery-policy'), organizer, { waitingPeriodSeconds: 0, approvalsRequired: 2 }), 'invalid_request');
    expectApiError(await api('PUT', orgUrl(org, '/recovery-policy'), member, { waitingPeriodSeconds: 60, approvalsRequired: 1 }), 'forbidden');
  });

  it('teams may require two approvals', async () => {
    const team = await createHttpOrganization(server, organizer, 'team');
    expect(ok(await api('PUT', orgUrl(team, '/recovery-policy'), organizer, { waitingPeriodSeconds: 3600, approvalsRequired: 2 }))).toEqual({
      waitingPeriodSeconds: 3600,
      approvalsRequired: 2,
    });
  });
});
