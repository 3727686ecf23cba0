/**
 * Organizations, invitations and memberships through the real services and storage (SQLite and
 * PostgreSQL): creation, invitations (same answer for known and unknown addresses, single use
 * under concurrency, revocation, expiry, re-send with rate limit), acceptance without keys,
 * confirmation with the fingerprint and certificate, the role × action table, and the races
 * (two organizers confirming or removing the same member; the last organizer) with exactly one
 * outcome and no partial rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url } from '@latchkey/core/bytes';
import { certifyAcceptedMember, wrapOrganizationKeyset } from '@latchkey/core/organization-keyset';
import { issueMemberCertificate } from '@latchkey/core/keyset-certificate';
import { createKeyset, keysetPublicPart } from '@latchkey/core/keyset';
import { memberFingerprint } from '@latchkey/core/member-fingerprint';
import { signMemberAcceptance } from '@latchkey/core/member-acceptance';
import type { LatchkeyError } from '@latchkey/core/errors';
import {
  createInvitation,
  describeInvitation,
  listInvitations,
  resendInvitation,
  revokeInvitation,
  INVITATION_LIFETIME_MS,
} from '../src/services/invitations.ts';
import { acceptInvitation, confirmMember, listMembers, reinstateMember, removeMember, suspendMember } from '../src/services/memberships.ts';
import { createOrganization, getOrganization, listMyOrganizations, organizationLog } from '../src/services/organizations.ts';
import { PERMISSIONS, type OrganizationAction } from '../src/services/org-permissions.ts';
import {
  acceptAs,
  addConfirmedMember,
  confirmAs,
  createTestOrganization,
  createTestUser,
  invitationToken,
  orgTestContext,
  type OrgTestContext,
  type TestOrganization,
} from './helpers/org-fixture.ts';
import { createTestStorage, type TestStorage } from '@latchkey/server/testing';

let t: TestStorage;
let o: OrgTestContext;
beforeAll(async () => {
  t = await createTestStorage();
  o = await orgTestContext(t);
});
afterAll(() => t.cleanup());

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as LatchkeyError).code ?? String(error);
  }
}

const count = async (table: 'memberships' | 'organization_key_wraps' | 'invitations', organizationId: string) =>
  Number(
    (
      await t.storage.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('creating an organization', () => {
  it('makes the creator the confirmed organizer holding the organization key', async () => {
    const alice = await createTestUser(o.ctx, 'alice');
    const org = await createTestOrganization(o.ctx, alice);
    const seen = await getOrganization(o.ctx, { userId: alice.id }, org.id);
    expect(seen).toMatchObject({ kind: 'family', role: 'organizer', status: 'confirmed', keyVersion: 1 });
    expect(seen.keyWrap?.recipientKeysetId).toBe(alice.keyset.id);
    expect(await listMyOrganizations(o.ctx, { userId: alice.id })).toEqual([expect.objectContaining({ id: org.id, role: 'organizer', status: 'confirmed' })]);
    expect(await codeOf(() => getOrganization(o.ctx, { userId: crypto.randomUUID() }, org.id))).toBe('not_found');
  });

  it('refuses keys that do not fit together, and writes nothing', async () => {
    const alice = await createTestUser(o.ctx, 'alice');
    const { createOrganizationKeyset } = await import('@latchkey/core/organization-keyset');
    const id = crypto.randomUUID();
    const org = await createOrganizationKeyset(id, alice.keyset, alice.id);
    const acceptance = signMemberAcceptance(alice.keyset, alice.id, { organizationId: id, keyset: keysetPublicPart(org.keyset) });
    const good = {
      id,
      kind: 'team' as const,
      name: 'T',
      keyset: org.sealed,
      creatorWrap: org.creatorWrap,
      creatorCertificate: org.creatorCertificate,
      creatorAcceptance: acceptance,
    };
    const stranger = await createKeyset();
    const other = await createOrganizationKeyset(id, stranger, alice.id);
    const bad = [
      { ...good, creatorWrap: other.creatorWrap },
      { ...good, creatorCertificate: other.creatorCertificate },
      { ...good, creatorCertificate: issueMemberCertificate(id, other.keyset, { userId: alice.id, keyset: keysetPublicPart(alice.keyset) }) },
      { ...good, creatorAcceptance: signMemberAcceptance(stranger, alice.id, { organizationId: id, keyset: keysetPublicPart(org.keyset) }) },
      {
        ...good,
        creatorAcceptance: signMemberAcceptance(alice.keyset, alice.id, { organizationId: crypto.randomUUID(), keyset: keysetPublicPart(org.keyset) }),
      },
      { ...good, name: '   ' },
    ];
    for (const input of bad) expect(await codeOf(() => createOrganization(o.ctx, { userId: alice.id }, input))).toBe('invalid_request');
    expect(await t.storage.db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    await createOrganization(o.ctx, { userId: alice.id }, good);
    expect(await codeOf(() => createOrganization(o.ctx, { userId: alice.id }, good))).toBe('already_exists');
  });
});

describe('invitations', () => {
  let alice: Awaited<ReturnType<typeof createTestUser>>;
  let org: TestOrganization;
  beforeAll(async () => {
    alice = await createTestUser(o.ctx, 'alice');
    org = await createTestOrganization(o.ctx, alice);
  });

  it('answers and emails the same whether or not the address has an account; stores only a token hash', async () => {
    const known = await createTestUser(o.ctx, 'known');
    const unknownEmail = `nobody-${crypto.randomUUID()}@example.com`;
    const a = await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: known.email, role: 'member' });
    const b = await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: unknownEmail, role: 'member' });
    const shape = (x: typeof a) => ({ ...x, id: '', email: '', expiresAt: '' });
    expect(shape(a)).toEqual(shape(b));
    const strip = (email: string) =>
      o.mail
        .filter((m) => m.to === email)
        .at(-1)!
        .text.replace(/[A-Za-z0-9_-]{43}/g, 'TOKEN')
        .replace(/expires on \S+/, 'expires on DATE');
    expect(strip(known.email)).toBe(strip(unknownEmail));
    const token = invitationToken(o.mail, known.email);
    const rows = JSON.stringify(await t.storage.db.selectFrom('invitations').selectAll().execute());
    expect(rows).not.toContain(token);
    expect(await codeOf(() => createInvitation(o.ctx, { userId: alice.id }, org.id, { email: known.email.toUpperCase(), role: 'member' }))).toBe(
      'already_exists',
    );
    expect(await codeOf(() => createInvitation(o.ctx, { userId: alice.id }, org.id, { email: 'not-an-email', role: 'member' }))).toBe('invalid_request');
    expect(await codeOf(() => createInvitation(o.ctx, { userId: alice.id }, org.id, { email: 'x@example.com', role: 'owner' }))).toBe('invalid_request');
  });

  it('an accepted member holds no keys and may do nothing but look until confirmed', async () => {
    const bob = await createTestUser(o.ctx, 'bob');
    await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: bob.email, role: 'member' });
    await acceptAs(o.ctx, bob, invitationToken(o.mail, bob.email));
    const seen = await getOrganization(o.ctx, { userId: bob.id }, org.id);
    expect(seen.status).toBe('accepted');
    expect(seen).not.toHaveProperty('keyWrap');
    expect(await codeOf(() => listMembers(o.ctx, { userId: bob.id }, org.id))).toBe('forbidden');
    expect(await codeOf(() => createInvitation(o.ctx, { userId: bob.id }, org.id, { email: 'y@example.com', role: 'member' }))).toBe('forbidden');
  });

  it('is for the invited address only', async () => {
    const carol = await createTestUser(o.ctx, 'carol');
    const mallory = await createTestUser(o.ctx, 'mallory');
    await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: carol.email, role: 'member' });
    const token = invitationToken(o.mail, carol.email);
    expect(await codeOf(() => describeInvitation(o.ctx, { userId: mallory.id }, token))).toBe('forbidden');
    expect(await codeOf(() => describeInvitation(o.ctx, { userId: mallory.id }, 'A'.repeat(43)))).toBe('invalid_code');
  });

  it('accepted twice at once: exactly one membership, the other attempt code_used', async () => {
    const dave = await createTestUser(o.ctx, 'dave');
    await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: dave.email, role: 'member' });
    const token = invitationToken(o.mail, dave.email);
    const described = await describeInvitation(o.ctx, { userId: dave.id }, token);
    const acceptance = signMemberAcceptance(dave.keyset, dave.id, {
      organizationId: org.id,
      keyset: { id: described.organizationKeyset.id, signingPublicKey: fromBase64Url(described.organizationKeyset.signingPublicKey) },
    });
    const results = await Promise.all([0, 1, 2].map(() => codeOf(() => acceptInvitation(o.ctx, { userId: dave.id }, token, acceptance))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'code_used' || r === 'already_exists')).toBe(true);
    const rows = await t.storage.db.selectFrom('memberships').selectAll().where('user_id', '=', dave.id).execute();
    expect(rows).toHaveLength(1);
    expect(await codeOf(() => acceptInvitation(o.ctx, { userId: dave.id }, token, acceptance))).toBe('code_used');
  });

  it('a revoked invitation cannot be used, and revoking a used one is a conflict', async () => {
    const erin = await createTestUser(o.ctx, 'erin');
    const inv = await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: erin.email, role: 'member' });
    const token = invitationToken(o.mail, erin.email);
    await revokeInvitation(o.ctx, { userId: alice.id }, org.id, inv.id);
    expect(await codeOf(() => acceptAs(o.ctx, erin, token))).toBe('code_expired');
    expect(await t.storage.db.selectFrom('memberships').select('id').where('user_id', '=', erin.id).executeTakeFirst()).toBeUndefined();
    expect(await codeOf(() => revokeInvitation(o.ctx, { userId: alice.id }, org.id, inv.id))).toBe('conflict');
    expect(await codeOf(() => revokeInvitation(o.ctx, { userId: alice.id }, org.id, crypto.randomUUID()))).toBe('not_found');
    expect((await listInvitations(o.ctx, { userId: alice.id }, org.id)).find((i) => i.id === inv.id)?.status).toBe('revoked');
  });

  it('racing an accept against a revocation: one of them wins, whole', async () => {
    const fay = await createTestUser(o.ctx, 'fay');
    const inv = await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: fay.email, role: 'member' });
    const token = invitationToken(o.mail, fay.email);
    const described = await describeInvitation(o.ctx, { userId: fay.id }, token);
    const acceptance = signMemberAcceptance(fay.keyset, fay.id, {
      organizationId: org.id,
      keyset: { id: described.organizationKeyset.id, signingPublicKey: fromBase64Url(described.organizationKeyset.signingPublicKey) },
    });
    const [accepted, revoked] = await Promise.all([
      codeOf(() => acceptInvitation(o.ctx, { userId: fay.id }, token, acceptance)),
      codeOf(() => revokeInvitation(o.ctx, { userId: alice.id }, org.id, inv.id)),
    ]);
    const member = await t.storage.db.selectFrom('memberships').select('id').where('user_id', '=', fay.id).executeTakeFirst();
    const row = await t.storage.db.selectFrom('invitations').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    if (accepted === 'ok') {
      expect(revoked).toBe('conflict');
      expect(member).toBeDefined();
      expect(row.revoked_at).toBeNull();
    } else {
      expect(revoked).toBe('ok');
      expect(member).toBeUndefined();
      expect(row.accepted_at).toBeNull();
    }
  });

  it('expires after 7 days', async () => {
    const gus = await createTestUser(o.ctx, 'gus');
    await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: gus.email, role: 'member' });
    const token = invitationToken(o.mail, gus.email);
    o.advance(INVITATION_LIFETIME_MS + 1000);
    try {
      expect(await codeOf(() => acceptAs(o.ctx, gus, token))).toBe('code_expired');
    } finally {
      o.advance(-(INVITATION_LIFETIME_MS + 1000));
    }
  });

  it('re-sending issues a new token (the old one stops working) and is rate-limited', async () => {
    const hal = await createTestUser(o.ctx, 'hal');
    const inv = await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: hal.email, role: 'member' });
    const first = invitationToken(o.mail, hal.email);
    const again = await resendInvitation(o.ctx, { userId: alice.id }, org.id, inv.id);
    expect(again.resentCount).toBe(1);
    const second = invitationToken(o.mail, hal.email);
    expect(second).not.toBe(first);
    expect(await codeOf(() => describeInvitation(o.ctx, { userId: hal.id }, first))).toBe('invalid_code');
    await resendInvitation(o.ctx, { userId: alice.id }, org.id, inv.id);
    await resendInvitation(o.ctx, { userId: alice.id }, org.id, inv.id);
    expect(await codeOf(() => resendInvitation(o.ctx, { userId: alice.id }, org.id, inv.id))).toBe('rate_limited');
    await acceptAs(o.ctx, hal, invitationToken(o.mail, hal.email));
  });
});

describe('confirmation', () => {
  it('both sides see the same fingerprint; the certificate records the accepted keyset; an admin also gets the organization key', async () => {
    const owner = await createTestUser(o.ctx, 'owner');
    const org = await createTestOrganization(o.ctx, owner, 'team');
    const ivy = await createTestUser(o.ctx, 'ivy');
    await createInvitation(o.ctx, { userId: owner.id }, org.id, { email: ivy.email, role: 'admin' });
    const acceptance = await acceptAs(o.ctx, ivy, invitationToken(o.mail, ivy.email));
    // The organizer's client reads the acceptance from the server and shows its fingerprint.
    const listed = (await listMembers(o.ctx, { userId: owner.id }, org.id)).find((m) => m.userId === ivy.id)!;
    expect(memberFingerprint(listed.acceptance)).toBe(memberFingerprint(acceptance));
    const certificate = certifyAcceptedMember(org.id, org.opened.keyset, listed.acceptance);
    // Without the organization key wrap an admin cannot be confirmed; with a wrap to someone else neither.
    expect(await codeOf(() => confirmMember(o.ctx, { userId: owner.id }, org.id, ivy.id, { certificate }))).toBe('invalid_request');
    const toOwner = await wrapOrganizationKeyset(org.id, 1, org.opened.keyset, owner.member);
    expect(await codeOf(() => confirmMember(o.ctx, { userId: owner.id }, org.id, ivy.id, { certificate, organizationKeyWrap: toOwner }))).toBe(
      'invalid_request',
    );
    // A certificate of another keyset (a substituted key) is refused.
    const substitute = await createKeyset();
    const wrong = issueMemberCertificate(org.id, org.opened.keyset, { userId: ivy.id, keyset: keysetPublicPart(substitute) });
    const wrap = await wrapOrganizationKeyset(org.id, 1, org.opened.keyset, ivy.member);
    expect(await codeOf(() => confirmMember(o.ctx, { userId: owner.id }, org.id, ivy.id, { certificate: wrong, organizationKeyWrap: wrap }))).toBe(
      'invalid_request',
    );
    expect((await getOrganization(o.ctx, { userId: ivy.id }, org.id)).status).toBe('accepted');
    await confirmMember(o.ctx, { userId: owner.id }, org.id, ivy.id, { certificate, organizationKeyWrap: wrap });
    const seen = await getOrganization(o.ctx, { userId: ivy.id }, org.id);
    expect(seen).toMatchObject({ status: 'confirmed', role: 'admin' });
    expect(seen.keyWrap?.recipientKeysetId).toBe(ivy.keyset.id);
    expect((await listMembers(o.ctx, { userId: owner.id }, org.id)).find((m) => m.userId === ivy.id)?.certificate).toEqual(certificate);
  });

  it('two organizers confirming the same member at once: one succeeds, the other gets conflict', async () => {
    const alice = await createTestUser(o.ctx, 'alice');
    const org = await createTestOrganization(o.ctx, alice);
    const bea = await createTestUser(o.ctx, 'bea');
    await addConfirmedMember(o, org, bea, 'organizer');
    const kid = await createTestUser(o.ctx, 'kid');
    await createInvitation(o.ctx, { userId: alice.id }, org.id, { email: kid.email, role: 'member' });
    const acceptance = await acceptAs(o.ctx, kid, invitationToken(o.mail, kid.email));
    const results = await Promise.all([alice, bea].map((who) => codeOf(() => confirmAs(o.ctx, org, who, kid, 'member', acceptance))));
    expect(results.sort()).toEqual(['conflict', 'ok']);
    const row = await t.storage.db.selectFrom('memberships').selectAll().where('user_id', '=', kid.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
    const events = (await organizationLog(o.ctx, { userId: alice.id }, org.id)).filter((e) => e.type === 'member.confirmed' && e.subjectUserId === kid.id);
    expect(events).toHaveLength(1);
  });

  it('confirming and removing the same member at once: exactly one outcome, no orphan wraps', async () => {
    const owner = await createTestUser(o.ctx, 'owner');
    const org = await createTestOrganization(o.ctx, owner, 'team');
    const second = await createTestUser(o.ctx, 'second');
    await addConfirmedMember(o, org, second, 'owner');
    const adm = await createTestUser(o.ctx, 'adm');
    await createInvitation(o.ctx, { userId: owner.id }, org.id, { email: adm.email, role: 'admin' });
    const acceptance = await acceptAs(o.ctx, adm, invitationToken(o.mail, adm.email));
    const [confirmed, removed] = await Promise.all([
      codeOf(() => confirmAs(o.ctx, org, owner, adm, 'admin', acceptance)),
      codeOf(() => removeMember(o.ctx, { userId: second.id }, org.id, adm.id)),
    ]);
    const member = await t.storage.db.selectFrom('memberships').select('status').where('user_id', '=', adm.id).executeTakeFirst();
    const wraps = await t.storage.db.selectFrom('organization_key_wraps').select('user_id').where('user_id', '=', adm.id).execute();
    expect(removed).toBe('ok'); // removal works on an accepted or a confirmed member alike
    expect(member).toBeUndefined();
    expect(wraps).toEqual([]);
    expect(['ok', 'not_found', 'conflict']).toContain(confirmed);
  });
});

describe('removal and suspension', () => {
  it('two organizers removing each other at once leave at least one organizer', async () => {
    const a = await createTestUser(o.ctx, 'a');
    const org = await createTestOrganization(o.ctx, a);
    const b = await createTestUser(o.ctx, 'b');
    await addConfirmedMember(o, org, b, 'organizer');
    const results = await Promise.all([
      codeOf(() => removeMember(o.ctx, { userId: a.id }, org.id, b.id)),
      codeOf(() => removeMember(o.ctx, { userId: b.id }, org.id, a.id)),
    ]);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(['conflict', 'not_found', 'forbidden']).toContain(results.find((r) => r !== 'ok'));
    expect(await count('memberships', org.id)).toBe(1);
    expect(await count('organization_key_wraps', org.id)).toBe(1);
  });

  it('the last organizer cannot leave; removing the same member twice at once has one outcome', async () => {
    const a = await createTestUser(o.ctx, 'a');
    const org = await createTestOrganization(o.ctx, a);
    expect(await codeOf(() => removeMember(o.ctx, { userId: a.id }, org.id, a.id))).toBe('conflict');
    const m = await createTestUser(o.ctx, 'm');
    await addConfirmedMember(o, org, m, 'member');
    const b = await createTestUser(o.ctx, 'b');
    await addConfirmedMember(o, org, b, 'organizer');
    const results = await Promise.all([
      codeOf(() => removeMember(o.ctx, { userId: a.id }, org.id, m.id)),
      codeOf(() => removeMember(o.ctx, { userId: b.id }, org.id, m.id)),
    ]);
    expect(results.sort()).toEqual(['not_found', 'ok']);
  });

  it('suspension drops the certificate and every key; reinstating needs a new confirmation', async () => {
    const owner = await createTestUser(o.ctx, 'owner');
    const org = await createTestOrganization(o.ctx, owner, 'team');
    const adm = await createTestUser(o.ctx, 'adm');
    await addConfirmedMember(o, org, adm, 'admin');
    await suspendMember(o.ctx, { userId: owner.id }, org.id, adm.id);
    expect(await t.storage.db.selectFrom('organization_key_wraps').select('user_id').where('user_id', '=', adm.id).execute()).toEqual([]);
    expect(await getOrganization(o.ctx, { userId: adm.id }, org.id)).toMatchObject({ status: 'suspended' });
    expect(await codeOf(() => listMembers(o.ctx, { userId: adm.id }, org.id))).toBe('forbidden');
    // Queued with the suspension, sent right after its commit (services/notice-outbox.ts).
    await expect.poll(() => o.mail.find((m) => m.to === adm.email && m.subject.includes('suspended'))).toBeDefined();
    expect(await codeOf(() => suspendMember(o.ctx, { userId: owner.id }, org.id, adm.id))).toBe('conflict');
    await reinstateMember(o.ctx, { userId: owner.id }, org.id, adm.id);
    const row = await t.storage.db.selectFrom('memberships').selectAll().where('user_id', '=', adm.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'accepted', certificate: null });
  });
});

describe('permissions: role × action', () => {
  const TEAM_ROLES = ['owner', 'admin', 'recovery_admin', 'member'] as const;

  it('the table gives admin powers to organizers, owners and admins, and members only view, list and share', () => {
    const adminish: OrganizationAction[] = ['invitation.manage', 'member.confirm', 'member.remove', 'member.suspend', 'group.manage', 'log.view'];
    for (const role of ['organizer', 'owner', 'admin', 'recovery_admin'] as const)
      for (const a of adminish) expect(PERMISSIONS[role].has(a), `${role} ${a}`).toBe(true);
    for (const a of adminish) expect(PERMISSIONS.member.has(a), `member ${a}`).toBe(false);
    for (const a of ['organization.view', 'members.list', 'vault.share'] as const) expect(PERMISSIONS.member.has(a)).toBe(true);
  });

  it('each team role through the services: what it may do, and whom it may act on', async () => {
    const owner = await createTestUser(o.ctx, 'owner');
    const org = await createTestOrganization(o.ctx, owner, 'team');
    const people = Object.fromEntries(await Promise.all(TEAM_ROLES.map(async (role) => [role, await createTestUser(o.ctx, role)] as const)));
    for (const role of TEAM_ROLES) await addConfirmedMember(o, org, people[role]!, role);
    const outsider = await createTestUser(o.ctx, 'outsider');
    const expected: Record<
      (typeof TEAM_ROLES)[number] | 'outsider',
      { invite: string; inviteOwner: string; log: string; removeOwner: string; removeMember: string }
    > = {
      owner: { invite: 'ok', inviteOwner: 'ok', log: 'ok', removeOwner: 'ok', removeMember: 'ok' },
      admin: { invite: 'ok', inviteOwner: 'forbidden', log: 'ok', removeOwner: 'forbidden', removeMember: 'ok' },
      recovery_admin: { invite: 'ok', inviteOwner: 'forbidden', log: 'ok', removeOwner: 'forbidden', removeMember: 'ok' },
      member: { invite: 'forbidden', inviteOwner: 'forbidden', log: 'forbidden', removeOwner: 'forbidden', removeMember: 'forbidden' },
      outsider: { invite: 'not_found', inviteOwner: 'not_found', log: 'not_found', removeOwner: 'not_found', removeMember: 'not_found' },
    };
    for (const [role, want] of Object.entries(expected)) {
      const actor = role === 'outsider' ? outsider : people[role]!;
      const victimOwner = await createTestUser(o.ctx, 'victim-owner');
      await addConfirmedMember(o, org, victimOwner, 'owner');
      const victimMember = await createTestUser(o.ctx, 'victim-member');
      await addConfirmedMember(o, org, victimMember, 'member');
      const got = {
        invite: await codeOf(() => createInvitation(o.ctx, { userId: actor.id }, org.id, { email: `${crypto.randomUUID()}@example.com`, role: 'member' })),
        inviteOwner: await codeOf(() => createInvitation(o.ctx, { userId: actor.id }, org.id, { email: `${crypto.randomUUID()}@example.com`, role: 'owner' })),
        log: await codeOf(() => organizationLog(o.ctx, { userId: actor.id }, org.id)),
        removeOwner: await codeOf(() => removeMember(o.ctx, { userId: actor.id }, org.id, victimOwner.id)),
        removeMember: await codeOf(() => removeMember(o.ctx, { userId: actor.id }, org.id, victimMember.id)),
      };
      expect(got, role).toEqual(want);
    }
  });

  it('family roles are organizer and member only', async () => {
    const a = await createTestUser(o.ctx, 'a');
    const org = await createTestOrganization(o.ctx, a, 'family');
    for (const role of ['owner', 'admin', 'recovery_admin'] as const) {
      expect(await codeOf(() => createInvitation(o.ctx, { userId: a.id }, org.id, { email: `${crypto.randomUUID()}@example.com`, role }))).toBe(
        'invalid_request',
      );
    }
  });
});
