/**
 * Organization and group keysets (docs/protocol.md §22.2, §22.5): format-2 signed wraps of a
 * keyset's symmetric key, group certificates, re-keying on removal, and the server attacks on
 * them (planted, swapped, moved, downgraded wraps; a removed member slipped back in).
 */
import { describe, expect, it } from 'vitest';
import { fromBase64Url, randomBytes, toBase64Url } from '../src/bytes.ts';
import { sign } from '../src/crypto/ed25519.ts';
import { addGroupMember, createGroupKeyset, currentGroupMembers, openGroupKeyset, rekeyGroup, type OpenedOrganization } from '../src/group-keyset.ts';
import { issueMemberCertificate, type CertifiedMember, type GroupCertificate } from '../src/keyset-certificate.ts';
import { keyWrapStatement, openKeyWrap, sealKeyWrap, verifyKeyWrap, type KeyWrap, type KeyWrapContext } from '../src/key-wrap.ts';
import {
  createKeyset,
  keysetPublicPart,
  keysetRecipient,
  keysetSigner,
  keysetTrustedSigner,
  publicKeysetRecipient,
  sealKeyset,
  type Keyset,
} from '../src/keyset.ts';
import { createOrganizationKeyset, openOrganizationKeyset, wrapOrganizationKeyset } from '../src/organization-keyset.ts';
import { sharedKeysetWrapContext } from '../src/shared-keyset.ts';
import { unwrapVaultKey, wrapVaultKey } from '../src/vault-key.ts';
import { codeOf, expectLatchkeyError } from './helpers/errors.ts';

async function organizationWith(count: number) {
  const organizationId = crypto.randomUUID();
  const creator = await createKeyset();
  const org = await createOrganizationKeyset(organizationId, creator, crypto.randomUUID());
  const opened: OpenedOrganization = { organizationId, keyset: org.keyset };
  const people: { keyset: Keyset; member: CertifiedMember }[] = [];
  for (let i = 0; i < count; i++) {
    const keyset = await createKeyset();
    people.push({ keyset, member: { userId: crypto.randomUUID(), keyset: keysetPublicPart(keyset) } });
  }
  return { organizationId, creator, org, opened, people, orgPublic: keysetPublicPart(org.keyset) };
}

const flip = (b64: string, at = 0) => {
  const bytes = fromBase64Url(b64);
  bytes[at]! ^= 0x01;
  return toBase64Url(bytes);
};

describe('organization keyset', () => {
  it('opens for the creator and for an admin it is wrapped to, against the pinned organization key', async () => {
    const { organizationId, creator, org, orgPublic, people } = await organizationWith(1);
    const a = await openOrganizationKeyset(organizationId, 1, org.sealed, org.creatorWrap, orgPublic, creator);
    expect(a.signing.secretKey).toEqual(org.keyset.signing.secretKey);
    const admin = people[0]!;
    const wrap = await wrapOrganizationKeyset(organizationId, 1, org.keyset, admin.member);
    const b = await openOrganizationKeyset(organizationId, 1, org.sealed, wrap, orgPublic, admin.keyset);
    expect(b.encryption.privateKey).toEqual(org.keyset.encryption.privateKey);
  });

  it('refuses a keyset or a wrap the server substituted, and wraps moved to another organization, version or admin', async () => {
    const { organizationId, creator, org, orgPublic, people } = await organizationWith(1);
    const serverKeyset = await createKeyset(org.keyset.id);
    const serverSealed = await sealKeyset(serverKeyset);
    // Its own keyset under the real id: the public keys differ from the pinned ones.
    await expectLatchkeyError(() => openOrganizationKeyset(organizationId, 1, serverSealed, org.creatorWrap, orgPublic, creator), 'untrusted_key');
    // Its own keyset wrapped and signed by itself: not the pinned signer's signature.
    const planted = await sealKeyWrap(
      serverKeyset.symmetricKey,
      sharedKeysetWrapContext({ kind: 'organization', id: organizationId, keyVersion: 1 }, org.keyset.id, keysetRecipient(creator)),
      keysetSigner(serverKeyset),
    );
    await expectLatchkeyError(() => openOrganizationKeyset(organizationId, 1, org.sealed, planted, orgPublic, creator), 'untrusted_key');
    await expectLatchkeyError(() => openOrganizationKeyset(crypto.randomUUID(), 1, org.sealed, org.creatorWrap, orgPublic, creator), 'untrusted_key');
    await expectLatchkeyError(() => openOrganizationKeyset(organizationId, 2, org.sealed, org.creatorWrap, orgPublic, creator), 'untrusted_key');
    await expectLatchkeyError(() => openOrganizationKeyset(organizationId, 1, org.sealed, org.creatorWrap, orgPublic, people[0]!.keyset), 'untrusted_key');
  });
});

describe('format-2 keyset wraps: every field is bound', () => {
  async function fixture() {
    const { organizationId, org, people } = await organizationWith(1);
    const group = await createKeyset();
    const recipient = people[0]!.keyset;
    const context = sharedKeysetWrapContext({ kind: 'group', id: crypto.randomUUID(), keyVersion: 3 }, group.id, keysetRecipient(recipient));
    const wrap = await sealKeyWrap(group.symmetricKey, context, keysetSigner(org.keyset));
    return { organizationId, org, group, recipient, context, wrap, signer: keysetTrustedSigner(org.keyset) };
  }

  it('round trips, and is format 2', async () => {
    const { context, wrap, recipient, group, org } = await fixture();
    expect(wrap.version).toBe(2);
    expect(
      await openKeyWrap(wrap, context, recipient.encryption.privateKey, (id) => (id === org.keyset.id ? keysetTrustedSigner(org.keyset) : undefined)),
    ).toEqual(group.symmetricKey);
  });

  it('is refused for another key version, wrapped keyset, subject, purpose, recipient, or as format 1', async () => {
    const { context, wrap, signer } = await fixture();
    const other = await createKeyset();
    const contexts: KeyWrapContext[] = [
      { ...context, keyVersion: 4 },
      { ...context, keyVersion: 2 },
      { ...context, wrappedKeysetId: crypto.randomUUID() },
      { ...context, subjectId: crypto.randomUUID() },
      { ...context, purpose: 'organization-key' },
      { ...context, recipient: keysetRecipient(other) },
      { ...context, recipient: { ...context.recipient, publicKey: other.encryption.publicKey } },
      // Read as a vault key (format 1): the format differs, so it is refused before the signature.
      { purpose: 'vault-key', subjectId: context.subjectId, recipient: context.recipient },
      // A versioned context missing what it must name.
      { ...context, wrappedKeysetId: undefined },
    ];
    for (const moved of contexts)
      expect(
        codeOf(() => verifyKeyWrap(wrap, moved, signer)),
        JSON.stringify({ ...moved, recipient: moved.recipient.keysetId }),
      ).toBe('untrusted_key');
  });

  it('is refused when any field of the wrap is changed', async () => {
    const { context, wrap, signer } = await fixture();
    const changed: KeyWrap[] = [
      { ...wrap, version: 1 },
      { ...wrap, version: 3 },
      { ...wrap, recipientKeysetId: crypto.randomUUID() },
      { ...wrap, ciphertext: flip(wrap.ciphertext, 40) },
      { ...wrap, signerKeysetId: crypto.randomUUID() },
      { ...wrap, signature: flip(wrap.signature) },
    ];
    for (const bad of changed)
      expect(
        codeOf(() => verifyKeyWrap(bad, context, signer)),
        JSON.stringify(bad),
      ).toBe('untrusted_key');
  });

  it('the HPKE aad binds the key version and the signer: a ciphertext made for version 2, re-signed as version 3, does not open', async () => {
    const { context, group, recipient, org } = await fixture();
    const forV2 = await sealKeyWrap(group.symmetricKey, { ...context, keyVersion: 2 }, keysetSigner(org.keyset));
    // The trusted signer itself signs a version-3 statement over the version-2 ciphertext.
    const relabelled = { ...forV2, signature: toBase64Url(sign(org.keyset.signing.secretKey, keyWrapStatement(forV2, context))) };
    const trust = () => keysetTrustedSigner(org.keyset);
    await expectLatchkeyError(() => openKeyWrap(relabelled, context, recipient.encryption.privateKey, trust), 'decryption_failed');
    // Same for a ciphertext sealed naming another signer, re-signed by the organization.
    const elsewhere = await createKeyset();
    const otherSigner = await sealKeyWrap(group.symmetricKey, context, keysetSigner(elsewhere));
    const resigned = { ...otherSigner, signerKeysetId: org.keyset.id };
    const statement = keyWrapStatement(resigned, context);
    await expectLatchkeyError(
      () =>
        openKeyWrap({ ...resigned, signature: toBase64Url(sign(org.keyset.signing.secretKey, statement)) }, context, recipient.encryption.privateKey, trust),
      'decryption_failed',
    );
  });

  it('refuses to make a versioned wrap without a key version or wrapped keyset', async () => {
    const { context, group, org } = await fixture();
    await expect(sealKeyWrap(group.symmetricKey, { ...context, keyVersion: undefined }, keysetSigner(org.keyset))).rejects.toThrow(TypeError);
    await expect(sealKeyWrap(group.symmetricKey, { ...context, keyVersion: 0 }, keysetSigner(org.keyset))).rejects.toThrow(TypeError);
    await expect(sealKeyWrap(group.symmetricKey, { ...context, keyVersion: 1.5 }, keysetSigner(org.keyset))).rejects.toThrow(TypeError);
    await expect(sealKeyWrap(group.symmetricKey, { ...context, wrappedKeysetId: undefined }, keysetSigner(org.keyset))).rejects.toThrow(TypeError);
  });
});

describe('groups', () => {
  it('a member opens the group keyset, and a vault key shared with the group', async () => {
    const { opened, orgPublic, organizationId, people } = await organizationWith(2);
    const groupId = crypto.randomUUID();
    const v1 = await createGroupKeyset(
      opened,
      groupId,
      1,
      people.map((p) => p.member),
    );
    expect(v1.wraps.map((w) => w.userId)).toEqual(people.map((p) => p.member.userId));
    for (const [i, p] of people.entries()) {
      const { keyset, keyVersion } = await openGroupKeyset(organizationId, orgPublic, groupId, v1.certificate, v1.sealed, v1.wraps[i]!.wrap, p.keyset);
      expect(keyVersion).toBe(1);
      expect(keyset.encryption.privateKey).toEqual(v1.keyset.encryption.privateKey);
    }
    // A sharer (the first member) wraps a vault key to the group; the second opens it through the group.
    const vaultId = crypto.randomUUID();
    const vaultKey = randomBytes(32);
    const groupRecipient = publicKeysetRecipient(keysetPublicPart(v1.keyset));
    const vaultWrap = await wrapVaultKey(vaultKey, vaultId, groupRecipient, keysetSigner(people[0]!.keyset));
    const groupOpened = await openGroupKeyset(organizationId, orgPublic, groupId, v1.certificate, v1.sealed, v1.wraps[1]!.wrap, people[1]!.keyset);
    const trustSharer = (id: string) =>
      id === people[0]!.member.keyset.id ? { keysetId: id, signingPublicKey: people[0]!.member.keyset.signingPublicKey } : undefined;
    expect(await unwrapVaultKey(vaultWrap, vaultId, groupRecipient, groupOpened.keyset.encryption.privateKey, trustSharer)).toEqual(vaultKey);
  });

  it('a wrap or certificate the server made, or a certificate of another version or group, is refused', async () => {
    const { opened, orgPublic, organizationId, people, creator } = await organizationWith(1);
    const groupId = crypto.randomUUID();
    const v1 = await createGroupKeyset(opened, groupId, 1, [people[0]!.member]);
    const me = people[0]!.keyset;
    const wrap = v1.wraps[0]!.wrap;
    // The server's own group keyset, certified by a key of its own under the organization keyset id.
    const fakeOrg = { organizationId, keyset: { ...(await createKeyset()), id: opened.keyset.id } };
    const fake = await createGroupKeyset(fakeOrg, groupId, 1, [people[0]!.member]);
    await expectLatchkeyError(
      () => openGroupKeyset(organizationId, orgPublic, groupId, fake.certificate, fake.sealed, fake.wraps[0]!.wrap, me),
      'untrusted_key',
    );
    // Real certificate, server's sealed keyset or wrap.
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, groupId, v1.certificate, fake.sealed, wrap, me), 'untrusted_key');
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, groupId, v1.certificate, v1.sealed, fake.wraps[0]!.wrap, me), 'untrusted_key');
    // Moved to another group, or its certificate relabelled.
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, crypto.randomUUID(), v1.certificate, v1.sealed, wrap, me), 'untrusted_key');
    const relabelled: GroupCertificate = { ...v1.certificate, keyVersion: 2 };
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, groupId, relabelled, v1.sealed, wrap, me), 'untrusted_key');
    // A member wrapping the group key themselves (no organization signature): refused.
    const selfMade = await sealKeyWrap(
      v1.keyset.symmetricKey,
      sharedKeysetWrapContext({ kind: 'group', id: groupId, keyVersion: 1 }, v1.keyset.id, keysetRecipient(creator)),
      keysetSigner(me),
    );
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, groupId, v1.certificate, v1.sealed, selfMade, creator), 'untrusted_key');
  });

  it('removal re-keys: the removed member cannot open the new version, its wraps, or vault keys wrapped to it', async () => {
    const { opened, orgPublic, organizationId, people } = await organizationWith(3);
    const groupId = crypto.randomUUID();
    const v1 = await createGroupKeyset(
      opened,
      groupId,
      1,
      people.map((p) => p.member),
    );
    const removed = people[2]!;
    const v2 = await rekeyGroup(
      opened,
      groupId,
      1,
      people.map((p) => p.member),
      [removed.member.userId],
    );
    expect(v2.keyVersion).toBe(2);
    expect(v2.keyset.id).not.toBe(v1.keyset.id);
    expect(v2.wraps.map((w) => w.userId)).toEqual([people[0]!.member.userId, people[1]!.member.userId]);
    // Remaining members open version 2.
    const stay = await openGroupKeyset(organizationId, orgPublic, groupId, v2.certificate, v2.sealed, v2.wraps[1]!.wrap, people[1]!.keyset);
    expect(stay.keyVersion).toBe(2);
    // The removed member's version-1 wrap does not pass as version 2.
    const oldWrap = v1.wraps[2]!.wrap;
    await expectLatchkeyError(() => openGroupKeyset(organizationId, orgPublic, groupId, v2.certificate, v2.sealed, oldWrap, removed.keyset), 'untrusted_key');
    // Another member's version-2 wrap does not open for the removed member.
    await expectLatchkeyError(
      () => openGroupKeyset(organizationId, orgPublic, groupId, v2.certificate, v2.sealed, v2.wraps[0]!.wrap, removed.keyset),
      'untrusted_key',
    );
    // The old private key (which the removed member kept) opens no vault key wrapped to version 2.
    const vaultId = crypto.randomUUID();
    const newRecipient = publicKeysetRecipient(keysetPublicPart(v2.keyset));
    const vaultWrap = await wrapVaultKey(randomBytes(32), vaultId, newRecipient, keysetSigner(people[0]!.keyset));
    const trust = () => ({ keysetId: people[0]!.keyset.id, signingPublicKey: people[0]!.keyset.signing.publicKey });
    await expectLatchkeyError(() => unwrapVaultKey(vaultWrap, vaultId, newRecipient, v1.keyset.encryption.privateKey, trust), 'decryption_failed');
    await expectLatchkeyError(() => rekeyGroup(opened, groupId, 2, [people[0]!.member], [removed.member.userId]), 'invalid_request');
  });

  it('currentGroupMembers keeps only members with an organization-signed wrap of the current version: a removed member the server lists again is refused', async () => {
    const { opened, orgPublic, organizationId, people, org } = await organizationWith(3);
    const groupId = crypto.randomUUID();
    const certificates = people.map((p) => issueMemberCertificate(organizationId, org.keyset, p.member));
    const v1 = await createGroupKeyset(
      opened,
      groupId,
      1,
      people.map((p) => p.member),
    );
    const v2 = await rekeyGroup(
      opened,
      groupId,
      1,
      people.map((p) => p.member),
      [people[2]!.member.userId],
    );
    const group = { groupId, keyVersion: 2, keysetId: v2.keyset.id };
    const honest = v2.wraps.map((w, i) => ({ certificate: certificates[i]!, wrap: w.wrap }));
    expect(currentGroupMembers(organizationId, orgPublic, group, honest).map((m) => m.userId)).toEqual([people[0]!.member.userId, people[1]!.member.userId]);
    // The server lists the removed member again, with their real certificate and old wrap.
    const replayed = [...honest, { certificate: certificates[2]!, wrap: v1.wraps[2]!.wrap }];
    expect(codeOf(() => currentGroupMembers(organizationId, orgPublic, group, replayed))).toBe('untrusted_key');
    // Or with another member's wrap.
    expect(codeOf(() => currentGroupMembers(organizationId, orgPublic, group, [...honest, { certificate: certificates[2]!, wrap: v2.wraps[0]!.wrap }]))).toBe(
      'untrusted_key',
    );
    // An admin adding them back signs a new wrap: then they count again.
    const added = await addGroupMember(opened, { groupId, keyVersion: 2, keyset: v2.keyset }, people[2]!.member);
    expect(currentGroupMembers(organizationId, orgPublic, group, [...honest, { certificate: certificates[2]!, wrap: added }])).toHaveLength(3);
  });
});
