/**
 * Wire schemas of organizations (families and teams), invitations and members (docs/protocol.md
 * §22.2–22.4). The signed objects (acceptance, certificates) travel as the core types define
 * them; the server checks they fit together, every client verifies them against keys it trusts.
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Base64Url, Email, Name, Timestamp, UserIdSchema, Uuid, strictObject } from './common.ts';
import { KeyWrap, VersionedKeyWrapInput } from './key-wrap.ts';

/** Requests refuse unknown fields; answers are checked for the fields the client reads. */
const both = <T extends TProperties>(properties: T) => ({ input: strictObject(properties), output: Type.Object(properties) });

const PublicKey = Base64Url(64);
const Signature = Base64Url(128);

export const OrganizationKind = Type.Union([Type.Literal('family'), Type.Literal('team')]);
export type OrganizationKind = Static<typeof OrganizationKind>;
/** Family: organizer, member. Team: owner, admin, recovery_admin (an admin with recovery powers), member. */
export const OrganizationRole = Type.Union([
  Type.Literal('organizer'),
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('recovery_admin'),
  Type.Literal('member'),
]);
export type OrganizationRole = Static<typeof OrganizationRole>;
export const MembershipStatus = Type.Union([Type.Literal('accepted'), Type.Literal('confirmed'), Type.Literal('suspended')]);
export type MembershipStatus = Static<typeof MembershipStatus>;

/** A keyset's public keys in the clear and its private halves sealed under its symmetric key (`SealedKeyset`). */
const sealedKeyset = both({
  id: Uuid,
  publicKey: PublicKey,
  encryptedPrivateKey: Base64Url(),
  signingPublicKey: PublicKey,
  encryptedSigningKey: Base64Url(),
});
export const SealedKeysetInput = sealedKeyset.input;
export const SealedKeyset = sealedKeyset.output;

/** `MemberAcceptance` (member-acceptance.ts): signed by the member's own keyset. */
const memberAcceptanceFields = {
  version: Type.Integer({ minimum: 1, maximum: 1 }),
  organizationId: Uuid,
  organizationKeysetId: Uuid,
  organizationSigningPublicKey: PublicKey,
  userId: Uuid,
  keysetId: Uuid,
  publicKey: PublicKey,
  signingPublicKey: PublicKey,
  signature: Signature,
};
const memberAcceptance = both(memberAcceptanceFields);
export const MemberAcceptanceInput = memberAcceptance.input;
export const MemberAcceptance = memberAcceptance.output;

const certifiedKeysetFields = {
  version: Type.Integer({ minimum: 1, maximum: 1 }),
  organizationId: Uuid,
  organizationKeysetId: Uuid,
  keysetId: Uuid,
  publicKey: PublicKey,
  signingPublicKey: PublicKey,
  signature: Signature,
};
/** `MemberCertificate` (keyset-certificate.ts): signed by the organization keyset. */
const memberCertificate = both({ ...certifiedKeysetFields, userId: Uuid });
export const MemberCertificateInput = memberCertificate.input;
export const MemberCertificate = memberCertificate.output;
/** `GroupCertificate` (keyset-certificate.ts): one version of a group keyset, signed by the organization keyset. */
const groupCertificate = both({ ...certifiedKeysetFields, groupId: Uuid, keyVersion: Type.Integer({ minimum: 1 }) });
export const GroupCertificateInput = groupCertificate.input;
export const GroupCertificate = groupCertificate.output;

export const OrganizationParams = strictObject({ organizationId: Uuid });
export const MemberParams = strictObject({ organizationId: Uuid, userId: UserIdSchema });
export const InvitationParams = strictObject({ organizationId: Uuid, invitationId: Uuid });

// Organizations

/** The creator's client made the keyset, wrapped it to itself, certified itself and signed its own acceptance. */
export const CreateOrganizationRequest = strictObject({
  id: Uuid,
  kind: OrganizationKind,
  name: Name,
  keyset: SealedKeysetInput,
  creatorWrap: VersionedKeyWrapInput,
  creatorCertificate: MemberCertificateInput,
  creatorAcceptance: MemberAcceptanceInput,
});
export type CreateOrganizationRequest = Static<typeof CreateOrganizationRequest>;
export const CreatedOrganization = Type.Object({ id: Uuid, role: OrganizationRole });

export const OrganizationMembershipSummary = Type.Object({
  id: Uuid,
  kind: OrganizationKind,
  name: Type.String(),
  role: OrganizationRole,
  status: MembershipStatus,
});
export type OrganizationMembershipSummary = Static<typeof OrganizationMembershipSummary>;
export const OrganizationList = Type.Object({ organizations: Type.Array(OrganizationMembershipSummary) });

/** The organization as the caller may see it; `keyWrap` only for a confirmed organizer, owner or admin. */
export const Organization = Type.Object({
  id: Uuid,
  kind: OrganizationKind,
  name: Type.String(),
  role: OrganizationRole,
  status: MembershipStatus,
  keyVersion: Type.Integer(),
  keyset: SealedKeyset,
  keyWrap: Type.Optional(KeyWrap),
});
export type Organization = Static<typeof Organization>;

export const OrganizationEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  actorUserId: Type.Union([Uuid, Type.Null()]),
  subjectUserId: Type.Union([Uuid, Type.Null()]),
  /**
   * The emails of the actor's and the subject's accounts, looked up when the log is read (the
   * log itself stores ids): a removed member is still named. Null without an account.
   */
  actorEmail: Type.Union([Type.String(), Type.Null()]),
  subjectEmail: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  /** Ids and roles only. */
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type OrganizationEvent = Static<typeof OrganizationEvent>;
export const OrganizationLog = Type.Object({ events: Type.Array(OrganizationEvent) });

// Invitations (§22.3)

export const CreateInvitationRequest = strictObject({ email: Email, role: OrganizationRole });
export type CreateInvitationRequest = Static<typeof CreateInvitationRequest>;
export const InvitationStatus = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]);
export const InvitationSummary = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: OrganizationRole,
  status: InvitationStatus,
  expiresAt: Timestamp,
  resentCount: Type.Integer(),
});
export type InvitationSummary = Static<typeof InvitationSummary>;
export const InvitationList = Type.Object({ invitations: Type.Array(InvitationSummary) });
export const RevokedInvitation = Type.Object({ revoked: Type.Literal(true) });

/** The invitation token from the email (256 random bits, base64url): in the body, never in a URL the logs keep. */
export const InvitationToken = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'The invitation code from the email.' });
export const DescribeInvitationRequest = strictObject({ token: InvitationToken });
export type DescribeInvitationRequest = Static<typeof DescribeInvitationRequest>;
/** What the invitee's client is shown before it signs the acceptance (the organization key goes into it). */
export const InvitationDescription = Type.Object({
  organizationId: Uuid,
  name: Type.String(),
  kind: OrganizationKind,
  role: OrganizationRole,
  invitedBy: Type.String(),
  expiresAt: Timestamp,
  alreadyMember: Type.Boolean(),
  organizationKeyset: Type.Object({ id: Uuid, keyVersion: Type.Integer(), signingPublicKey: Type.String(), publicKey: Type.String() }),
});
export type InvitationDescription = Static<typeof InvitationDescription>;
export const AcceptInvitationRequest = strictObject({ token: InvitationToken, acceptance: MemberAcceptanceInput });
export type AcceptInvitationRequest = Static<typeof AcceptInvitationRequest>;
export const AcceptedInvitation = Type.Object({ organizationId: Uuid, status: MembershipStatus });

// Members (§22.4, §22.7)

export const Member = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: OrganizationRole,
  status: MembershipStatus,
  /** The signed acceptance: both sides compute the fingerprint from it. */
  acceptance: MemberAcceptance,
  /** Set once confirmed: which keyset the organization vouches for. */
  certificate: Type.Union([MemberCertificate, Type.Null()]),
});
export type Member = Static<typeof Member>;
export const MemberList = Type.Object({ members: Type.Array(Member) });

/** `organizationKeyWrap` is required for organizers, owners and admins, refused for members. */
/**
 * For a Recovery Group role (organizer, owner, recovery_admin) in an organization that has a
 * Recovery Group, `recoveryGroupWraps` holds every stored version of it wrapped to the member
 * (format 2, signed by the organization keyset, docs/protocol.md §22.8); otherwise it is absent.
 */
const RecoveryGroupWrapsInput = Type.Array(strictObject({ keyVersion: Type.Integer({ minimum: 1 }), wrap: VersionedKeyWrapInput }), {
  minItems: 1,
  maxItems: 10_000,
});
export const ConfirmMemberRequest = strictObject({
  certificate: MemberCertificateInput,
  organizationKeyWrap: Type.Optional(VersionedKeyWrapInput),
  recoveryGroupWraps: Type.Optional(RecoveryGroupWrapsInput),
});
export type ConfirmMemberRequest = Static<typeof ConfirmMemberRequest>;
export const ConfirmedMember = Type.Object({ confirmed: Type.Literal(true) });
/** The groups the person was in: an admin's client re-keys each (§22.5). */
export const MembershipEnded = Type.Object({ groupsToRekey: Type.Array(Uuid) });
export type MembershipEnded = Static<typeof MembershipEnded>;
export const ReinstatedMember = Type.Object({ reinstated: Type.Literal(true) });

// Team administration (§22.10)

/**
 * `from` is the role the caller saw (compare-and-set: a change made meanwhile is `conflict`).
 * `organizationKeyWrap` is required exactly when the member gains the organization key (a member
 * promoted to a key-holding role) and refused otherwise; a demotion to member deletes their wraps.
 */
export const ChangeMemberRoleRequest = strictObject({
  from: OrganizationRole,
  role: OrganizationRole,
  organizationKeyWrap: Type.Optional(VersionedKeyWrapInput),
  /** Required exactly when the member gains a Recovery Group role and the organization has a Recovery Group: every kept version (§22.8). */
  recoveryGroupWraps: Type.Optional(RecoveryGroupWrapsInput),
});
export type ChangeMemberRoleRequest = Static<typeof ChangeMemberRoleRequest>;
export const ChangedMemberRole = Type.Object({ role: OrganizationRole });
/**
 * Makes the member the organization's organizer (family) or owner (team). `from` as above; with
 * `stepDown` the caller becomes an admin (team) or a member (family) in the same transaction.
 */
export const TransferOwnershipRequest = strictObject({
  from: OrganizationRole,
  stepDown: Type.Boolean(),
  organizationKeyWrap: Type.Optional(VersionedKeyWrapInput),
  /** As for a role change: the new organizer or owner gets every kept Recovery Group version unless they already hold it. */
  recoveryGroupWraps: Type.Optional(RecoveryGroupWrapsInput),
});
export type TransferOwnershipRequest = Static<typeof TransferOwnershipRequest>;
export const TransferredOwnership = Type.Object({ role: OrganizationRole, yourRole: OrganizationRole });
/** What a two-step reset removed; the member's sessions are all ended. */
export const TwoStepResetDone = Type.Object({ reset: Type.Literal(true), sessionsEnded: Type.Integer() });
