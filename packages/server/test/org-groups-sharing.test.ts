/**
 * Groups and shared vaults through the real services and storage (SQLite and PostgreSQL), with
 * the client side done by the core functions: a member opens a vault shared through a group from
 * what the server stores; removal deletes every wrap and share at once; a re-key leaves the
 * removed member nothing; concurrent re-keys have one winner; only readers see a shared vault;
 * and nothing secret lands in any of the new tables (invariant 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { bytesToHex, toBase64Url } from '@latchkey/core/bytes';
import { createGroupKeyset, openGroupKeyset, rekeyGroup as rekeyGroupKeyset, currentGroupMembers } from '@latchkey/core/group-keyset';
import { keysetPublicPart, keysetSigner, publicKeysetRecipient } from '@latchkey/core/keyset';
import { unwrapVaultKey, wrapVaultKey } from '@latchkey/core/vault-key';
import type { LatchkeyError } from '@latchkey/core/errors';
import { createGroup, getGroup, rekeyGroup } from '../src/services/groups.ts';
import { listMembers, removeMember } from '../src/services/memberships.ts';
import { getOrganization } from '../src/services/organizations.ts';
import { changeShareRole, getSharedVault, listSharedVaults, shareVault, unshareVault } from '../src/services/shared-vaults.ts';
import { createInvitation } from '../src/services/invitations.ts';
import {
  acceptAs,
  addConfirmedMember,
  createTestOrganization,
  createTestUser,
  createTestVault,
  invitationToken,
  orgTestContext,
  type OrgTestContext,
  type TestOrganization,
  type TestUser,
} from './helpers/org-fixture.ts';
import { createTestStorage, listTables, type TestStorage } from '@latchkey/server/testing';

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

/** A family with an organizer and three confirmed members, and a group of the organizer and all three. */
async function familyWithGroup() {
  const organizer = await createTestUser(o.ctx, 'organizer');
  const org = await createTestOrganization(o.ctx, organizer);
  const members: TestUser[] = [];
  for (const name of ['ann', 'ben', 'cat']) {
    const m = await createTestUser(o.ctx, name);
    await addConfirmedMember(o, org, m, 'member');
    members.push(m);
  }
  const groupId = crypto.randomUUID();
  const everyone = [organizer, ...members];
  const v1 = await createGroupKeyset(
    org.opened,
    groupId,
    1,
    everyone.map((u) => u.member),
  );
  await createGroup(o.ctx, { userId: organizer.id }, org.id, {
    id: groupId,
    name: 'Everyone',
    keyset: v1.sealed,
    certificate: v1.certificate,
    members: v1.wraps,
  });
  return { organizer, org, members, groupId, v1, everyone };
}

/** The member's client: opens the vault key of a vault shared through a group, from what the server returns. */
async function openThroughGroup(org: TestOrganization, user: TestUser, vaultId: string, sharer: TestUser) {
  const [share] = await getSharedVault(o.ctx, { userId: user.id }, vaultId);
  const group = await getGroup(o.ctx, { userId: user.id }, org.id, share!.groupId!);
  const opened = await openGroupKeyset(org.id, keysetPublicPart(org.opened.keyset), group.id, group.certificate, group.keyset, group.keyWrap!, user.keyset);
  const trust = (id: string) => (id === sharer.keyset.id ? { keysetId: id, signingPublicKey: sharer.keyset.signing.publicKey } : undefined);
  return unwrapVaultKey(share!.wrap, vaultId, publicKeysetRecipient(keysetPublicPart(opened.keyset)), opened.keyset.encryption.privateKey, trust);
}

describe('groups and shared vaults', () => {
  it('a vault shared with a group opens for each member from the stored rows, and for nobody else', async () => {
    const { organizer, org, members, groupId, v1 } = await familyWithGroup();
    const vault = await createTestVault(o.ctx, organizer);
    const wrap = await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(keysetPublicPart(v1.keyset)), keysetSigner(organizer.keyset));
    await shareVault(o.ctx, { userId: organizer.id }, org.id, { shareId: crypto.randomUUID(), vaultId: vault.id, recipient: { groupId }, role: 'view', wrap });
    for (const m of members) expect(bytesToHex(await openThroughGroup(org, m, vault.id, organizer))).toBe(bytesToHex(vault.raw));
    expect((await listSharedVaults(o.ctx, { userId: members[0]!.id })).map((v) => v.vaultId)).toEqual([vault.id]);
    const outsider = await createTestUser(o.ctx, 'outsider');
    expect(await codeOf(() => getSharedVault(o.ctx, { userId: outsider.id }, vault.id))).toBe('not_found');
    expect(await codeOf(() => getGroup(o.ctx, { userId: outsider.id }, org.id, groupId))).toBe('not_found');
    expect(await listSharedVaults(o.ctx, { userId: outsider.id })).toEqual([]);
  });

  it('roles: view cannot reshare or unshare; manage can; unshare deletes the wrap and says to rotate', async () => {
    const { organizer, org, members } = await familyWithGroup();
    const [ann, ben] = members as [TestUser, TestUser];
    const vault = await createTestVault(o.ctx, organizer);
    const toAnn = await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(ann.member.keyset), keysetSigner(organizer.keyset));
    const shareId = crypto.randomUUID();
    await shareVault(o.ctx, { userId: organizer.id }, org.id, { shareId, vaultId: vault.id, recipient: { userId: ann.id }, role: 'view', wrap: toAnn });
    expect(
      await codeOf(() =>
        shareVault(o.ctx, { userId: organizer.id }, org.id, {
          shareId: crypto.randomUUID(),
          vaultId: vault.id,
          recipient: { userId: ann.id },
          role: 'view',
          wrap: toAnn,
        }),
      ),
    ).toBe('already_exists');
    const toBen = await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(ben.member.keyset), keysetSigner(ann.keyset));
    expect(
      await codeOf(() =>
        shareVault(o.ctx, { userId: ann.id }, org.id, {
          shareId: crypto.randomUUID(),
          vaultId: vault.id,
          recipient: { userId: ben.id },
          role: 'view',
          wrap: toBen,
        }),
      ),
    ).toBe('forbidden');
    expect(await codeOf(() => unshareVault(o.ctx, { userId: ann.id }, vault.id, shareId))).toBe('forbidden');
    expect(await codeOf(() => unshareVault(o.ctx, { userId: ben.id }, vault.id, shareId))).toBe('not_found');
    await changeShareRole(o.ctx, { userId: organizer.id }, vault.id, shareId, 'manage');
    await shareVault(o.ctx, { userId: ann.id }, org.id, {
      shareId: crypto.randomUUID(),
      vaultId: vault.id,
      recipient: { userId: ben.id },
      role: 'edit',
      wrap: toBen,
    });
    expect(await unshareVault(o.ctx, { userId: organizer.id }, vault.id, shareId)).toEqual({ rotateSecrets: true });
    expect(await codeOf(() => getSharedVault(o.ctx, { userId: ann.id }, vault.id))).toBe('not_found');
    expect(await t.storage.db.selectFrom('vault_shares').select('id').where('id', '=', shareId).executeTakeFirst()).toBeUndefined();
  });

  it('refuses shares the protocol does not allow: to an unconfirmed member, a wrap to another keyset or by another signer, an unknown vault', async () => {
    const { organizer, org, members } = await familyWithGroup();
    const vault = await createTestVault(o.ctx, organizer);
    const pending = await createTestUser(o.ctx, 'pending');
    await createInvitation(o.ctx, { userId: organizer.id }, org.id, { email: pending.email, role: 'member' });
    await acceptAs(o.ctx, pending, invitationToken(o.mail, pending.email));
    const share = async (userId: string, wrap: Awaited<ReturnType<typeof wrapVaultKey>>) =>
      codeOf(() =>
        shareVault(o.ctx, { userId: organizer.id }, org.id, { shareId: crypto.randomUUID(), vaultId: vault.id, recipient: { userId }, role: 'view', wrap }),
      );
    expect(await share(pending.id, await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(pending.member.keyset), keysetSigner(organizer.keyset)))).toBe(
      'invalid_request',
    );
    const ann = members[0]!;
    expect(await share(ann.id, await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(members[1]!.member.keyset), keysetSigner(organizer.keyset)))).toBe(
      'invalid_request',
    );
    expect(await share(ann.id, await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(ann.member.keyset), keysetSigner(ann.keyset)))).toBe(
      'invalid_request',
    );
    expect(
      await codeOf(() =>
        shareVault(o.ctx, { userId: organizer.id }, org.id, {
          shareId: crypto.randomUUID(),
          vaultId: crypto.randomUUID(),
          recipient: { userId: ann.id },
          role: 'view',
          wrap: toAnnDummy(ann),
        }),
      ),
    ).toBe('not_found');
    expect(await t.storage.db.selectFrom('vault_shares').select('id').where('vault_id', '=', vault.id).execute()).toEqual([]);
  });

  it('removing a member deletes every share, group membership, group wrap and organization wrap at once; the group is then re-keyed without them', async () => {
    const { organizer, org, members, groupId, v1, everyone } = await familyWithGroup();
    const [ann, ben, cat] = members as [TestUser, TestUser, TestUser];
    const groupVault = await createTestVault(o.ctx, organizer);
    await shareVault(o.ctx, { userId: organizer.id }, org.id, {
      shareId: crypto.randomUUID(),
      vaultId: groupVault.id,
      recipient: { groupId },
      role: 'edit',
      wrap: await wrapVaultKey(groupVault.raw, groupVault.id, publicKeysetRecipient(keysetPublicPart(v1.keyset)), keysetSigner(organizer.keyset)),
    });
    const direct = await createTestVault(o.ctx, organizer);
    await shareVault(o.ctx, { userId: organizer.id }, org.id, {
      shareId: crypto.randomUUID(),
      vaultId: direct.id,
      recipient: { userId: cat.id },
      role: 'view',
      wrap: await wrapVaultKey(direct.raw, direct.id, publicKeysetRecipient(cat.member.keyset), keysetSigner(organizer.keyset)),
    });

    const { groupsToRekey } = await removeMember(o.ctx, { userId: organizer.id }, org.id, cat.id);
    expect(groupsToRekey).toEqual([groupId]);
    for (const table of ['vault_shares', 'group_memberships', 'group_key_wraps', 'organization_key_wraps', 'memberships'] as const) {
      expect(await t.storage.db.selectFrom(table).select('user_id').where('user_id', '=', cat.id).execute(), table).toEqual([]);
    }
    expect(await listSharedVaults(o.ctx, { userId: cat.id })).toEqual([]);
    expect(await codeOf(() => getOrganization(o.ctx, { userId: cat.id }, org.id))).toBe('not_found');

    // The organizer's client re-keys: members from the server are checked (org-signed wrap of v1), Cat is not among them.
    const group = await getGroup(o.ctx, { userId: organizer.id }, org.id, groupId);
    const certificates = new Map((await listMembers(o.ctx, { userId: organizer.id }, org.id)).map((m) => [m.userId, m.certificate!]));
    const listed = group.memberWraps!.map((w) => ({ certificate: certificates.get(w.userId)!, wrap: w.wrap }));
    const current = currentGroupMembers(org.id, keysetPublicPart(org.opened.keyset), { groupId, keyVersion: 1, keysetId: group.keyset.id }, listed);
    expect(current.map((m) => m.userId).sort()).toEqual([organizer.id, ann.id, ben.id].sort());
    const v2 = await createGroupKeyset(org.opened, groupId, 2, current);
    const rewrap = await wrapVaultKey(groupVault.raw, groupVault.id, publicKeysetRecipient(keysetPublicPart(v2.keyset)), keysetSigner(organizer.keyset));
    const input = {
      fromKeyVersion: 1,
      keyset: v2.sealed,
      certificate: v2.certificate,
      removeUserIds: [],
      members: v2.wraps,
      vaultShares: [{ vaultId: groupVault.id, wrap: rewrap }],
    };
    // Wrapped to someone who is no longer there, or missing the share re-wrap: refused, nothing changes.
    const withCat = await createGroupKeyset(org.opened, groupId, 2, [...current, cat.member]);
    expect(
      await codeOf(() =>
        rekeyGroup(o.ctx, { userId: organizer.id }, org.id, groupId, {
          ...input,
          keyset: withCat.sealed,
          certificate: withCat.certificate,
          members: withCat.wraps,
        }),
      ),
    ).toBe('invalid_request');
    expect(await codeOf(() => rekeyGroup(o.ctx, { userId: organizer.id }, org.id, groupId, { ...input, vaultShares: [] }))).toBe('invalid_request');
    expect((await getGroup(o.ctx, { userId: organizer.id }, org.id, groupId)).keyVersion).toBe(1);
    // Two re-keys at once: one wins.
    const results = await Promise.all([0, 1].map(() => codeOf(() => rekeyGroup(o.ctx, { userId: organizer.id }, org.id, groupId, input))));
    expect(results.sort()).toEqual(['conflict', 'ok']);
    // The remaining members open the vault through version 2; the old version is gone from storage.
    for (const m of [ann, ben]) expect(bytesToHex(await openThroughGroup(org, m, groupVault.id, organizer))).toBe(bytesToHex(groupVault.raw));
    expect(await t.storage.db.selectFrom('group_keysets').select('key_version').where('group_id', '=', groupId).execute()).toEqual([{ key_version: 2 }]);
    expect(everyone).toHaveLength(4);
  });

  it('a re-key that removes a member in the same step, and a member who is not in the group cannot re-key', async () => {
    const { organizer, org, members, groupId } = await familyWithGroup();
    const [ann, ben, cat] = members as [TestUser, TestUser, TestUser];
    const current = [organizer, ann, ben, cat].map((u) => u.member);
    const v2 = await rekeyGroupKeyset(org.opened, groupId, 1, current, [ben.id]);
    await rekeyGroup(o.ctx, { userId: organizer.id }, org.id, groupId, {
      fromKeyVersion: 1,
      keyset: v2.sealed,
      certificate: v2.certificate,
      removeUserIds: [ben.id],
      members: v2.wraps,
      vaultShares: [],
    });
    expect(await codeOf(() => getGroup(o.ctx, { userId: ben.id }, org.id, groupId))).toBe('not_found');
    expect(await t.storage.db.selectFrom('group_key_wraps').select('user_id').where('user_id', '=', ben.id).execute()).toEqual([]);
    const other = await createTestUser(o.ctx, 'co-organizer');
    await addConfirmedMember(o, org, other, 'organizer');
    const v3 = await rekeyGroupKeyset(
      org.opened,
      groupId,
      2,
      [organizer, ann, cat].map((u) => u.member),
      [cat.id],
    );
    expect(
      await codeOf(() =>
        rekeyGroup(o.ctx, { userId: other.id }, org.id, groupId, {
          fromKeyVersion: 2,
          keyset: v3.sealed,
          certificate: v3.certificate,
          removeUserIds: [cat.id],
          members: v3.wraps,
          vaultShares: [],
        }),
      ),
    ).toBe('forbidden');
    expect(
      await codeOf(() =>
        createGroup(o.ctx, { userId: ann.id }, org.id, { id: crypto.randomUUID(), name: 'x', keyset: v3.sealed, certificate: v3.certificate, members: [] }),
      ),
    ).toBe('forbidden');
  });

  it('invariant 1: no invitation token, organization or group key, or vault key is stored in any table', async () => {
    const { organizer, org, v1 } = await familyWithGroup();
    const vault = await createTestVault(o.ctx, organizer);
    const invitee = await createTestUser(o.ctx, 'invitee');
    await createInvitation(o.ctx, { userId: organizer.id }, org.id, { email: invitee.email, role: 'member' });
    const token = invitationToken(o.mail, invitee.email);
    let dump = '';
    for (const table of await listTables(t.storage.db)) dump += JSON.stringify((await sql`select * from ${sql.table(table)}`.execute(t.storage.db)).rows);
    const secrets = [
      org.opened.keyset.symmetricKey,
      org.opened.keyset.encryption.privateKey,
      org.opened.keyset.signing.secretKey,
      v1.keyset.symmetricKey,
      v1.keyset.encryption.privateKey,
      v1.keyset.signing.secretKey,
      vault.raw,
    ];
    for (const secret of secrets) {
      expect(dump).not.toContain(toBase64Url(secret));
      expect(dump).not.toContain(bytesToHex(secret));
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(dump).not.toContain(token);
    expect(o.logs.join('\n')).not.toContain(token);
  });
});

/** A syntactically fine wrap for a test that must fail before the wrap is looked at. */
function toAnnDummy(ann: TestUser) {
  return { version: 1, recipientKeysetId: ann.keyset.id, ciphertext: 'AAAA', signerKeysetId: ann.keyset.id, signature: 'AAAA' };
}
