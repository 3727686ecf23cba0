/**
 * Families and teams on the client (docs/protocol.md §22): creating an organization (its keyset
 * made, wrapped and certified here), listing members with the fingerprint this client computes,
 * confirming a member only with the fingerprint the person compared, removing and suspending.
 *
 * Protects against: a server that substitutes a member's keys at confirmation (the fingerprint is
 * computed here from the signed acceptance, and a mismatch stops before anything is signed), or
 * hands an organizer an organization keyset of its own (it must be the pinned one).
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import { parseUserId } from '@latchkey/core/ids';
import { keysetPublicPart, type Keyset } from '@latchkey/core/keyset';
import { memberFingerprint, sameMemberFingerprint } from '@latchkey/core/member-fingerprint';
import { signMemberAcceptance, verifyMemberAcceptance } from '@latchkey/core/member-acceptance';
import { certifyAcceptedMember, createOrganizationKeyset, openOrganizationKeyset, wrapOrganizationKeyset } from '@latchkey/core/organization-keyset';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { Member, OrganizationEvent, OrganizationKind, OrganizationRole, MembershipStatus } from '@latchkey/core/wire/organizations';
import type { ClientContext } from './context.ts';
import { certifiedMember, fetchMembers, pinnedOrganization, rememberAcceptance, type PinnedOrganization } from './organization-trust.ts';
import { rekeyGroupAfterLeaving } from './groups.ts';
import { createFirstRecoveryGroup, RECOVERY_ROLES, recoveryGroupWrapsFor } from './recovery-group.ts';
import { wipeKeyset } from './shared-vault-keys.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

export type { OrganizationKind, OrganizationRole, MembershipStatus };

/** The roles whose holders get the organization keyset wrapped to them (§22.1). */
export const KEY_HOLDING_ROLES: readonly OrganizationRole[] = ['organizer', 'owner', 'admin', 'recovery_admin'];

export interface OrganizationSummary {
  readonly id: string;
  readonly kind: OrganizationKind;
  readonly name: string;
  readonly role: OrganizationRole;
  /** `accepted`: waiting for an organizer or admin to confirm; `confirmed`; `suspended`. */
  readonly status: MembershipStatus;
}

export interface OrganizationMember {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: OrganizationRole;
  readonly status: MembershipStatus;
  /**
   * The 24-digit member fingerprint ("0412 9981 …", six groups), computed on this device from the
   * member's signed acceptance; `null` when that acceptance is not valid for the organization key
   * this device trusts (never confirm such a member).
   */
  readonly fingerprint: string | null;
  /** True when the organization certified exactly the keyset this member accepted with. */
  readonly certified: boolean;
  /** This row is the signed-in person. */
  readonly isYou: boolean;
}

/** What removing or suspending someone did, and what the caller should still do. */
export interface MembershipEndedResult {
  /** Groups this client re-keyed so the person's old group key opens nothing new. */
  readonly rekeyedGroups: readonly string[];
  /** Groups that still need a re-key by a member of the group who holds the organization key. */
  readonly groupsToRekey: readonly string[];
  /** Always true: what they could read they may have kept; rotate those secrets. */
  readonly rotateSecrets: true;
}

const userIdOf = (ctx: ClientContext): string => requireUnlocked(ctx).account.id;

/**
 * Creates a family (`organizer`) or team (`owner`) with the caller as its first confirmed member.
 * The organization keyset is made here; the caller's acceptance is remembered before the server
 * hears of the organization, so no answer of the server's can introduce another organization key.
 */
export async function createOrganization(ctx: ClientContext, params: { name: string; kind: OrganizationKind }): Promise<OrganizationSummary> {
  const keys = requireUnlocked(ctx);
  const name = params.name.trim();
  if (name === '') throw new LatchkeyError('invalid_request', 'An organization needs a name.');
  await requireSession(ctx);
  const id = crypto.randomUUID();
  const org = await createOrganizationKeyset(id, keys.keyset, keys.account.id);
  try {
    const creatorAcceptance = signMemberAcceptance(keys.keyset, keys.account.id, { organizationId: id, keyset: keysetPublicPart(org.keyset) });
    await rememberAcceptance(ctx, creatorAcceptance);
    const created = await ctx.api.call(endpoints.createOrganization, {
      id,
      kind: params.kind,
      name,
      keyset: org.sealed,
      creatorWrap: org.creatorWrap,
      creatorCertificate: org.creatorCertificate,
      creatorAcceptance,
    });
    // The Recovery Group comes with the organization; should this step fail, the next vault listing makes it.
    await createFirstRecoveryGroup(ctx, id, org.keyset);
    return { id, kind: params.kind, name, role: created.role, status: 'confirmed' };
  } finally {
    wipeKeyset(org.keyset);
  }
}

export async function listOrganizations(ctx: ClientContext): Promise<OrganizationSummary[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listOrganizations)).organizations;
}

/** Finds an organization of the caller by id or exact name (case-insensitive). */
export async function findOrganization(ctx: ClientContext, nameOrId: string): Promise<OrganizationSummary> {
  const all = await listOrganizations(ctx);
  const byId = all.find((o) => o.id === nameOrId);
  if (byId !== undefined) return byId;
  const matches = all.filter((o) => o.name.toLowerCase() === nameOrId.toLowerCase());
  if (matches.length === 0) throw new LatchkeyError('not_found', `No organization named "${nameOrId}".`);
  if (matches.length > 1) throw new LatchkeyError('invalid_request', `Several organizations are named "${nameOrId}"; use the id.`);
  return matches[0]!;
}

/**
 * The caller's own fingerprint in an organization (their side of the comparison), from the
 * acceptance this keyset signed.
 * @throws LatchkeyError `untrusted_key` when this device has no such acceptance and the server
 *   shows none signed by this keyset.
 */
export async function myFingerprint(ctx: ClientContext, organizationId: string): Promise<string> {
  return memberFingerprint((await pinnedOrganization(ctx, organizationId)).acceptance);
}

function describeMember(ctx: ClientContext, pinned: PinnedOrganization, m: Member): OrganizationMember {
  let fingerprint: string | null = null;
  try {
    verifyMemberAcceptance(m.acceptance, {
      organizationId: pinned.organizationId,
      keyset: { id: pinned.signer.keysetId, signingPublicKey: pinned.signer.signingPublicKey },
    });
    if (m.acceptance.userId === m.userId) fingerprint = memberFingerprint(m.acceptance);
  } catch {
    fingerprint = null;
  }
  const certified = certifiedMember(pinned, m.userId, m.certificate);
  return {
    userId: m.userId,
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    fingerprint,
    certified: certified !== undefined && certified.keyset.id === m.acceptance.keysetId,
    isYou: m.userId === userIdOf(ctx),
  };
}

/** The members, each with the fingerprint computed here. */
export async function listMembers(ctx: ClientContext, organizationId: string): Promise<OrganizationMember[]> {
  requireUnlocked(ctx);
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  return members.map((m) => describeMember(ctx, pinned, m));
}

/** Finds a member by email (case-insensitive) or user id. */
export async function findMember(ctx: ClientContext, organizationId: string, emailOrId: string): Promise<OrganizationMember> {
  const wanted = emailOrId.trim().toLowerCase();
  const member = (await listMembers(ctx, organizationId)).find((m) => m.userId === wanted || m.email.toLowerCase() === wanted);
  if (member === undefined) throw new LatchkeyError('not_found', `No member "${emailOrId}" in this organization.`);
  return member;
}

/**
 * The organization keyset, opened for an organizer, owner or admin: the server's sealed keyset
 * must be the pinned one and its wrap signed by it.
 * @throws LatchkeyError `forbidden` for members (they hold no organization key); `untrusted_key`.
 */
export async function openOrganization(
  ctx: ClientContext,
  organizationId: string,
  pinned?: PinnedOrganization,
): Promise<{ keyVersion: number; keyset: Keyset; pinned: PinnedOrganization }> {
  const me = requireUnlocked(ctx).keyset;
  await requireSession(ctx);
  const trusted = pinned ?? (await pinnedOrganization(ctx, organizationId));
  const org = await ctx.api.call(endpoints.getOrganization, { params: { organizationId } });
  if (org.keyWrap === undefined) throw new LatchkeyError('forbidden', 'Only confirmed organizers, owners and admins hold the organization key.');
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64Url(org.keyset.publicKey);
  } catch {
    throw new LatchkeyError('untrusted_key', 'The organization keyset the server returned is malformed.');
  }
  // The X25519 half comes from the sealed keyset: opening it with a key the pinned signer wrapped authenticates it.
  const keyset = await openOrganizationKeyset(
    organizationId,
    org.keyVersion,
    org.keyset,
    org.keyWrap,
    { id: trusted.signer.keysetId, signingPublicKey: trusted.signer.signingPublicKey, publicKey },
    me,
  );
  return { keyVersion: org.keyVersion, keyset, pinned: trusted };
}

/**
 * Confirms an accepted member after the two people compared the fingerprint: `fingerprint` is
 * what the member read out (or typed); it must equal the fingerprint this client computes from
 * the acceptance the server holds, or nothing is signed.
 * @throws LatchkeyError `fingerprint_mismatch`; `untrusted_key` (an acceptance not valid for the
 *   pinned organization key); `not_found`; `conflict` (not waiting for confirmation); `forbidden`.
 */
export async function confirmMember(ctx: ClientContext, organizationId: string, userId: string, fingerprint: string): Promise<OrganizationMember> {
  requireUnlocked(ctx);
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const target = members.find((m) => m.userId === userId);
  if (target === undefined) throw new LatchkeyError('not_found', 'No such member.');
  if (target.status !== 'accepted')
    throw new LatchkeyError('conflict', target.status === 'confirmed' ? 'This member is already confirmed.' : 'This membership is suspended.');
  const described = describeMember(ctx, pinned, target);
  if (described.fingerprint === null || target.acceptance.userId !== userId)
    throw new LatchkeyError('untrusted_key', 'This acceptance is not valid for the organization key you trust: do not confirm, and tell the person.');
  if (!sameMemberFingerprint(fingerprint, described.fingerprint)) {
    throw new LatchkeyError(
      'fingerprint_mismatch',
      'The fingerprint you compared is not the one of the keys the server holds for this person. Nothing was confirmed.',
      {
        details: { expected: described.fingerprint },
      },
    );
  }
  const org = await openOrganization(ctx, organizationId, pinned);
  try {
    const certificate = certifyAcceptedMember(organizationId, org.keyset, target.acceptance);
    const confirmed = {
      userId,
      keyset: {
        id: target.acceptance.keysetId,
        publicKey: fromBase64Url(target.acceptance.publicKey),
        signingPublicKey: fromBase64Url(target.acceptance.signingPublicKey),
      },
    };
    const organizationKeyWrap = KEY_HOLDING_ROLES.includes(target.role)
      ? await wrapOrganizationKeyset(organizationId, org.keyVersion, org.keyset, confirmed)
      : undefined;
    // A Recovery Group role gets every kept version of the group (§22.8).
    const recoveryGroupWraps = RECOVERY_ROLES.includes(target.role) ? await recoveryGroupWrapsFor(ctx, pinned, org.keyset, confirmed) : undefined;
    await ctx.api.call(endpoints.confirmMember, {
      params: { organizationId, userId: parseUserId(userId) },
      body: {
        certificate,
        ...(organizationKeyWrap === undefined ? {} : { organizationKeyWrap }),
        ...(recoveryGroupWraps === undefined ? {} : { recoveryGroupWraps }),
      },
    });
  } finally {
    wipeKeyset(org.keyset);
  }
  return { ...described, status: 'confirmed', certified: true };
}

/** Re-keys what the server says the person left; a group this client cannot re-key is reported, not hidden. */
async function afterMembershipEnded(ctx: ClientContext, organizationId: string, userId: string, groupIds: readonly string[]): Promise<MembershipEndedResult> {
  const rekeyed: string[] = [];
  const pending: string[] = [];
  for (const groupId of groupIds) {
    try {
      await rekeyGroupAfterLeaving(ctx, organizationId, groupId, [userId]);
      rekeyed.push(groupId);
    } catch (error) {
      if (!(error instanceof LatchkeyError) || (error.code !== 'forbidden' && error.code !== 'conflict')) throw error;
      pending.push(groupId);
    }
  }
  return { rekeyedGroups: rekeyed, groupsToRekey: pending, rotateSecrets: true };
}

/**
 * Removes a member (or, with the caller's own id, leaves): the server deletes every key and access
 * of theirs at once; this client then re-keys the groups they were in.
 * @throws LatchkeyError `not_found`, `forbidden`, `conflict` (the last organizer or owner).
 */
export async function removeMember(ctx: ClientContext, organizationId: string, userId: string): Promise<MembershipEndedResult> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const ended = await ctx.api.call(endpoints.removeMember, { params: { organizationId, userId: parseUserId(userId) } });
  if (userId === userIdOf(ctx)) return { rekeyedGroups: [], groupsToRekey: ended.groupsToRekey, rotateSecrets: true };
  return afterMembershipEnded(ctx, organizationId, userId, ended.groupsToRekey);
}

/** Suspends a member: every access goes as on removal, the membership stays; reinstating needs a new confirmation. */
export async function suspendMember(ctx: ClientContext, organizationId: string, userId: string): Promise<MembershipEndedResult> {
  requireUnlocked(ctx);
  await requireSession(ctx);
  const ended = await ctx.api.call(endpoints.suspendMember, { params: { organizationId, userId: parseUserId(userId) }, body: {} });
  return afterMembershipEnded(ctx, organizationId, userId, ended.groupsToRekey);
}

export async function reinstateMember(ctx: ClientContext, organizationId: string, userId: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.reinstateMember, { params: { organizationId, userId: parseUserId(userId) }, body: {} });
}

/** The organization's security log (organizers, owners, admins). */
export async function organizationLog(ctx: ClientContext, organizationId: string): Promise<OrganizationEvent[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.organizationLog, { params: { organizationId } })).events;
}

/**
 * The organization keyset wrapped to a member who is about to gain it, made only for the keyset
 * their certificate names (verified under the pinned organization key): a keyset the server
 * merely lists never receives the organization key.
 * @throws LatchkeyError `untrusted_key` when the certificate does not verify for this member.
 */
async function organizationKeyWrapForMember(ctx: ClientContext, organizationId: string, pinned: PinnedOrganization, target: Member) {
  const certified = certifiedMember(pinned, target.userId, target.certificate);
  if (certified === undefined || certified.keyset.id !== target.acceptance.keysetId)
    throw new LatchkeyError('untrusted_key', "This member's certificate does not verify under the organization key you trust: nothing was sent.");
  const org = await openOrganization(ctx, organizationId, pinned);
  try {
    return await wrapOrganizationKeyset(organizationId, org.keyVersion, org.keyset, certified);
  } finally {
    wipeKeyset(org.keyset);
  }
}

/** The confirmed member `userId` and the pinned organization key, read fresh (their current role is the compare-and-set's `from`). */
async function confirmedMemberOf(ctx: ClientContext, organizationId: string, userId: string) {
  requireUnlocked(ctx);
  const members = await fetchMembers(ctx, organizationId);
  const pinned = await pinnedOrganization(ctx, organizationId, members);
  const target = members.find((m) => m.userId === userId);
  if (target === undefined) throw new LatchkeyError('not_found', 'No such member.');
  if (target.status !== 'confirmed') throw new LatchkeyError('conflict', 'Only a confirmed member can change role; confirm them first.');
  return { pinned, target };
}

/**
 * Changes a confirmed member's role (organizers and owners; docs/protocol.md §22.10). A member who
 * gains the organization key gets it wrapped here to their certified keyset; one who loses it
 * has their wrap deleted by the server. The change is made against the role this client read,
 * so a change made meanwhile by someone else is `conflict` rather than overwritten.
 * @throws LatchkeyError `untrusted_key` (an uncertified member would gain the key: nothing sent);
 *   `forbidden`, `conflict` (changed meanwhile; the last organizer or owner), `invalid_request`.
 */
export async function changeMemberRole(
  ctx: ClientContext,
  organizationId: string,
  userId: string,
  role: OrganizationRole,
): Promise<{ role: OrganizationRole; previousRole: OrganizationRole }> {
  const { pinned, target } = await confirmedMemberOf(ctx, organizationId, userId);
  const gains = !KEY_HOLDING_ROLES.includes(target.role) && KEY_HOLDING_ROLES.includes(role);
  const organizationKeyWrap = gains ? await organizationKeyWrapForMember(ctx, organizationId, pinned, target) : undefined;
  const gainsRecovery = !RECOVERY_ROLES.includes(target.role) && RECOVERY_ROLES.includes(role);
  const recoveryGroupWraps = gainsRecovery ? await recoveryGroupWrapsForMember(ctx, organizationId, pinned, target) : undefined;
  const changed = await ctx.api.call(endpoints.changeMemberRole, {
    params: { organizationId, userId: parseUserId(userId) },
    body: {
      from: target.role,
      role,
      ...(organizationKeyWrap === undefined ? {} : { organizationKeyWrap }),
      ...(recoveryGroupWraps === undefined ? {} : { recoveryGroupWraps }),
    },
  });
  // Out of the Recovery Group: re-key it now (older versions kept); if this client cannot, the next holder's listing does.
  if (RECOVERY_ROLES.includes(target.role) && !RECOVERY_ROLES.includes(role)) await rekeyRecoveryGroupAfter(ctx, organizationId, userId);
  return { role: changed.role, previousRole: target.role };
}

/** Every kept Recovery Group version for a member about to gain a Recovery Group role, only to their certified keyset; none when there is no Recovery Group. */
async function recoveryGroupWrapsForMember(ctx: ClientContext, organizationId: string, pinned: PinnedOrganization, target: Member) {
  const certified = certifiedMember(pinned, target.userId, target.certificate);
  if (certified === undefined || certified.keyset.id !== target.acceptance.keysetId)
    throw new LatchkeyError('untrusted_key', "This member's certificate does not verify under the organization key you trust: nothing was sent.");
  const org = await openOrganization(ctx, organizationId, pinned);
  try {
    return await recoveryGroupWrapsFor(ctx, pinned, org.keyset, certified);
  } finally {
    wipeKeyset(org.keyset);
  }
}

/** Re-keys the Recovery Group after `userId` left it by a role change; a client that cannot (not in it, or raced) leaves it to the next holder. */
async function rekeyRecoveryGroupAfter(ctx: ClientContext, organizationId: string, userId: string): Promise<void> {
  const entry = (await ctx.api.call(endpoints.recoveryStatus)).organizations.find((o) => o.organizationId === organizationId);
  if (entry?.recoveryGroup == null || !entry.recoveryGroup.rekeyNeeded) return;
  try {
    await rekeyGroupAfterLeaving(ctx, organizationId, entry.recoveryGroup.id, [userId]);
  } catch (error) {
    if (!(error instanceof LatchkeyError) || (error.code !== 'forbidden' && error.code !== 'conflict')) throw error;
  }
}

/**
 * Makes a confirmed member the organizer (family) or owner (team); with `stepDown` the caller
 * becomes admin (team) or member (family) in the same transaction.
 * @throws LatchkeyError as `changeMemberRole`.
 */
export async function transferOwnership(
  ctx: ClientContext,
  organizationId: string,
  userId: string,
  options: { stepDown: boolean },
): Promise<{ role: OrganizationRole; yourRole: OrganizationRole }> {
  const { pinned, target } = await confirmedMemberOf(ctx, organizationId, userId);
  const organizationKeyWrap = KEY_HOLDING_ROLES.includes(target.role) ? undefined : await organizationKeyWrapForMember(ctx, organizationId, pinned, target);
  // The new organizer or owner joins the Recovery Group unless they are in it already; a caller stepping down leaves it (the new one's listing re-keys it).
  const recoveryGroupWraps = RECOVERY_ROLES.includes(target.role) ? undefined : await recoveryGroupWrapsForMember(ctx, organizationId, pinned, target);
  return ctx.api.call(endpoints.transferOwnership, {
    params: { organizationId, userId: parseUserId(userId) },
    body: {
      from: target.role,
      stepDown: options.stepDown,
      ...(organizationKeyWrap === undefined ? {} : { organizationKeyWrap }),
      ...(recoveryGroupWraps === undefined ? {} : { recoveryGroupWraps }),
    },
  });
}

/**
 * Removes a team member's two-step verification (owners and admins; docs/protocol.md §22.10).
 * No key or data changes; the member is signed out everywhere, and they and every owner are emailed.
 */
export async function resetMemberTwoStep(ctx: ClientContext, organizationId: string, userId: string): Promise<{ sessionsEnded: number }> {
  await requireSession(ctx);
  const done = await ctx.api.call(endpoints.resetMemberTwoStep, { params: { organizationId, userId: parseUserId(userId) }, body: {} });
  return { sessionsEnded: done.sessionsEnded };
}
