/**
 * Wire schemas of the Recovery Group and of escrowed vault keys (docs/protocol.md §22.8). The
 * Recovery Group is a group of kind `recovery` whose members follow roles; each vault owner's
 * client escrows its vault keys to the group's current version. Escrows go up and never come
 * back in this step: the status says only which vaults hold one at the current version.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Uuid, VaultIdSchema, strictObject } from './common.ts';
import { VersionedKeyWrapInput, KeyWrap } from './key-wrap.ts';
import { GroupMemberWrapInput } from './groups.ts';
import { GroupCertificate, GroupCertificateInput, OrganizationRole, SealedKeyset, SealedKeysetInput } from './organizations.ts';

const MAX_MEMBERS = 1000;

/** Version 1, certified by the organization key and wrapped to exactly the confirmed holders of a Recovery Group role. */
export const CreateRecoveryGroupRequest = strictObject({
  id: Uuid,
  keyset: SealedKeysetInput,
  certificate: GroupCertificateInput,
  members: Type.Array(GroupMemberWrapInput, { minItems: 1, maxItems: MAX_MEMBERS }),
});
export type CreateRecoveryGroupRequest = Static<typeof CreateRecoveryGroupRequest>;
export const CreatedRecoveryGroup = Type.Object({ id: Uuid, keyVersion: Type.Integer() });

/** One stored version as a holder reads it: the sealed keyset, its certificate and the holder's own wrap. */
export const RecoveryGroupVersion = Type.Object({
  keyVersion: Type.Integer(),
  keyset: SealedKeyset,
  certificate: GroupCertificate,
  keyWrap: Type.Optional(KeyWrap),
});
/** The Recovery Group as one of its holders reads it: every version kept (older ones open older escrows). */
export const RecoveryGroup = Type.Object({
  id: Uuid,
  keyVersion: Type.Integer(),
  members: Type.Array(Uuid),
  versions: Type.Array(RecoveryGroupVersion),
});
export type RecoveryGroup = Static<typeof RecoveryGroup>;

/** What a member's client needs to escrow to an organization, and which of their vaults already are. */
export const RecoveryStatusEntry = Type.Object({
  organizationId: Uuid,
  name: Type.String(),
  role: OrganizationRole,
  /** `null` while the organization has no Recovery Group (created before it existed: the next holder's client makes it). */
  recoveryGroup: Type.Union([
    Type.Object({
      id: Uuid,
      keyVersion: Type.Integer(),
      certificate: GroupCertificate,
      /** A holder left since this version was made (e.g. left the organization by themselves): a holder's client re-keys it. */
      rekeyNeeded: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  /** The caller's own vaults with an escrow at the current Recovery Group version. */
  escrowedVaultIds: Type.Array(VaultIdSchema),
});
export type RecoveryStatusEntry = Static<typeof RecoveryStatusEntry>;
/** One entry per organization where the caller is a confirmed member. */
export const RecoveryStatus = Type.Object({ organizations: Type.Array(RecoveryStatusEntry) });

export const EscrowParams = strictObject({ vaultId: VaultIdSchema, organizationId: Uuid });
/** The vault key wrapped (format 2, purpose `vault-key-escrow`) to the Recovery Group's version `keyVersion`, signed by the owner's keyset. */
export const EscrowVaultKeyRequest = strictObject({ keyVersion: Type.Integer({ minimum: 1 }), wrap: VersionedKeyWrapInput });
export type EscrowVaultKeyRequest = Static<typeof EscrowVaultKeyRequest>;
export const EscrowedVaultKey = Type.Object({ escrowed: Type.Literal(true), keyVersion: Type.Integer() });
