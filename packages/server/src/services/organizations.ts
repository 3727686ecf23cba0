/**
 * Creating an organization and reading it. The creator's client makes the organization keyset
 * (`@latchkey/core/organization-keyset`), wraps it to itself, certifies itself and signs its own
 * acceptance; the server stores all of it with the creator as the first confirmed organizer or
 * owner (docs/protocol.md §22.2).
 */
import type { MemberCertificate } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import { LatchkeyError } from '@latchkey/core/errors';
import { verifyMemberAcceptance } from '@latchkey/core/member-acceptance';
import { fromBase64Url } from '@latchkey/core/bytes';
import type { ServerContext } from '../context.ts';
import * as memberships from '../repositories/memberships.ts';
import * as organizations from '../repositories/organizations.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import type { OrganizationKind, OrganizationRole } from '../storage/organization-schema.ts';
import { invalid, requireAcceptanceOfKeyset, requireCertificateOfAcceptance, requireWrap, userPublicKeyset } from './org-checks.ts';
import { authorize } from './org-permissions.ts';

export interface Actor {
  readonly userId: string;
}

export interface CreateOrganizationInput {
  readonly id: string;
  readonly kind: OrganizationKind;
  readonly name: string;
  readonly keyset: SealedKeyset;
  /** The organization keyset wrapped to the creator (format 2, signed by the organization keyset). */
  readonly creatorWrap: KeyWrap;
  readonly creatorCertificate: MemberCertificate;
  readonly creatorAcceptance: MemberAcceptance;
}

export const creatorRole = (kind: OrganizationKind): OrganizationRole => (kind === 'family' ? 'organizer' : 'owner');

/**
 * @throws LatchkeyError `invalid_request` for keys that do not fit together (see org-checks.ts);
 *   `already_exists` for a taken organization id.
 */
export async function createOrganization(ctx: ServerContext, actor: Actor, input: CreateOrganizationInput): Promise<{ id: string; role: OrganizationRole }> {
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw invalid('An organization needs a name of at most 200 characters.');
  const own = await userPublicKeyset(ctx.db, actor.userId);
  if (own === undefined) throw new LatchkeyError('unauthenticated', 'Sign in again.');
  requireAcceptanceOfKeyset(input.creatorAcceptance, actor.userId, own);
  let signingPublicKey: Uint8Array;
  try {
    signingPublicKey = fromBase64Url(input.keyset.signingPublicKey);
    verifyMemberAcceptance(input.creatorAcceptance, { organizationId: input.id, keyset: { id: input.keyset.id, signingPublicKey } });
  } catch {
    throw invalid('The acceptance must be signed by your keyset for this organization and its keyset.');
  }
  const keysetRow = { organizationId: input.id, keyVersion: 1, keyset: input.keyset };
  requireCertificateOfAcceptance(input.creatorCertificate, input.creatorAcceptance, input.id, keysetRow);
  requireWrap(input.creatorWrap, { version: 2, recipientKeysetId: own.id, signerKeysetId: input.keyset.id }, 'organization key wrap');
  const now = ctx.clock();
  const role = creatorRole(input.kind);
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await organizations.insertOrganization(tx, { id: input.id, kind: input.kind, name, createdBy: actor.userId, keyset: input.keyset, now });
      await memberships.insertMembership(tx, {
        id: crypto.randomUUID(),
        organizationId: input.id,
        userId: actor.userId,
        role,
        status: 'confirmed',
        acceptance: input.creatorAcceptance,
        certificate: input.creatorCertificate,
        invitationId: null,
        confirmedBy: actor.userId,
        now,
      });
      await organizations.insertOrganizationKeyWrap(tx, { organizationId: input.id, keyVersion: 1, userId: actor.userId, wrap: input.creatorWrap, now });
      await organizations.recordOrganizationEvent(tx, {
        organizationId: input.id,
        actorUserId: actor.userId,
        type: 'organization.created',
        detail: { kind: input.kind },
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError('already_exists', 'An organization or keyset with this id already exists.');
    throw error;
  }
  return { id: input.id, role };
}

/** The organizations the caller belongs to, with role and status. */
export async function listMyOrganizations(ctx: ServerContext, actor: Actor) {
  return memberships.listMembershipsOfUser(ctx.db, actor.userId);
}

/**
 * The organization as the caller may see it: its current keyset (public halves and sealed private
 * halves) and, for organizers, owners and admins, their own wrap of it.
 * @throws LatchkeyError `not_found` for non-members.
 */
export async function getOrganization(ctx: ServerContext, actor: Actor, organizationId: string) {
  const { organization, membership } = await authorize(ctx.db, actor.userId, organizationId, 'organization.view');
  const keyset = await organizations.findCurrentOrganizationKeyset(ctx.db, organizationId);
  if (keyset === undefined) throw new LatchkeyError('not_found', 'No such organization.');
  const wrap =
    membership.status === 'confirmed' ? await organizations.findOrganizationKeyWrapFor(ctx.db, organizationId, keyset.keyVersion, actor.userId) : undefined;
  return {
    id: organization.id,
    kind: organization.kind,
    name: organization.name,
    role: membership.role,
    status: membership.status,
    keyVersion: keyset.keyVersion,
    keyset: keyset.keyset,
    ...(wrap === undefined ? {} : { keyWrap: wrap }),
  };
}

/**
 * The organization's security log, naming actor and subject by their accounts' emails too
 * (only those who may read the log, who saw these people as members). @throws `not_found`, `forbidden` (members).
 */
export async function organizationLog(ctx: ServerContext, actor: Actor, organizationId: string) {
  await authorize(ctx.db, actor.userId, organizationId, 'log.view');
  return (await organizations.listOrganizationEvents(ctx.db, organizationId)).map((e) => ({
    id: String(e.id),
    type: e.type,
    actorUserId: e.actorUserId,
    subjectUserId: e.subjectUserId,
    actorEmail: e.actorEmail,
    subjectEmail: e.subjectEmail,
    createdAt: e.createdAt.toISOString(),
    detail: e.detail,
  }));
}
