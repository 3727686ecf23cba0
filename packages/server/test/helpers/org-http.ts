/**
 * Test helper for the families-and-teams routes: people with real keysets on a running test
 * server, and the client side of each ceremony done with the real core functions (what the SDK
 * does), as request bodies. Set-up that is not under test (inviting, accepting, confirming) goes
 * through the services on the server's own context; what is under test goes over HTTP.
 *
 *   const alice = await orgPerson(server, await signUpUser(server));
 *   const org = await createHttpOrganization(server, alice);            // POST /api/organizations
 *   const ben = await addMember(server, org, await orgPerson(server, await signUpUser(server)), 'member');
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { createGroupKeyset, rekeyGroup } from '@latchkey/core/group-keyset';
import type { UserId } from '@latchkey/core/ids';
import type { CertifiedMember, MemberCertificate } from '@latchkey/core/keyset-certificate';
import { createKeyset, encryptKeyset, keysetPublicPart, keysetRecipient, keysetSigner, publicKeysetRecipient, type Keyset } from '@latchkey/core/keyset';
import { signMemberAcceptance, type MemberAcceptance } from '@latchkey/core/member-acceptance';
import { certifyAcceptedMember, createOrganizationKeyset, wrapOrganizationKeyset } from '@latchkey/core/organization-keyset';
import { createVaultKey, encryptVaultAttributes, importVaultKey, wrapVaultKey } from '@latchkey/core/vault-key';
import { escrowVaultKey } from '@latchkey/core/recovery-escrow';
import { verifyMemberCertificate } from '@latchkey/core/keyset-certificate';
import { readOutbox, send, type TestServer, waitForEmail } from '@latchkey/server/testing';
import { insertSecurityKey } from '../../src/repositories/security-keys.ts';
import { activatePendingTotp, putPendingTotp } from '../../src/repositories/totp-factors.ts';
import { findRecoveryGroup, findGroupKeyset } from '../../src/repositories/groups.ts';
import { listMemberships } from '../../src/repositories/memberships.ts';
import { createRecoveryGroup } from '../../src/services/recovery-group.ts';
import { insertVault } from '../../src/repositories/vaults.ts';
import { issueBackupCodes } from '../../src/services/backup-codes.ts';
import { createGroup } from '../../src/services/groups.ts';
import { createInvitation, describeInvitation, revokeInvitation } from '../../src/services/invitations.ts';
import { acceptInvitation, confirmMember, suspendMember } from '../../src/services/memberships.ts';
import { shareVault } from '../../src/services/shared-vaults.ts';
import type { OrganizationKind, OrganizationRole } from '../../src/storage/organization-schema.ts';
import type { VaultShareRole } from '../../src/storage/organization-schema.ts';
import { openAccountKeyset } from './account-keys.ts';
import { createTestUser } from './org-fixture.ts';

/** A signed-up person as their own client knows them: session token and opened keyset. */
export interface OrgPerson {
  readonly id: UserId;
  readonly email: string;
  readonly token: string;
  readonly keyset: Keyset;
  readonly member: CertifiedMember;
}

/** What `signUpUser` or `signUpWithItem` gives, as far as this helper needs it. */
export interface SignedUp {
  readonly userId?: UserId;
  readonly email: string;
  readonly password: string;
  readonly secretKey: string;
  readonly store: { read(): Promise<{ session?: { token: string; userId?: string } | undefined }> };
}

/** A person inserted straight into the database (no session): for members who never call a route themselves. */
export async function quietPerson(server: TestServer, label = 'member'): Promise<OrgPerson> {
  const user = await createTestUser(server.running.context, label);
  return { id: user.id as UserId, email: user.email, token: '', keyset: user.keyset, member: user.member };
}

/** Opens the person's keyset with a sign-in of its own (before two-step verification is on). */
export async function orgPerson(server: TestServer, user: SignedUp, id?: UserId): Promise<OrgPerson> {
  const keyset = await openAccountKeyset(server.url, user.email, user.password, user.secretKey);
  const token = (await user.store.read()).session!.token;
  const userId = (id ?? user.userId)!;
  return { id: userId, email: user.email, token, keyset, member: { userId, keyset: keysetPublicPart(keyset) } };
}

export interface HttpOrganization {
  readonly id: string;
  readonly kind: OrganizationKind;
  readonly keyset: Keyset;
  readonly creator: OrgPerson;
}

/** The creator's client: the body of `POST /api/organizations`, and the opened organization keyset. */
export async function organizationBody(creator: OrgPerson, kind: OrganizationKind = 'family', name = 'The Testers') {
  const id = crypto.randomUUID();
  const org = await createOrganizationKeyset(id, creator.keyset, creator.id);
  const body = {
    id,
    kind,
    name,
    keyset: org.sealed,
    creatorWrap: org.creatorWrap,
    creatorCertificate: org.creatorCertificate,
    creatorAcceptance: signMemberAcceptance(creator.keyset, creator.id, { organizationId: id, keyset: keysetPublicPart(org.keyset) }),
  };
  return { body, organization: { id, kind, keyset: org.keyset, creator } satisfies HttpOrganization };
}

export async function createHttpOrganization(server: TestServer, creator: OrgPerson, kind: OrganizationKind = 'family'): Promise<HttpOrganization> {
  const { body, organization } = await organizationBody(creator, kind);
  const res = await send(server, { method: 'POST', path: '/api/organizations', token: creator.token, body });
  if (res.status !== 201) throw new Error(`create organization: ${res.status} ${res.text}`);
  return organization;
}

const ctxOf = (server: TestServer) => server.running.context;

const codeIn = (text: string): string | undefined => /#\/invitations\/([A-Za-z0-9_-]{43})\n/.exec(text)?.[1];

/** The invitation code in the newest invitation email to `email` written since `after` (other than `not`, a code it replaced). */
export async function invitationCode(server: TestServer, email: string, after: number, not?: string): Promise<string> {
  await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'invited you', after });
  for (let attempt = 0; attempt < 100; attempt++) {
    const codes = (await readOutbox(server.dataDir))
      .filter((m) => m.to === email.toLowerCase() && m.subject.includes('invited you') && m.sentAt >= after)
      .map((m) => codeIn(m.text))
      .filter((c): c is string => c !== undefined && c !== not);
    if (codes.length > 0) return codes.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no new invitation code for ${email}`);
}

/** An invitation of `email` by `inviter` (through the service); its id and the emailed code. */
export async function invite(server: TestServer, org: HttpOrganization, email: string, role: OrganizationRole, inviter: OrgPerson = org.creator) {
  const after = Date.now() - 1000;
  const summary = await createInvitation(ctxOf(server), { userId: inviter.id }, org.id, { email, role });
  return { id: summary.id, code: await invitationCode(server, email, after) };
}

/** The invitee's client: the acceptance it signs for the organization key it was shown. */
export async function acceptanceFor(server: TestServer, person: OrgPerson, code: string): Promise<MemberAcceptance> {
  const described = await describeInvitation(ctxOf(server), { userId: person.id }, code);
  return signMemberAcceptance(person.keyset, person.id, {
    organizationId: described.organizationId,
    keyset: { id: described.organizationKeyset.id, signingPublicKey: fromBase64Url(described.organizationKeyset.signingPublicKey) },
  });
}

/** Invites and accepts (through the services): the membership waits for confirmation. */
export async function acceptedMember(server: TestServer, org: HttpOrganization, person: OrgPerson, role: OrganizationRole): Promise<MemberAcceptance> {
  const { code } = await invite(server, org, person.email, role);
  const acceptance = await acceptanceFor(server, person, code);
  await acceptInvitation(ctxOf(server), { userId: person.id }, code, acceptance);
  return acceptance;
}

export const KEY_HOLDING: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin'];

/** The confirmer's client, after the fingerprints matched: the body of the confirm route. */
export async function confirmBody(org: HttpOrganization, person: OrgPerson, role: OrganizationRole, acceptance: MemberAcceptance) {
  const certificate = certifyAcceptedMember(org.id, org.keyset, acceptance);
  const organizationKeyWrap = KEY_HOLDING.includes(role) ? await wrapOrganizationKeyset(org.id, 1, org.keyset, person.member) : undefined;
  return { certificate, ...(organizationKeyWrap === undefined ? {} : { organizationKeyWrap }) };
}

/** The creator confirms an accepted member (through the service). */
export async function confirmAccepted(server: TestServer, org: HttpOrganization, person: OrgPerson, role: OrganizationRole, acceptance: MemberAcceptance) {
  const body = await confirmBody(org, person, role, acceptance);
  await confirmMember(ctxOf(server), { userId: org.creator.id }, org.id, person.id, body);
  return body.certificate;
}

/** Invites, accepts and confirms (through the services). */
export async function addMember(server: TestServer, org: HttpOrganization, person: OrgPerson, role: OrganizationRole): Promise<MemberCertificate> {
  return confirmAccepted(server, org, person, role, await acceptedMember(server, org, person, role));
}

export async function revoke(server: TestServer, org: HttpOrganization, invitationId: string): Promise<void> {
  await revokeInvitation(ctxOf(server), { userId: org.creator.id }, org.id, invitationId);
}

export async function suspend(server: TestServer, org: HttpOrganization, person: OrgPerson): Promise<void> {
  await suspendMember(ctxOf(server), { userId: org.creator.id }, org.id, person.id);
}

/** The body of `POST …/groups`: version 1, certified and wrapped to each (confirmed) member. */
export async function groupBody(org: HttpOrganization, members: readonly OrgPerson[], name = 'Parents') {
  const id = crypto.randomUUID();
  const version = await createGroupKeyset(
    { organizationId: org.id, keyset: org.keyset },
    id,
    1,
    members.map((m) => m.member),
  );
  return { body: { id, name, keyset: version.sealed, certificate: version.certificate, members: version.wraps }, version };
}

/** A group created through the service, with its version 1. */
export async function createTestGroup(server: TestServer, org: HttpOrganization, members: readonly OrgPerson[]) {
  const { body, version } = await groupBody(org, members);
  await createGroup(ctxOf(server), { userId: org.creator.id }, org.id, body);
  return { id: body.id, version };
}

/** The body of `POST …/groups/:groupId/rekey` taking `removed` out (no vault shared with the group). */
export async function rekeyBody(org: HttpOrganization, group: { id: string }, members: readonly OrgPerson[], removed: readonly OrgPerson[]) {
  const next = await rekeyGroup(
    { organizationId: org.id, keyset: org.keyset },
    group.id,
    1,
    members.map((m) => m.member),
    removed.map((m) => m.id),
  );
  return {
    fromKeyVersion: 1,
    keyset: next.sealed,
    certificate: next.certificate,
    removeUserIds: removed.map((m) => m.id),
    members: next.wraps,
    vaultShares: [],
  };
}

/** A (non-Personal) vault of `owner`'s, inserted directly; its raw key too, for the sharer's side. */
export async function sharedVaultOf(server: TestServer, owner: OrgPerson) {
  const id = crypto.randomUUID();
  const raw = createVaultKey();
  await insertVault(ctxOf(server).db, {
    id,
    kind: 'shared',
    createdBy: owner.id,
    encryptedAttrs: await encryptVaultAttributes(await importVaultKey(raw), id, { name: 'Shared' }),
    keyWrap: await wrapVaultKey(raw, id, keysetRecipient(owner.keyset), keysetSigner(owner.keyset)),
    now: new Date(),
  });
  return { id, raw };
}

/** The sharer's client: the body of `POST /api/vaults/:vaultId/shares` to a member. */
export async function shareBody(org: HttpOrganization, vault: { id: string; raw: Uint8Array }, sharer: OrgPerson, to: OrgPerson, role: VaultShareRole) {
  return {
    id: crypto.randomUUID(),
    organizationId: org.id,
    recipient: { userId: to.id },
    role,
    wrap: await wrapVaultKey(vault.raw, vault.id, publicKeysetRecipient(to.member.keyset), keysetSigner(sharer.keyset)),
  };
}

/** The same, to a group's current keyset. */
export async function groupShareBody(
  org: HttpOrganization,
  vault: { id: string; raw: Uint8Array },
  sharer: OrgPerson,
  group: { id: string; version: { keyset: Keyset } },
  role: VaultShareRole,
) {
  return {
    id: crypto.randomUUID(),
    organizationId: org.id,
    recipient: { groupId: group.id },
    role,
    wrap: await wrapVaultKey(vault.raw, vault.id, keysetRecipient(group.version.keyset), keysetSigner(sharer.keyset)),
  };
}

/** Shares through the service; returns the share id. */
export async function share(
  server: TestServer,
  org: HttpOrganization,
  vault: { id: string; raw: Uint8Array },
  sharer: OrgPerson,
  to: OrgPerson,
  role: VaultShareRole,
) {
  const body = await shareBody(org, vault, sharer, to, role);
  await shareVault(ctxOf(server), { userId: sharer.id }, org.id, { shareId: body.id, vaultId: vault.id, recipient: body.recipient, role, wrap: body.wrap });
  return body.id;
}

/** The promoter's client: the organization keyset wrapped to a member who gains it (role change, transfer). */
export async function organizationKeyWrapFor(org: HttpOrganization, person: OrgPerson) {
  return wrapOrganizationKeyset(org.id, 1, org.keyset, person.member);
}

/**
 * Gives a person two-step verification straight in the database: an authenticator app (active,
 * and a pending setup), a security key and backup codes, as a reset must remove all of them.
 */
export async function withTwoStep(server: TestServer, person: { id: string }): Promise<void> {
  const db = ctxOf(server).db;
  const now = new Date();
  await putPendingTotp(db, person.id, 'sealed-active-secret', null, now);
  await activatePendingTotp(db, person.id, 'sealed-active-secret', 1, now);
  await putPendingTotp(db, person.id, 'sealed-pending-secret', null, now);
  await insertSecurityKey(db, { id: `key-${crypto.randomUUID()}`, userId: person.id, name: 'YubiKey', publicKey: 'AAAA', counter: 0, transports: '[]', now });
  await issueBackupCodes(db, person.id, now);
}

const RECOVERY_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'recovery_admin'];

/** The confirmed holders of a Recovery Group role as the organization certified them (read from the server's rows). */
export async function recoveryHolders(server: TestServer, org: HttpOrganization): Promise<CertifiedMember[]> {
  const rows = await listMemberships(ctxOf(server).db, org.id);
  const signer = { keysetId: org.keyset.id, signingPublicKey: org.keyset.signing.publicKey };
  return rows
    .filter((m) => m.status === 'confirmed' && m.certificate !== null && RECOVERY_ROLES.includes(m.role))
    .map((m) => verifyMemberCertificate(m.certificate!, org.id, signer));
}

/** The body of `POST …/recovery-group`: version 1 certified and wrapped to `holders` (by default, every confirmed holder). */
export async function recoveryGroupBody(server: TestServer, org: HttpOrganization, holders?: readonly CertifiedMember[]) {
  const id = crypto.randomUUID();
  const version = await createGroupKeyset({ organizationId: org.id, keyset: org.keyset }, id, 1, holders ?? (await recoveryHolders(server, org)));
  return { body: { id, keyset: version.sealed, certificate: version.certificate, members: version.wraps }, version };
}

/** The organization's Recovery Group, created through the service (as the creator) unless it exists; its current version's public keyset. */
export async function ensureRecoveryGroup(server: TestServer, org: HttpOrganization) {
  const db = ctxOf(server).db;
  if ((await findRecoveryGroup(db, org.id)) === undefined) {
    const { body } = await recoveryGroupBody(server, org);
    await createRecoveryGroup(ctxOf(server), { userId: org.creator.id }, org.id, body);
  }
  const group = (await findRecoveryGroup(db, org.id))!;
  const keyset = (await findGroupKeyset(db, group.id, group.keyVersion))!;
  return { id: group.id, keyVersion: group.keyVersion, keysetId: keyset.keyset.id, publicKey: fromBase64Url(keyset.keyset.publicKey) };
}

/** The owner's client: the body of `PUT /api/vaults/:vaultId/recovery-escrows/:organizationId`. */
export async function escrowBody(
  vault: { id: string; raw: Uint8Array },
  owner: OrgPerson,
  recoveryGroup: { keyVersion: number; keysetId: string; publicKey: Uint8Array },
) {
  return { keyVersion: recoveryGroup.keyVersion, wrap: await escrowVaultKey(vault.raw, vault.id, recoveryGroup, keysetSigner(owner.keyset)) };
}

/** A member's new keyset (its symmetric key under a random unlock key) and the acceptance it signs, as the member's step makes them. */
export async function newRecoveryKeys(org: HttpOrganization, memberId: string) {
  const keyset = await createKeyset();
  const encrypted = await encryptKeyset(keyset, crypto.getRandomValues(new Uint8Array(32)));
  const acceptance = signMemberAcceptance(keyset, memberId, {
    organizationId: org.id,
    keyset: { id: org.keyset.id, signingPublicKey: org.keyset.signing.publicKey },
  });
  return { encrypted, acceptance };
}

/**
 * An organizer recovery of a fresh member of `org`, past its member's step and waiting period,
 * made in the database (the member's step is tested through the SDK): a new keyset with its
 * acceptance as the pending credentials. With `releasedTo`, the escrows count as released to that
 * approver, and `completeBody` is a valid completion (the member has no escrows: no wraps).
 */
export async function waitingRecovery(server: TestServer, org: HttpOrganization, releasedTo?: string) {
  await ensureRecoveryGroup(server, org);
  const member = await quietPerson(server);
  await addMember(server, org, member, 'member');
  const { encrypted, acceptance } = await newRecoveryKeys(org, member.id);
  const id = crypto.randomUUID();
  const past = new Date(Date.now() - 60_000);
  await ctxOf(server)
    .db.insertInto('organizer_recoveries')
    .values({
      id,
      organization_id: org.id,
      member_user_id: member.id,
      started_by: org.creator.id,
      status: 'waiting',
      token_hash: crypto.randomUUID(),
      approvals_required: 1,
      waiting_period_seconds: 0,
      waiting_until: past,
      token_used_at: past,
      pending_opaque_record: 'A'.repeat(256),
      pending_secret_key_verifier: '0'.repeat(64),
      pending_keyset: JSON.stringify(encrypted),
      pending_acceptance: JSON.stringify(acceptance),
      released_to: releasedTo ?? null,
      released_at: releasedTo === undefined ? null : past,
    })
    .execute();
  return { id, member, completeBody: { wraps: [], certificate: certifyAcceptedMember(org.id, org.keyset, acceptance) } };
}
