/**
 * The Recovery Group and escrows end to end through the SDK against a running server
 * (docs/protocol.md §22.8): an organization comes with its Recovery Group; a member who joins has
 * their existing vaults escrowed on their next listing and each new vault at once, and sees who
 * can recover each; confirming an organizer hands them every version; removing one re-keys the
 * group keeping the older versions, and members re-escrow to the new one; an organization made
 * before the Recovery Group existed gets one from the next organizer's listing. Through a `fetch`
 * that rewrites answers (a malicious server), a Recovery Group keyset the organization key did
 * not certify is refused with `untrusted_key`, said so on each vault, and nothing is escrowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupKeyset } from '@latchkey/core/group-keyset';
import { createKeyset } from '@latchkey/core/keyset';
import type { Static } from '@sinclair/typebox';
import type { RecoveryStatus } from '@latchkey/core/wire/recovery-group';
import type { Vault } from '@latchkey/client/client';
import { signUpUser, startTestServer, type TestServer, type TestUser, waitForEmail } from '@latchkey/server/testing';
import { tamperingFetch, type TamperingFetch } from './helpers/tampering-fetch.ts';

interface Person extends TestUser {
  readonly mitm: TamperingFetch;
}

let server: TestServer;
let alice: Person;
let orgId: string;
const db = () => server.running.context.db;

async function person(name: string): Promise<Person> {
  const mitm = tamperingFetch();
  const user = await signUpUser(server, { name, fetch: mitm.fetch });
  return { ...user, mitm };
}

/** Invites `who` with `role`, accepts on their device and confirms on Alice's with the fingerprint they read out. */
async function join(who: Person, role: 'member' | 'organizer' = 'member', organizationId = orgId): Promise<void> {
  const before = Date.now() - 1000;
  await alice.client.invitations.create(organizationId, who.email, role);
  const mail = await waitForEmail(server.dataDir, { to: who.email, subjectIncludes: 'invited you', after: before });
  const code = /#\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  const { fingerprint } = await who.client.invitations.accept(code);
  await alice.client.organizations.confirm(organizationId, who.userId, fingerprint);
}

const recoveryGroupOf = async (organizationId: string) =>
  db().selectFrom('groups').select(['id', 'key_version']).where('organization_id', '=', organizationId).where('kind', '=', 'recovery').executeTakeFirst();
const escrowsOf = async (vaultIds: readonly string[]) =>
  vaultIds.length === 0
    ? []
    : db().selectFrom('recovery_escrow').select(['vault_id', 'organization_id', 'recovery_key_version']).where('vault_id', 'in', vaultIds).execute();

beforeAll(async () => {
  server = await startTestServer();
  alice = await person('Alice');
  orgId = (await alice.client.organizations.create({ name: 'The Testers', kind: 'family' })).id;
}, 60_000);
afterAll(() => server?.close());

describe('the Recovery Group through the SDK', () => {
  it('comes with the organization, wrapped to its creator; their own vaults are escrowed on the next listing', async () => {
    const group = await recoveryGroupOf(orgId);
    expect(group).toMatchObject({ key_version: 1 });
    const wraps = await db().selectFrom('group_key_wraps').select('user_id').where('group_id', '=', group!.id).execute();
    expect(wraps.map((w) => w.user_id)).toEqual([alice.userId]);
    const vaults = await alice.client.vaults.list();
    expect(vaults.map((v) => [v.name, v.recoverableBy])).toEqual([['Personal', [{ organizationId: orgId, name: 'The Testers' }]]]);
    expect(vaults[0]?.escrowRefusals).toEqual([]);
  });

  it('a member who joins has existing vaults escrowed on the next listing, and new ones at once', async () => {
    const bob = await person('Bob');
    const before = await bob.client.vaults.create('Before joining');
    expect(before.recoverableBy).toEqual([]);
    await join(bob);
    const listed = await bob.client.vaults.list();
    expect(listed.map((v) => [v.name, v.recoverableBy.map((r) => r.name)])).toEqual([
      ['Personal', ['The Testers']],
      ['Before joining', ['The Testers']],
    ]);
    const escrowed = await escrowsOf(listed.map((v) => v.id));
    expect(escrowed).toHaveLength(2);
    expect(escrowed.every((e) => e.organization_id === orgId && e.recovery_key_version === 1)).toBe(true);
    // Listed again: nothing more is uploaded.
    const puts = () => bob.mitm.seen.filter((s) => s.call.method === 'PUT' && s.call.path.includes('/recovery-escrows/')).length;
    const uploaded = puts();
    await bob.client.vaults.list();
    expect(puts()).toBe(uploaded);

    const created = await bob.client.vaults.create('After joining');
    expect(created.recoverableBy).toEqual([{ organizationId: orgId, name: 'The Testers' }]);
    expect(await escrowsOf([created.id])).toEqual([{ vault_id: created.id, organization_id: orgId, recovery_key_version: 1 }]);
    // A vault shared with Bob is the owner's to escrow, not his.
    const shared = await alice.client.vaults.create('Shared with Bob');
    await alice.client.vaults.share(shared.id, { email: bob.email }, 'view');
    const asBob = (await bob.client.vaults.list()).find((v) => v.id === shared.id)!;
    expect(asBob).toMatchObject({ access: 'view', recoverableBy: [], escrowRefusals: [] });
  });

  it('refuses to escrow to a Recovery Group keyset the organization key did not certify, and says so', async () => {
    const carol = await person('Carol');
    await join(carol);
    // The server's own organization and group keysets: a certificate that verifies, but not under the pinned key.
    const serverOrg = await createKeyset();
    const group = (await recoveryGroupOf(orgId))!;
    const forged = await createGroupKeyset({ organizationId: orgId, keyset: serverOrg }, group.id, group.key_version, []);
    carol.mitm.tamper = (call, body) => {
      if (call.method !== 'GET' || call.path !== '/api/recovery-status') return undefined;
      const status = body as Static<typeof RecoveryStatus>;
      return {
        organizations: status.organizations.map((o) =>
          o.recoveryGroup === null ? o : { ...o, recoveryGroup: { ...o.recoveryGroup, certificate: forged.certificate } },
        ),
      };
    };
    let vaults: Vault[];
    try {
      vaults = await carol.client.vaults.list();
    } finally {
      carol.mitm.tamper = undefined;
    }
    expect(vaults.map((v) => v.name)).toEqual(['Personal']);
    expect(vaults[0]?.recoverableBy).toEqual([]);
    expect(vaults[0]?.escrowRefusals).toEqual([expect.objectContaining({ organizationId: orgId, name: 'The Testers', code: 'untrusted_key' })]);
    expect(vaults[0]?.escrowRefusals[0]?.message).toMatch(/not certified by the organization key/);
    expect(carol.mitm.seen.some((s) => s.call.path.includes('/recovery-escrows/'))).toBe(false);
    expect(await escrowsOf([vaults[0]!.id])).toEqual([]);
    // Untampered, the real Recovery Group is used.
    const honest = await carol.client.vaults.list();
    expect(honest[0]?.recoverableBy.map((r) => r.organizationId)).toEqual([orgId]);
  });

  it('confirming an organizer hands them the group; removing them re-keys it, keeps version 1, and members re-escrow to version 2', async () => {
    const dan = await person('Dan');
    await join(dan, 'organizer');
    const group = (await recoveryGroupOf(orgId))!;
    const danWraps = async () =>
      (await db().selectFrom('group_key_wraps').select('key_version').where('group_id', '=', group.id).where('user_id', '=', dan.userId).execute()).map(
        (w) => w.key_version,
      );
    expect(await danWraps()).toEqual([1]);
    const danVault = (await dan.client.vaults.list())[0]!;
    expect(danVault.recoverableBy.map((r) => r.organizationId)).toEqual([orgId]);

    const removed = await alice.client.organizations.remove(orgId, dan.userId);
    expect(removed.rekeyedGroups).toContain(group.id);
    expect(removed.groupsToRekey).toEqual([]);
    expect((await recoveryGroupOf(orgId))?.key_version).toBe(2);
    const versions = await db().selectFrom('group_keysets').select('key_version').where('group_id', '=', group.id).orderBy('key_version').execute();
    expect(versions.map((v) => v.key_version)).toEqual([1, 2]);
    const wraps = await db().selectFrom('group_key_wraps').select(['user_id', 'key_version']).where('group_id', '=', group.id).execute();
    expect(
      wraps
        .filter((w) => w.user_id === alice.userId)
        .map((w) => w.key_version)
        .sort(),
    ).toEqual([1, 2]);
    expect(await danWraps()).toEqual([]);
    // Dan's own vault is recoverable by the organization no more.
    expect(await escrowsOf([danVault.id])).toEqual([]);
    // Alice's next listing re-escrows at version 2.
    const statusAtVersion1 = alice.mitm.seen.findLast((s) => s.call.path === '/api/recovery-status')!.body as Static<typeof RecoveryStatus>;
    const mine = await alice.client.vaults.list();
    expect((await escrowsOf(mine.map((v) => v.id))).map((e) => e.recovery_key_version)).toEqual(mine.map(() => 2));
    // Having escrowed to version 2, her device refuses version 1 passed off as current (to a removed holder's key).
    const newVault = await alice.client.vaults.create('After the re-key');
    alice.mitm.tamper = (call) => (call.path === '/api/recovery-status' ? statusAtVersion1 : undefined);
    try {
      const listed = (await alice.client.vaults.list()).find((v) => v.id === newVault.id)!;
      expect(listed.escrowRefusals).toEqual([expect.objectContaining({ organizationId: orgId, code: 'rollback_detected' })]);
    } finally {
      alice.mitm.tamper = undefined;
    }
  });

  it('a holder who leaves by themselves leaves the group marked; the next holder listing their vaults re-keys it', async () => {
    const erin = await person('Erin');
    await join(erin, 'organizer');
    const before = (await recoveryGroupOf(orgId))!;
    const left = await erin.client.organizations.leave(orgId);
    expect(left.groupsToRekey).toContain(before.id);
    expect((await recoveryGroupOf(orgId))?.key_version).toBe(before.key_version);
    const flagged = await db().selectFrom('groups').select('rekey_needed').where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(flagged.rekey_needed).toBe(true);
    const vaults = await alice.client.vaults.list();
    const after = await db().selectFrom('groups').select(['key_version', 'rekey_needed']).where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ key_version: before.key_version + 1, rekey_needed: false });
    expect((await escrowsOf(vaults.map((v) => v.id))).map((e) => e.recovery_key_version)).toEqual(vaults.map(() => before.key_version + 1));
  });

  it('a promotion to organizer hands over every kept version; a demotion takes it back and re-keys', async () => {
    const fay = await person('Fay');
    await join(fay);
    const group = (await recoveryGroupOf(orgId))!;
    const versions = async () =>
      (await db().selectFrom('group_key_wraps').select('key_version').where('group_id', '=', group.id).where('user_id', '=', fay.userId).execute())
        .map((w) => w.key_version)
        .sort();
    expect(await versions()).toEqual([]);
    await alice.client.organizations.changeRole(orgId, fay.userId, 'organizer');
    const kept = (await db().selectFrom('group_keysets').select('key_version').where('group_id', '=', group.id).execute()).map((v) => v.key_version).sort();
    expect(kept.length).toBeGreaterThan(1);
    expect(await versions()).toEqual(kept);
    await alice.client.organizations.changeRole(orgId, fay.userId, 'member');
    expect(await versions()).toEqual([]);
    const after = await db().selectFrom('groups').select(['key_version', 'rekey_needed']).where('id', '=', group.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ key_version: group.key_version + 1, rekey_needed: false });
    // Still a member: Fay's own vault stays escrowed, and is escrowed again at the new version.
    const fays = await fay.client.vaults.list();
    expect(fays[0]?.recoverableBy.map((r) => r.organizationId)).toEqual([orgId]);
    expect((await escrowsOf([fays[0]!.id]))[0]?.recovery_key_version).toBe(group.key_version + 1);
  });

  it('an organization made before the Recovery Group existed gets one from the next organizer listing their vaults', async () => {
    const older = (await alice.client.organizations.create({ name: 'Older', kind: 'team' })).id;
    await db().deleteFrom('groups').where('organization_id', '=', older).where('kind', '=', 'recovery').execute();
    const vaults = await alice.client.vaults.list();
    const group = await recoveryGroupOf(older);
    expect(group).toMatchObject({ key_version: 1 });
    expect(vaults[0]?.recoverableBy.map((r) => r.name).sort()).toEqual(['Older', 'The Testers']);
  });
});
