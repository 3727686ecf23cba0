/**
 * Organizer recovery end to end through the SDK (docs/protocol.md §22.8), SQLite and
 * PostgreSQL: a member who forgot the password and lost the Secret Key is recovered by an
 * organizer. Every vault and item comes back; the old recovery code, password, Secret Key and
 * sessions fail; the next sign-in asks for the second factor. Before the member's step and during
 * the waiting period nothing is released (the organizer's client gets nothing it could unwrap);
 * a cancelled recovery releases nothing; two approvers at once make exactly one completion; a
 * server substituting the member's new public key is caught by the verification code.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyset } from '@latchkey/core/keyset';
import { signMemberAcceptance } from '@latchkey/core/member-acceptance';
import type { OrganizerRecovery } from '@latchkey/core/wire/organizer-recovery';
import type { LatchkeyClient } from '@latchkey/client/client';
import { Secret, TOTP } from 'otpauth';
import { signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { issueBackupCodes } from '../src/services/backup-codes.ts';
import { errorCodeOf } from './helpers/error-code.ts';
import { tamperingFetch, type TamperingFetch } from './helpers/tampering-fetch.ts';

interface Person extends TestUser {
  readonly mitm: TamperingFetch;
}

let server: TestServer;
let alice: Person;
let dave: Person;
let orgId: string;
const db = () => server.running.context.db;
const strongPassword = () => `quartz-lantern-${randomBytes(4).toString('hex')}-meadow`;

async function person(name: string): Promise<Person> {
  const mitm = tamperingFetch();
  const user = await signUpUser(server, { name, fetch: mitm.fetch, password: strongPassword() });
  return { ...user, mitm };
}

async function join(who: Person, role: 'member' | 'organizer' = 'member'): Promise<void> {
  const before = Date.now() - 1000;
  await alice.client.invitations.create(orgId, who.email, role);
  const mail = await waitForEmail(server.dataDir, { to: who.email, subjectIncludes: 'invited you', after: before });
  const code = /#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  const { fingerprint } = await who.client.invitations.accept(code);
  await alice.client.organizations.confirm(orgId, who.userId, fingerprint);
}

/** The token in the newest recovery link email to `email`. */
async function linkToken(email: string, after: number): Promise<string> {
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'started recovering', after: after - 1000 }, 10_000);
  return /#\/organizer-recovery\/([A-Za-z0-9_-]{43})\n/.exec(mail.text)![1]!;
}

async function emailCode(email: string, after: number): Promise<string> {
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'organizer recovery code', after: after - 1000 }, 10_000);
  return /\n(\d{8})\n/.exec(mail.text)![1]!;
}

/** The member on a fresh device (they lost everything): follows the link, proves the mailbox, sets a new password. */
async function memberStep(member: Person, recoveryStartedAt: number, newPassword: string, client: LatchkeyClient = server.client()) {
  const token = await linkToken(member.email, recoveryStartedAt);
  const opened = await client.recovery.organizer.open(token);
  const sentAt = Date.now();
  const { verificationId } = await client.recovery.organizer.sendCode(token);
  const code = await emailCode(member.email, sentAt);
  const done = await client.recovery.organizer.setUpCredentials({ token, verificationId, emailCode: code, newPassword });
  return { token, opened, client, ...done };
}

beforeAll(async () => {
  server = await startTestServer();
  alice = await person('Alice');
  orgId = (await alice.client.organizations.create({ name: 'The Recoverers', kind: 'family' })).id;
  await alice.client.organizations.recovery.setPolicy(orgId, { waitingPeriodSeconds: 0, approvalsRequired: 1 });
  dave = await person('Dave');
  await join(dave, 'organizer');
  await dave.client.vaults.list();
}, 120_000);
afterAll(() => server?.close());

describe('organizer recovery through the SDK', () => {
  it('recovers a member who lost the password and the Secret Key: every vault and item is back, the old credentials are gone, two-step stays', async () => {
    const bob = await person('Bob');
    await join(bob);
    const notes = await bob.client.vaults.create('Notes');
    const personal = (await bob.client.vaults.list()).find((v) => v.name === 'Personal')!;
    await bob.client.items.create(personal.id, { kind: 'login', title: 'Bank', username: 'bob', password: 'b4nk-pa55' });
    await bob.client.items.create(notes.id, { kind: 'note', title: 'Diary', notes: 'dear diary' });
    const { recoveryCode } = await bob.client.recoveryCode.create();
    await bob.client.recoveryCode.confirm(recoveryCode);
    const { secret } = await bob.client.twoStep.enableTotp();
    // Each sign-in uses a code of its own window (a used code is refused).
    const otp = (windows = 0) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + windows * 30_000 });
    await bob.client.twoStep.confirmTotp(otp());
    // Every vault is escrowed (the listing does it).
    expect((await bob.client.vaults.list()).every((v) => v.recoverableBy.some((r) => r.organizationId === orgId))).toBe(true);

    const startedAt = Date.now();
    const started = await alice.client.organizations.recovery.start(orgId, bob.userId);
    expect(started.status).toBe('awaiting_member');
    // Before the member's step nothing is released, and there is no code to compare.
    expect(await errorCodeOf(alice.client.organizations.recovery.verificationCode(orgId, started.id))).toBe('conflict');

    const newPassword = strongPassword();
    const step = await memberStep(bob, startedAt, newPassword);
    expect(step.opened).toMatchObject({ email: bob.email.toLowerCase(), userId: bob.userId });
    expect(step.verificationCode).toMatch(/^[0-9 ]+$/);
    // The old credentials keep working until completion (signing in with them would cancel, so only the row is checked).
    expect((await alice.client.organizations.recovery.get(orgId, started.id)).status).toBe('waiting');

    // The code the member reads out is the one the organizer's client computes.
    expect(await alice.client.organizations.recovery.verificationCode(orgId, started.id)).toBe(step.verificationCode);
    expect(await errorCodeOf(alice.client.organizations.recovery.approve(orgId, started.id, '1'.repeat(24)))).toBe('fingerprint_mismatch');
    const result = await alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode);
    expect(result).toMatchObject({ completed: true, deletedVaultIds: [] });
    expect([...result.recoveredVaultIds].sort()).toEqual([personal.id, notes.id].sort());
    expect(result.recovery.status).toBe('completed');

    // The old password and Secret Key, the old session and the recovery code fail.
    expect(await errorCodeOf(bob.client.vaults.list())).toBe('unauthenticated');
    expect(await errorCodeOf(server.client().signIn({ email: bob.email, password: bob.password, secretKey: bob.secretKey }))).toBe('wrong_secret_key');
    expect(await errorCodeOf(server.client().signIn({ email: bob.email, password: bob.password, secretKey: step.secretKey }))).toBe('wrong_password');
    expect(await db().selectFrom('recovery_codes').select('id').where('user_id', '=', bob.userId).execute()).toEqual([]);
    // The new ones sign in, and ask for the second factor.
    const fresh = server.client();
    expect(await errorCodeOf(fresh.signIn({ email: bob.email, password: newPassword, secretKey: step.secretKey }))).toBe('second_factor_required');
    await fresh.signIn({ email: bob.email, password: newPassword, secretKey: step.secretKey, twoStep: { otp: otp(1) } });
    const vaults = await fresh.vaults.list();
    expect(vaults.map((v) => v.name).sort()).toEqual(['Notes', 'Personal']);
    const items = await fresh.items.list();
    expect(items.map((i) => i.title).sort()).toEqual(['Bank', 'Diary']);
    expect(items.find((i) => i.title === 'Bank')).toMatchObject({ username: 'bob', password: 'b4nk-pa55' });
    // Re-escrowed with the new keyset on that listing.
    expect(vaults.every((v) => v.recoverableBy.some((r) => r.organizationId === orgId))).toBe(true);
    // The device that set up the credentials signs in with the pending Secret Key it kept.
    const [backupCode] = await issueBackupCodes(db(), bob.userId, new Date());
    await step.client.signIn({ email: bob.email, password: newPassword, twoStep: { backupCode: backupCode! } });
    expect((await step.client.vaults.list()).length).toBe(2);
    const log = await fresh.securityLog();
    expect(log.find((e) => e.type === 'account.recovered')?.detail).toMatchObject({ method: 'organizer', organization: orgId, by: alice.userId });
  });

  it('with a waiting period, nothing is released before it ends', async () => {
    const erin = await person('Erin');
    await join(erin);
    await erin.client.vaults.list();
    await alice.client.organizations.recovery.setPolicy(orgId, { waitingPeriodSeconds: 3600, approvalsRequired: 1 });
    try {
      const startedAt = Date.now();
      const started = await alice.client.organizations.recovery.start(orgId, erin.userId);
      const step = await memberStep(erin, startedAt, strongPassword());
      expect(Date.parse(step.waitingUntil!)).toBeGreaterThan(Date.now() + 3500_000);
      expect(await errorCodeOf(alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode))).toBe('conflict');
      // Not a single escrow went out: no answer carried a release.
      const releases = alice.mitm.seen.filter(
        (s) => s.call.path.endsWith(`/recoveries/${started.id}/approve`) && JSON.stringify(s.body ?? '').includes('"escrows"'),
      );
      expect(releases).toEqual([]);
      expect((await alice.client.organizations.recovery.get(orgId, started.id)).releasedTo).toBeNull();
      // Cancelled, it releases nothing even once the period is over.
      await erin.client.recovery.organizer.cancel(step.token);
      server.advanceClock(3601_000);
      expect(await errorCodeOf(alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode))).toBe('conflict');
      // Erin's old credentials still open everything.
      expect((await erin.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
    } finally {
      await alice.client.organizations.recovery.setPolicy(orgId, { waitingPeriodSeconds: 0, approvalsRequired: 1 });
    }
  });

  it('two approvers at once: exactly one completes, the other gets conflict', async () => {
    const fay = await person('Fay');
    await join(fay);
    await fay.client.vaults.list();
    const startedAt = Date.now();
    const started = await alice.client.organizations.recovery.start(orgId, fay.userId);
    const step = await memberStep(fay, startedAt, strongPassword());
    const outcomes = await Promise.allSettled([
      alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode),
      dave.client.organizations.recovery.approve(orgId, started.id, step.verificationCode),
    ]);
    const completed = outcomes.filter((o) => o.status === 'fulfilled' && o.value.completed);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(completed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(await errorCodeOf(Promise.reject((refused[0] as PromiseRejectedResult).reason))).toBe('conflict');
    const row = await db().selectFrom('organizer_recoveries').select(['status']).where('id', '=', started.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
  });

  it('a cancel racing an approval is consistent: either cancelled with nothing changed, or completed', async () => {
    const gus = await person('Gus');
    await join(gus);
    await gus.client.vaults.list();
    const keysetOf = async () => (await db().selectFrom('users').select('keyset_id').where('id', '=', gus.userId).executeTakeFirstOrThrow()).keyset_id;
    const oldKeyset = await keysetOf();
    const startedAt = Date.now();
    const started = await alice.client.organizations.recovery.start(orgId, gus.userId);
    const step = await memberStep(gus, startedAt, strongPassword());
    const [approval, cancel] = await Promise.allSettled([
      alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode),
      dave.client.organizations.recovery.cancel(orgId, started.id),
    ]);
    const row = await db().selectFrom('organizer_recoveries').select(['status']).where('id', '=', started.id).executeTakeFirstOrThrow();
    if (row.status === 'completed') {
      expect(approval.status).toBe('fulfilled');
      expect(cancel.status).toBe('rejected');
      expect(await keysetOf()).not.toBe(oldKeyset);
    } else {
      expect(await keysetOf()).toBe(oldKeyset);
      expect(row.status).toBe('cancelled');
      expect(cancel.status).toBe('fulfilled');
      // Cancelled: the old credentials still open everything, whatever the approval got.
      expect((await gus.client.vaults.list()).map((v) => v.name)).toEqual(['Personal']);
    }
  });

  it('a server substituting the new public key is caught by the verification code, and nothing is approved', async () => {
    const hal = await person('Hal');
    await join(hal);
    await hal.client.vaults.list();
    const startedAt = Date.now();
    const started = await alice.client.organizations.recovery.start(orgId, hal.userId);
    const step = await memberStep(hal, startedAt, strongPassword());
    // The server's own keyset, in an acceptance it signs with it for Hal and the real organization key.
    const forged = await createKeyset();
    const real = (await alice.client.organizations.recovery.get(orgId, started.id)).newAcceptance!;
    const substituted = signMemberAcceptance(forged, hal.userId, {
      organizationId: orgId,
      keyset: { id: real.organizationKeysetId, signingPublicKey: Buffer.from(real.organizationSigningPublicKey, 'base64url') },
    });
    alice.mitm.tamper = (call, body) => {
      if (call.method !== 'GET' || !call.path.endsWith(`/recoveries/${started.id}`)) return undefined;
      return { ...(body as OrganizerRecovery), newAcceptance: substituted };
    };
    try {
      expect(await alice.client.organizations.recovery.verificationCode(orgId, started.id)).not.toBe(step.verificationCode);
      expect(await errorCodeOf(alice.client.organizations.recovery.approve(orgId, started.id, step.verificationCode))).toBe('fingerprint_mismatch');
    } finally {
      alice.mitm.tamper = undefined;
    }
    const row = await db().selectFrom('organizer_recoveries').select(['status', 'released_to']).where('id', '=', started.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'waiting', released_to: null });
    expect(await db().selectFrom('organizer_recovery_approvals').select('approver_user_id').where('recovery_id', '=', started.id).execute()).toEqual([]);
  });

  it('a recovery-code recovery by the member cancels a pending organizer recovery', async () => {
    const ivy = await person('Ivy');
    await join(ivy);
    const { recoveryCode } = await ivy.client.recoveryCode.create();
    await ivy.client.recoveryCode.confirm(recoveryCode);
    const started = await alice.client.organizations.recovery.start(orgId, ivy.userId);
    const other = server.client();
    const sentAt = Date.now();
    await other.recovery.start(ivy.email);
    const mail = await waitForEmail(server.dataDir, { to: ivy.email, subjectIncludes: 'account recovery', after: sentAt - 1000 });
    const ticket = await other.recovery.verifyEmail({ email: ivy.email, emailCode: /\n(\d{8})\n/.exec(mail.text)![1]! });
    const grant = await other.recovery.prove(ticket, { recoveryCode });
    grant.discard();
    const row = await db().selectFrom('organizer_recoveries').select(['status', 'end_reason']).where('id', '=', started.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'cancelled', end_reason: 'recovery-code-used' });
  });
});
