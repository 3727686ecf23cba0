/**
 * A malicious server against families and sharing (issue 10, docs/protocol.md §22): the SDK talks
 * to a real server through a `fetch` that rewrites answers, as a server with its own code and
 * database could. A substituted member key at confirmation is caught by the fingerprint; a planted
 * or swapped vault-key wrap and a substituted or swapped group-key wrap are refused with
 * `untrusted_key`; a member removed from a group is not slipped back in at the next re-key; and a
 * device that opened a group's new key version refuses the old one (`rollback_detected`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url } from '@latchkey/core/bytes';
import { newVaultId, type VaultId } from '@latchkey/core/ids';
import { createGroupKeyset } from '@latchkey/core/group-keyset';
import { createKeyset, keysetSigner } from '@latchkey/core/keyset';
import { signMemberAcceptance } from '@latchkey/core/member-acceptance';
import { importBoxKey } from '@latchkey/core/sealed-box';
import { createVaultKey, encryptVaultAttributes, wrapVaultKey } from '@latchkey/core/vault-key';
import type { Group } from '@latchkey/core/wire/groups';
import type { MemberList } from '@latchkey/core/wire/organizations';
import type { SharedVault, SharedVaultList } from '@latchkey/core/wire/vault-shares';
import type { Static } from '@sinclair/typebox';
import { sdkClient, send, signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { errorCodeOf } from './helpers/error-code.ts';
import { tamperingFetch, type Call, type TamperingFetch } from './helpers/tampering-fetch.ts';

interface Person extends TestUser {
  readonly mitm: TamperingFetch;
}

let server: TestServer;
let alice: Person;
let bob: Person;
let carol: Person;
let dave: Person;
let orgId: string;
let familyVault: VaultId;
let otherVault: VaultId;
let groupVault: VaultId;
let groupId: string;

async function person(name: string): Promise<Person> {
  const mitm = tamperingFetch();
  const user = await signUpUser(server, { name, fetch: mitm.fetch });
  return { ...user, mitm };
}

/** The invitation code in the newest invitation email to `email`. */
async function invitationCode(email: string, after: number): Promise<string> {
  // The subject, not only the time: the sign-up's own email can fall in the same second.
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'invited you', after });
  const match = /#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  if (match === null) throw new Error('no invitation link in the email');
  return match[1]!;
}

/** Invites and accepts; returns the fingerprint the member's own device shows. */
async function inviteAndAccept(member: Person): Promise<string> {
  const before = Date.now() - 1000;
  await alice.client.invitations.create(orgId, member.email, 'member');
  return (await member.client.invitations.accept(await invitationCode(member.email, before))).fingerprint;
}

const isPath = (call: Call, method: string, path: string) => call.method === method && call.path === path;
const db = () => server.running.context.db;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol, dave] = await Promise.all([person('Alice'), person('Bob'), person('Carol'), person('Dave')]);
  orgId = (await alice.client.organizations.create({ name: 'The Testers', kind: 'family' })).id;
  for (const member of [bob, carol]) await alice.client.organizations.confirm(orgId, member.userId, await inviteAndAccept(member));
  familyVault = (await alice.client.vaults.create('Family')).id;
  otherVault = (await alice.client.vaults.create('Other')).id;
  groupVault = (await alice.client.vaults.create('Kids')).id;
  await alice.client.vaults.share(familyVault, { email: bob.email }, 'view');
  await alice.client.vaults.share(otherVault, { email: bob.email }, 'view');
  groupId = (await alice.client.groups.create(orgId, 'Kids', [bob.userId, carol.userId])).id;
  await alice.client.vaults.share(groupVault, { group: 'Kids' }, 'edit');
}, 120_000);
afterAll(() => server.close());

describe('a malicious server against families', () => {
  it('the honest path: Bob reads the vaults shared with him, directly and through the group', async () => {
    const names = (await bob.client.vaults.list()).map((v) => v.name).sort();
    expect(names).toEqual(['Family', 'Kids', 'Other', 'Personal']);
  });

  it('catches a member key substituted at confirmation by the fingerprint, and confirms nothing', async () => {
    const realFingerprint = await inviteAndAccept(dave);
    const forged = await createKeyset();
    alice.mitm.tamper = (call, body) => {
      if (!isPath(call, 'GET', `/api/organizations/${orgId}/members`)) return undefined;
      const list = body as Static<typeof MemberList>;
      return {
        members: list.members.map((m) => {
          if (m.userId !== dave.userId) return m;
          // The server's own keyset, with an acceptance it signed itself for the real organization key.
          const a = m.acceptance;
          return {
            ...m,
            acceptance: signMemberAcceptance(forged, dave.userId, {
              organizationId: orgId,
              keyset: { id: a.organizationKeysetId, signingPublicKey: fromBase64Url(a.organizationSigningPublicKey) },
            }),
          };
        }),
      };
    };
    try {
      const shown = (await alice.client.organizations.members(orgId)).find((m) => m.userId === dave.userId)!;
      expect(shown.fingerprint).not.toBeNull();
      expect(shown.fingerprint).not.toBe(realFingerprint);
      expect(await errorCodeOf(alice.client.organizations.confirm(orgId, dave.userId, realFingerprint))).toBe('fingerprint_mismatch');
      expect(alice.mitm.seen.some((s) => s.call.path.endsWith(`/members/${dave.userId}/confirm`))).toBe(false);
    } finally {
      alice.mitm.tamper = undefined;
    }
    const row = await db()
      .selectFrom('memberships')
      .select('status')
      .where('organization_id', '=', orgId)
      .where('user_id', '=', dave.userId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('accepted');
    // Untampered, the same comparison passes.
    await alice.client.organizations.confirm(orgId, dave.userId, realFingerprint);
  });

  it('refuses a planted shared vault: its key is not signed by anyone the organization certified', async () => {
    const profile = await bob.client.whoami();
    const aliceKeyset = (await alice.client.whoami()).keyset.id;
    const serverKeys = await createKeyset();
    const vaultId = newVaultId();
    const key = createVaultKey();
    const wrap = await wrapVaultKey(
      key,
      vaultId,
      { keysetId: profile.keyset.id, publicKey: fromBase64Url(profile.keyset.publicKey) },
      keysetSigner(serverKeys),
    );
    const planted = {
      vaultId,
      shareId: crypto.randomUUID(),
      organizationId: orgId,
      role: 'edit',
      encryptedAttrs: await encryptVaultAttributes(await importBoxKey(key), vaultId, { name: 'Planted' }),
      groupId: null,
      groupKeyVersion: null,
      sharedBy: alice.userId,
      wrap,
    } satisfies SharedVault;
    for (const forgery of [planted, { ...planted, wrap: { ...wrap, signerKeysetId: aliceKeyset } }]) {
      bob.mitm.tamper = (call, body) =>
        isPath(call, 'GET', '/api/shared-vaults') ? { vaults: [...(body as Static<typeof SharedVaultList>).vaults, forgery] } : undefined;
      expect(await errorCodeOf(bob.client.vaults.list())).toBe('untrusted_key');
    }
    bob.mitm.tamper = undefined;
  });

  it('refuses a vault-key wrap swapped for the wrap of another vault', async () => {
    bob.mitm.tamper = (call, body) => {
      if (!isPath(call, 'GET', '/api/shared-vaults')) return undefined;
      const list = (body as Static<typeof SharedVaultList>).vaults;
      const other = list.find((v) => v.vaultId === otherVault)!;
      return { vaults: list.map((v) => (v.vaultId === familyVault ? { ...v, wrap: other.wrap } : v)) };
    };
    try {
      // A fresh device of Bob's (no cached or pinned keys), so only the signature can catch it.
      const device = await signInAgain(bob);
      expect(await errorCodeOf(device.vaults.list())).toBe('untrusted_key');
    } finally {
      bob.mitm.tamper = undefined;
    }
  });

  it('refuses a substituted group keyset, and a group-key wrap swapped for another member’s', async () => {
    const serverGroup = await createGroupKeyset({ organizationId: orgId, keyset: await createKeyset() }, groupId, 1, [
      { userId: bob.userId, keyset: await bobPublicKeyset() },
    ]);
    const aliceView = await groupAsSeenBy(alice);
    const carolsWrap = aliceView.memberWraps!.find((w) => w.userId === carol.userId)!.wrap;
    const forgeries: Array<(g: Group) => Group> = [
      (g) => ({ ...g, keyset: serverGroup.sealed, certificate: serverGroup.certificate, keyWrap: serverGroup.wraps[0]!.wrap }),
      (g) => ({ ...g, keyWrap: carolsWrap }),
    ];
    for (const forge of forgeries) {
      bob.mitm.tamper = (call, body) => (isPath(call, 'GET', `/api/organizations/${orgId}/groups/${groupId}`) ? forge(body as Group) : undefined);
      const device = await signInAgain(bob);
      expect(await errorCodeOf(device.vaults.list())).toBe('untrusted_key');
    }
    bob.mitm.tamper = undefined;
  });

  it('does not let the server slip a removed member back into a group at the next re-key', async () => {
    const before = await groupAsSeenBy(alice);
    const carolsOldWrap = before.memberWraps!.find((w) => w.userId === carol.userId)!;
    const bobsViewOfVersion1 = await groupAsSeenBy(bob);
    const removed = await alice.client.groups.remove(orgId, groupId, carol.userId);
    expect(removed).toMatchObject({ keyVersion: 2, rotateSecrets: true });
    const wraps = await db().selectFrom('group_key_wraps').select(['user_id', 'key_version']).where('group_id', '=', groupId).execute();
    expect(wraps.map((w) => w.user_id).sort()).toEqual([alice.userId, bob.userId].sort());
    expect(new Set(wraps.map((w) => w.key_version))).toEqual(new Set([2]));
    // Carol's device no longer reaches the group's vault.
    expect((await carol.client.vaults.list()).map((v) => v.id)).not.toContain(groupVault);

    // The server lists Carol again with her real certificate and her real (old) wrap.
    alice.mitm.tamper = (call, body) => {
      if (!isPath(call, 'GET', `/api/organizations/${orgId}/groups/${groupId}`)) return undefined;
      const g = body as Group;
      return { ...g, members: [...g.members, carol.userId], memberWraps: [...g.memberWraps!, carolsOldWrap] };
    };
    try {
      expect(await errorCodeOf(alice.client.groups.remove(orgId, groupId, bob.userId))).toBe('untrusted_key');
    } finally {
      alice.mitm.tamper = undefined;
    }
    const after = await db().selectFrom('groups').select('key_version').where('id', '=', groupId).executeTakeFirstOrThrow();
    expect(after.key_version).toBe(2);
    // Bob, still in the group, reads its vault under the new key.
    expect((await (await restarted(bob)).vaults.list()).map((v) => v.id)).toContain(groupVault);
    // Once his device opened version 2, the server cannot hand it version 1 as the current one.
    bob.mitm.tamper = (call) => (isPath(call, 'GET', `/api/organizations/${orgId}/groups/${groupId}`) ? bobsViewOfVersion1 : undefined);
    try {
      expect(await errorCodeOf((await restarted(bob)).vaults.list())).toBe('rollback_detected');
    } finally {
      bob.mitm.tamper = undefined;
    }
  });
});

async function bobPublicKeyset() {
  const k = (await bob.client.whoami()).keyset;
  return { id: k.id, publicKey: fromBase64Url(k.publicKey), signingPublicKey: fromBase64Url(k.signingPublicKey) };
}

/** The group as the server answers `p` (an organizer sees every member's wrap). */
async function groupAsSeenBy(p: Person): Promise<Group> {
  const token = (await p.store.read()).session!.token;
  const answer = await send(server, { method: 'GET', path: `/api/organizations/${orgId}/groups/${groupId}`, token });
  expect(answer.status).toBe(200);
  return answer.json as Group;
}

/** The same device of `p` (same memory) started again: nothing cached, unlocked with the password. */
async function restarted(p: Person) {
  const client = sdkClient(server.url, { store: p.store, fetch: p.mitm.fetch });
  await client.unlock(p.password);
  return client;
}

/** A new device of `p` (empty memory) behind the same tampering fetch. */
async function signInAgain(p: Person) {
  const client = sdkClient(server.url, { fetch: p.mitm.fetch });
  await client.signIn({ email: p.email, password: p.password, secretKey: p.secretKey });
  return client;
}
