/**
 * Wire schemas of organizer recovery (docs/protocol.md §22.8, "Organizer recovery"): a Recovery
 * Group member starts it for a member who lost their password and Secret Key; the member sets up
 * new credentials from the emailed link; after the waiting period the organization's approvers
 * compare the verification code and re-wrap the member's vault keys to the new keyset. Anyone
 * concerned can cancel it before completion.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  Base64Url,
  EmailCode,
  EncryptedKeyset,
  Hex64,
  RandomId,
  RegistrationRecord,
  Timestamp,
  UserIdSchema,
  Uuid,
  VaultIdSchema,
  strictObject,
} from './common.ts';
import { KeyWrap, KeyWrapInput } from './key-wrap.ts';
import { MemberAcceptance, MemberAcceptanceInput, MemberCertificate, MemberCertificateInput } from './organizations.ts';

/** 30 days: a longer wait is no recovery. */
export const MAX_RECOVERY_WAITING_SECONDS = 30 * 24 * 3600;

export const OrganizerRecoveryStatus = Type.Union([
  Type.Literal('awaiting_member'),
  Type.Literal('waiting'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
]);
export type OrganizerRecoveryStatus = Static<typeof OrganizerRecoveryStatus>;

/** The organization's setting: the waiting period after the member's step (0 allowed: no time to notice) and approvals needed (2 in teams only). */
export const RecoveryPolicy = strictObject({
  waitingPeriodSeconds: Type.Integer({ minimum: 0, maximum: MAX_RECOVERY_WAITING_SECONDS }),
  approvalsRequired: Type.Integer({ minimum: 1, maximum: 2 }),
});
export type RecoveryPolicy = Static<typeof RecoveryPolicy>;

/** Who ended a recovery and how. */
export const RecoveryEndReason = Type.Union([
  Type.Literal('cancelled-by-member'),
  Type.Literal('cancelled-by-link'),
  Type.Literal('cancelled-by-organizer'),
  Type.Literal('signed-in-with-old-credentials'),
  Type.Literal('recovery-code-used'),
  Type.Literal('membership-ended'),
  Type.Literal('completed'),
]);
export type RecoveryEndReason = Static<typeof RecoveryEndReason>;

/** A recovery as the organization's Recovery Group members see it. */
export const OrganizerRecovery = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  memberUserId: UserIdSchema,
  memberEmail: Type.String(),
  startedBy: UserIdSchema,
  status: OrganizerRecoveryStatus,
  approvalsRequired: Type.Integer(),
  approvedBy: Type.Array(UserIdSchema),
  waitingPeriodSeconds: Type.Integer(),
  /** Set by the member's step; approvals are accepted from then on. */
  waitingUntil: Type.Union([Timestamp, Type.Null()]),
  memberStepDone: Type.Boolean(),
  /**
   * The member's acceptance signed by their new keyset, once they set up new credentials: the
   * approver's client computes the verification code from it (§22.8 step 4), never from what
   * the server says the code is.
   */
  newAcceptance: Type.Union([MemberAcceptance, Type.Null()]),
  /** Whose approval released the escrows (they alone may complete). */
  releasedTo: Type.Union([UserIdSchema, Type.Null()]),
  endReason: Type.Union([RecoveryEndReason, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type OrganizerRecovery = Static<typeof OrganizerRecovery>;

export const OrganizerRecoveryParams = strictObject({ organizationId: Uuid, recoveryId: Uuid });
export const StartOrganizerRecoveryRequest = strictObject({ userId: UserIdSchema });
export const OrganizerRecoveryList = Type.Object({ policy: RecoveryPolicy, recoveries: Type.Array(OrganizerRecovery) });

/** A recovery as the member being recovered sees it (signed in with the old credentials, or from the link). */
export const MemberRecoveryView = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  organizationName: Type.String(),
  startedByName: Type.String(),
  status: OrganizerRecoveryStatus,
  waitingUntil: Type.Union([Timestamp, Type.Null()]),
  memberStepDone: Type.Boolean(),
  createdAt: Timestamp,
});
export type MemberRecoveryView = Static<typeof MemberRecoveryView>;
export const MemberRecoveryList = Type.Object({ recoveries: Type.Array(MemberRecoveryView) });
export const MemberRecoveryParams = strictObject({ recoveryId: Uuid });

/** The emailed link's token (256 bits): it cancels, signed out, from any notification's link. */
export const RecoveryLinkRequest = strictObject({ token: Base64Url(64) });
export const CancelledRecovery = Type.Object({ cancelled: Type.Literal(true) });

// The member's step, signed out, with the link's token (§22.8 step 2).
/** What the link opens: the recovery, the account it is for, and the organization key the new acceptance names. */
export const DescribedOrganizerRecovery = Type.Object({
  recovery: MemberRecoveryView,
  email: Type.String(),
  userId: UserIdSchema,
  /** The account id the new Secret Key keeps. */
  accountId: Type.String(),
  organizationKeyset: Type.Object({ id: Uuid, publicKey: Base64Url(64), signingPublicKey: Base64Url(64) }),
});
export type DescribedOrganizerRecovery = Static<typeof DescribedOrganizerRecovery>;
export const OrganizerRecoveryCodeSent = Type.Object({ status: Type.Literal('verification_sent'), verificationId: RandomId });
export const OrganizerRecoveryVerifyRequest = strictObject({ token: Base64Url(64), verificationId: RandomId, code: EmailCode });
export const OrganizerRecoveryTicket = Type.Object({ ticket: Base64Url(64) });
export const OrganizerRecoveryRegisterRequest = strictObject({ token: Base64Url(64), ticket: Base64Url(64), registrationRequest: Base64Url(256) });
export const OrganizerRecoveryRegisterResponse = Type.Object({ registrationResponse: Base64Url(512) });
/** The pending credentials: a new OPAQUE record and Secret Key, a new keyset (its symmetric key wrapped by the new Account Unlock Key) and the acceptance it signs. */
export const OrganizerRecoveryCredentialsRequest = strictObject({
  token: Base64Url(64),
  ticket: Base64Url(64),
  accountId: Type.String({ pattern: '^[2-9A-HJ-NP-Z]{6}$' }),
  registrationRecord: RegistrationRecord,
  secretKeyVerifier: Hex64,
  keyset: EncryptedKeyset,
  acceptance: MemberAcceptanceInput,
});
export type OrganizerRecoveryCredentialsRequest = Static<typeof OrganizerRecoveryCredentialsRequest>;

// Approval and completion (§22.8 steps 4 and 5).
/** One escrow with the keyring layer removed: the member's vault key wrapped to Recovery Group version `keyVersion`, signed by the member's old keyset. */
export const ReleasedEscrow = Type.Object({ vaultId: VaultIdSchema, keyVersion: Type.Integer(), wrap: KeyWrap });
export const OrganizerRecoveryApproval = Type.Object({
  recovery: OrganizerRecovery,
  /** Only in the answer to the approval that reached `approvalsRequired` (and to that approver asking again): the escrows, and the member's certificate of the old keyset that signed them. */
  release: Type.Union([
    Type.Object({
      escrows: Type.Array(ReleasedEscrow),
      memberCertificate: MemberCertificate,
      /** The member's own vaults without an escrow to this organization: no one can open them; completion deletes them. */
      unrecoverableVaultIds: Type.Array(VaultIdSchema),
    }),
    Type.Null(),
  ]),
});
export type OrganizerRecoveryApproval = Static<typeof OrganizerRecoveryApproval>;
/** Room for 10,000 re-wrapped vault keys (about 400 bytes each). */
export const COMPLETE_RECOVERY_BODY_LIMIT = 8 * 1024 * 1024;
/** Each released vault key wrapped (format 1) to the member's new keyset, signed by the approver; the new keyset certified. */
export const CompleteOrganizerRecoveryRequest = strictObject({
  wraps: Type.Array(strictObject({ vaultId: VaultIdSchema, wrap: KeyWrapInput }), { maxItems: 10_000 }),
  certificate: MemberCertificateInput,
});
export type CompleteOrganizerRecoveryRequest = Static<typeof CompleteOrganizerRecoveryRequest>;
export const CompletedOrganizerRecovery = Type.Object({
  recovery: OrganizerRecovery,
  signedOutSessions: Type.Integer(),
  deletedVaultIds: Type.Array(VaultIdSchema),
});
