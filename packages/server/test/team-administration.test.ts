/**
 * Team administration end to end through the SDK against a running server (docs/protocol.md
 * §22.10): a member promoted to admin can then open the organization key and confirm people; a
 * demoted admin no longer receives the organization key; a transfer with stepping down; a reset of
 * a member's two-step verification signs them out and lets their password and Secret Key alone
 * sign in (which is why it is loud: the member and every owner are emailed). And a malicious
 * server: on promotion the client wraps the organization key only to the member's certified
 * keyset, and refuses (sending nothing) when the server shows a keyset the organization never
 * certified.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { createKeyset } from '@latchkey/core/keyset';
import { toBase64Url } from '@latchkey/core/bytes';
import type { MemberList } from '@latchkey/core/wire/organizations';
import type { Static } from '@sinclair/typebox';
import { signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';
import { tamperingFetch, type TamperingFetch } from './helpers/tampering-fetch.ts';

interface Person extends TestUser {
  readonly mitm: TamperingFetch;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.close());
beforeEach(async () => {
  await server.running.context.db.deleteFrom('rate_limits').where('bucket', 'like', 'signupPer%').execute();
});

const db = () => server.running.context.db;

async function person(name: string): Promise<Person> {
  const mitm = tamperingFetch();
  return { ...(await signUpUser(server, { name, fetch: mitm.fetch })), mitm };
}

async function invitationCode(email: string, after: number): Promise<string> {
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'invited you', after });
  return /#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
}

/** `by` invites `member` as a member of `orgId`, the member accepts, and `by` confirms with the fingerprint the member read out. */
async function join(orgId: string, by: Person, member: Person): Promise<void> {
  const before = Date.now() - 1000;
  await by.client.invitations.create(orgId, member.email, 'member');
  const { fingerprint } = await member.client.invitations.accept(await invitationCode(member.email, before));
  await by.client.organizations.confirm(orgId, member.userId, fingerprint);
}

const wrapsOf = async (orgId: string, who: Person) =>
  db().selectFrom('organization_key_wraps').select('recipient_keyset_id').where('organization_id', '=', orgId).where('user_id', '=', who.userId).execute();

describe('team administration through the SDK', () => {
  it('a promoted admin opens the organization key and confirms a new member; demoted, they receive it no more', async () => {
    const [olivia, adam, nina] = [await person('Olivia'), await person('Adam'), await person('Nina')];
    const team = await olivia.client.organizations.create({ name: 'Ops', kind: 'team' });
    await join(team.id, olivia, adam);
    expect(await errorCodeOf(adam.client.invitations.create(team.id, nina.email, 'member'))).toBe('forbidden');

    expect(await olivia.client.organizations.changeRole(team.id, adam.userId, 'admin')).toEqual({ role: 'admin', previousRole: 'member' });
    const [wrap] = await wrapsOf(team.id, adam);
    expect(wrap?.recipient_keyset_id).toBe((await adam.client.whoami()).keyset.id);
    // As an admin, Adam's client opens the organization keyset to certify Nina.
    await join(team.id, adam, nina);
    expect((await olivia.client.organizations.findMember(team.id, nina.email)).certified).toBe(true);

    expect(await olivia.client.organizations.changeRole(team.id, adam.userId, 'member')).toEqual({ role: 'member', previousRole: 'admin' });
    expect(await wrapsOf(team.id, adam)).toEqual([]);
    const quinn = await person('Quinn');
    expect(await errorCodeOf(adam.client.invitations.create(team.id, quinn.email, 'member'))).toBe('forbidden');
    // The server no longer hands Adam the organization key wrap: his client cannot open it to confirm anyone.
    const before = Date.now() - 1000;
    await olivia.client.invitations.create(team.id, quinn.email, 'member');
    const { fingerprint } = await quinn.client.invitations.accept(await invitationCode(quinn.email, before));
    expect(await errorCodeOf(adam.client.organizations.confirm(team.id, quinn.userId, fingerprint))).toBe('forbidden');
    const log = await olivia.client.organizations.log(team.id);
    expect(log.filter((e) => e.type === 'member.role-changed')).toHaveLength(2);
  });

  it('transfers the team: the member is owner (with the key) and the old owner an admin', async () => {
    const [olivia, ben] = [await person('Olivia'), await person('Ben')];
    const team = await olivia.client.organizations.create({ name: 'Handover', kind: 'team' });
    await join(team.id, olivia, ben);
    expect(await olivia.client.organizations.transferOwnership(team.id, ben.userId, { stepDown: true })).toEqual({ role: 'owner', yourRole: 'admin' });
    const roles = Object.fromEntries((await ben.client.organizations.members(team.id)).map((m) => [m.email, m.role]));
    expect(roles).toEqual({ [olivia.email.toLowerCase()]: 'admin', [ben.email.toLowerCase()]: 'owner' });
    expect(await wrapsOf(team.id, ben)).toHaveLength(1);
    // Olivia, now an admin, cannot take it back.
    expect(await errorCodeOf(olivia.client.organizations.transferOwnership(team.id, ben.userId))).toBe('forbidden');
    expect(await errorCodeOf(olivia.client.organizations.changeRole(team.id, olivia.userId, 'owner'))).toBe('forbidden');
  });

  it('a two-step reset signs the member out; their password and Secret Key alone then sign in; they and every owner were emailed', async () => {
    const [olivia, mia] = [await person('Olivia'), await person('Mia')];
    const team = await olivia.client.organizations.create({ name: 'Resets', kind: 'team' });
    await join(team.id, olivia, mia);
    const { secret } = await mia.client.twoStep.enableTotp();
    await mia.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
    const signIn = () => server.client().signIn({ email: mia.email, password: mia.password, secretKey: mia.secretKey });
    expect(await errorCodeOf(signIn())).toBe('second_factor_required');

    const after = Date.now() - 1000;
    const { sessionsEnded } = await olivia.client.organizations.resetTwoStep(team.id, mia.userId);
    expect(sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(await db().selectFrom('sessions').select('id').where('user_id', '=', mia.userId).execute()).toEqual([]);
    expect(await errorCodeOf(mia.client.vaults.list())).toBe('unauthenticated');
    const again = server.client();
    await again.signIn({ email: mia.email, password: mia.password, secretKey: mia.secretKey });
    expect((await again.twoStep.status()).enabled).toBe(false);
    // Her own vault is as it was: the reset touched no key.
    expect((await again.vaults.list()).map((v) => v.name)).toContain('Personal');
    const log = await again.securityLog();
    expect(log.find((e) => e.type === 'two-factor.reset-by-organization')?.detail).toMatchObject({ organization: team.id, by: olivia.userId });
    await waitForEmail(server.dataDir, { to: mia.email, subjectIncludes: 'removed by a team administrator', after });
    await waitForEmail(server.dataDir, { to: olivia.email, subjectIncludes: 'Two-step verification of a member', after });
  });
});

describe('a malicious server against promotions', () => {
  it('on promotion the client wraps the organization key only to the certified keyset; a keyset the organization never certified gets nothing', async () => {
    const [olivia, sam] = [await person('Olivia'), await person('Sam')];
    const team = await olivia.client.organizations.create({ name: 'Guarded', kind: 'team' });
    await join(team.id, olivia, sam);
    const forged = await createKeyset();
    // The server shows Sam with its own keyset: in the acceptance and in a certificate it cannot sign.
    olivia.mitm.tamper = (call, body) => {
      if (!(call.method === 'GET' && call.path === `/api/organizations/${team.id}/members`)) return undefined;
      const list = body as Static<typeof MemberList>;
      return {
        members: list.members.map((m) => {
          if (m.userId !== sam.userId || m.certificate === null) return m;
          const keys = { keysetId: forged.id, publicKey: toBase64Url(forged.encryption.publicKey), signingPublicKey: toBase64Url(forged.signing.publicKey) };
          return { ...m, acceptance: { ...m.acceptance, ...keys }, certificate: { ...m.certificate, ...keys } };
        }),
      };
    };
    try {
      expect(await errorCodeOf(olivia.client.organizations.changeRole(team.id, sam.userId, 'admin'))).toBe('untrusted_key');
      expect(await errorCodeOf(olivia.client.organizations.transferOwnership(team.id, sam.userId))).toBe('untrusted_key');
      expect(olivia.mitm.seen.some((s) => s.call.path.endsWith('/role') || s.call.path.endsWith('/transfer'))).toBe(false);
    } finally {
      olivia.mitm.tamper = undefined;
    }
    expect(await wrapsOf(team.id, sam)).toEqual([]);
    // Honest again: the wrap goes to Sam's real, certified keyset.
    await olivia.client.organizations.changeRole(team.id, sam.userId, 'admin');
    const [wrap] = await wrapsOf(team.id, sam);
    expect(wrap?.recipient_keyset_id).toBe((await sam.client.whoami()).keyset.id);
    expect(wrap?.recipient_keyset_id).not.toBe(forged.id);
  });
});
