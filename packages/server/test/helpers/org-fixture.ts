/**
 * Test helper for the organization services: a real ServerContext on the test database (SQLite or
 * PostgreSQL), users with real keysets, a mailer that keeps what it was asked to send, and the
 * client side of each ceremony done with the real core functions (what the SDK will do), so the
 * services are exercised with genuine keys, wraps and certificates.
 */
import path from 'node:path';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { randomBytes } from '@latchkey/core/bytes';
import { createGroupKeyset, type OpenedOrganization } from '@latchkey/core/group-keyset';
import { certifyAcceptedMember, createOrganizationKeyset, wrapOrganizationKeyset } from '@latchkey/core/organization-keyset';
import type { CertifiedMember } from '@latchkey/core/keyset-certificate';
import { createKeyset, encryptKeyset, keysetPublicPart, keysetRecipient, keysetSigner, type Keyset } from '@latchkey/core/keyset';
import { signMemberAcceptance } from '@latchkey/core/member-acceptance';
import { createVaultKey, encryptVaultAttributes, importVaultKey, wrapVaultKey } from '@latchkey/core/vault-key';
import { fromBase64Url } from '@latchkey/core/bytes';
import { loadConfig } from '../../src/config.ts';
import type { ServerContext } from '../../src/context.ts';
import type { Mailer, OutgoingEmail } from '../../src/mail/mailer.ts';
import { insertUserWithKeyset } from '../../src/repositories/users.ts';
import { insertVault } from '../../src/repositories/vaults.ts';
import { loadServerKeyring } from '../../src/security/server-keys.ts';
import { createNoticeSender } from '../../src/services/notice-sender.ts';
import { createOrganization } from '../../src/services/organizations.ts';
import { createInvitation, describeInvitation } from '../../src/services/invitations.ts';
import { acceptInvitation, confirmMember } from '../../src/services/memberships.ts';
import type { OrganizationKind, OrganizationRole } from '../../src/storage/organization-schema.ts';
import type { TestStorage } from '@latchkey/server/testing';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly keyset: Keyset;
  readonly member: CertifiedMember;
}

export interface OrgTestContext {
  readonly ctx: ServerContext;
  readonly mail: OutgoingEmail[];
  readonly logs: string[];
  /** Moves the service clock (expiry, rate-limit windows). */
  advance(ms: number): void;
}

export async function orgTestContext(t: TestStorage): Promise<OrgTestContext> {
  const mail: OutgoingEmail[] = [];
  const logs: string[] = [];
  let offset = 0;
  const mailer: Mailer = { send: async (m) => void mail.push(m), close: async () => {} };
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => void logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
  // Queued notices go to `mail` right after their commit (no poll: nothing runs between tests).
  const noticeSender = createNoticeSender({ pollIntervalMs: 3_600_000 });
  const ctx: ServerContext = {
    db: t.storage.db,
    mailer,
    config: loadConfig(['--data-dir', t.dataDir, '--public-url', 'https://latchkey.example'], {}),
    clock: () => new Date(Date.now() + offset),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    opaqueServerSetup: '',
    keyring: await loadServerKeyring(path.join(t.dataDir, 'keyring.json')),
    noticeSender,
  };
  noticeSender.start(ctx);
  return {
    ctx,
    mail,
    logs,
    advance: (ms) => {
      offset += ms;
    },
  };
}

export async function createTestUser(ctx: ServerContext, label = 'user'): Promise<TestUser> {
  const id = crypto.randomUUID();
  const email = `${label}-${nodeRandomBytes(4).toString('hex')}@example.com`;
  const keyset = await createKeyset();
  await insertUserWithKeyset(
    ctx.db,
    { id, email, name: label, accountId: 'ABCDEF', opaqueRecord: 'x'.repeat(256), secretKeyVerifier: 'v' },
    await encryptKeyset(keyset, randomBytes(32)),
  );
  return { id, email, keyset, member: { userId: id, keyset: keysetPublicPart(keyset) } };
}

export interface TestOrganization {
  readonly id: string;
  readonly kind: OrganizationKind;
  readonly opened: OpenedOrganization;
  readonly creator: TestUser;
}

/** The creator's client: makes the organization keyset, wraps and certifies itself, and creates it. */
export async function createTestOrganization(ctx: ServerContext, creator: TestUser, kind: OrganizationKind = 'family'): Promise<TestOrganization> {
  const id = crypto.randomUUID();
  const org = await createOrganizationKeyset(id, creator.keyset, creator.id);
  await createOrganization(
    ctx,
    { userId: creator.id },
    {
      id,
      kind,
      name: kind === 'family' ? 'The Testers' : 'Test Team',
      keyset: org.sealed,
      creatorWrap: org.creatorWrap,
      creatorCertificate: org.creatorCertificate,
      creatorAcceptance: signMemberAcceptance(creator.keyset, creator.id, { organizationId: id, keyset: keysetPublicPart(org.keyset) }),
    },
  );
  return { id, kind, opened: { organizationId: id, keyset: org.keyset }, creator };
}

/** The token in the last invitation email sent to `email`. */
export function invitationToken(mail: readonly OutgoingEmail[], email: string): string {
  const message = [...mail].reverse().find((m) => m.to === email);
  if (message === undefined) throw new Error(`no invitation email to ${email}`);
  const match = /#\/invitations\/([A-Za-z0-9_-]{43})\n/.exec(message.text);
  if (match === null) throw new Error('no token in the invitation email');
  return match[1]!;
}

/** The invitee's client: reads the invitation, signs the acceptance for the organization key it was shown. */
export async function acceptAs(ctx: ServerContext, user: TestUser, token: string) {
  const described = await describeInvitation(ctx, { userId: user.id }, token);
  const acceptance = signMemberAcceptance(user.keyset, user.id, {
    organizationId: described.organizationId,
    keyset: { id: described.organizationKeyset.id, signingPublicKey: fromBase64Url(described.organizationKeyset.signingPublicKey) },
  });
  await acceptInvitation(ctx, { userId: user.id }, token, acceptance);
  return acceptance;
}

export const KEY_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin'];

/** The organizer's client confirming an accepted member (after the fingerprint comparison). */
export async function confirmAs(
  ctx: ServerContext,
  org: TestOrganization,
  confirmer: TestUser,
  member: TestUser,
  role: OrganizationRole,
  acceptance: ReturnType<typeof signMemberAcceptance>,
) {
  const certificate = certifyAcceptedMember(org.id, org.opened.keyset, acceptance);
  const organizationKeyWrap = KEY_ROLES.includes(role) ? await wrapOrganizationKeyset(org.id, 1, org.opened.keyset, member.member) : undefined;
  await confirmMember(ctx, { userId: confirmer.id }, org.id, member.id, { certificate, ...(organizationKeyWrap === undefined ? {} : { organizationKeyWrap }) });
  return certificate;
}

/** Invite, accept and confirm `member` with `role`, as the organization's creator. */
export async function addConfirmedMember(t: OrgTestContext, org: TestOrganization, member: TestUser, role: OrganizationRole) {
  await createInvitation(t.ctx, { userId: org.creator.id }, org.id, { email: member.email, role });
  const acceptance = await acceptAs(t.ctx, member, invitationToken(t.mail, member.email));
  return confirmAs(t.ctx, org, org.creator, member, role, acceptance);
}

/** A vault (kind shared) owned by `owner`; returns its raw key too, for the client side of sharing. */
export async function createTestVault(ctx: ServerContext, owner: TestUser) {
  const id = crypto.randomUUID();
  const raw = createVaultKey();
  await insertVault(ctx.db, {
    id,
    kind: 'shared',
    createdBy: owner.id,
    encryptedAttrs: await encryptVaultAttributes(await importVaultKey(raw), id, { name: 'Shared' }),
    keyWrap: await wrapVaultKey(raw, id, keysetRecipient(owner.keyset), keysetSigner(owner.keyset)),
    now: ctx.clock(),
  });
  return { id, raw };
}

export { createGroupKeyset };
