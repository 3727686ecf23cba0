/**
 * Organizer recovery in the SDK (docs/protocol.md §22.8, §22.9): the Recovery Group's side
 * (`client.organizations.recovery.*`) and the member's (`client.recovery.organizer.*`).
 *
 * The member, signed out, from the emailed link: `open(token)` → `sendCode(token)` →
 * `setUpCredentials({token, verificationId, emailCode, newPassword})`, which makes a new Secret
 * Key, a new keyset and the acceptance that keyset signs, and returns the **verification code**
 * (the member fingerprint of that acceptance, §22.3) to read to an approver. The old credentials
 * keep working until an approver completes.
 *
 * The approver: `verificationCode(org, recovery)` computes the code from the new acceptance the
 * server holds, under the organization key this device pinned; `approve(org, recovery, code)`
 * compares it with what the member read out (a difference is `fingerprint_mismatch` and nothing
 * is sent), approves, and when the approval released the escrows, opens each one (signed by the
 * member's old certified keyset, to a Recovery Group version certified under the pinned key),
 * re-wraps each vault key to the new keyset (signed by the approver), certifies the new keyset
 * and completes. A server that substituted the member's new public key makes the code differ.
 */
import { fromBase64Url, wipe } from '@latchkey/core/bytes';
import { deriveAccountUnlockKey } from '@latchkey/core/account-unlock-key';
import { requireLongEnoughPassword } from '@latchkey/core/account-password';
import { LatchkeyError } from '@latchkey/core/errors';
import { parseUserId } from '@latchkey/core/ids';
import { createKeyset, encryptKeyset, keysetSigner, type Keyset } from '@latchkey/core/keyset';
import type { MemberCertificate } from '@latchkey/core/keyset-certificate';
import { signMemberAcceptance, verifyMemberAcceptance, type MemberAcceptance } from '@latchkey/core/member-acceptance';
import { memberFingerprint, sameMemberFingerprint } from '@latchkey/core/member-fingerprint';
import { twoSecretPasswordInput } from '@latchkey/core/opaque-input';
import { certifyAcceptedMember } from '@latchkey/core/organization-keyset';
import { openEscrowedVaultKey } from '@latchkey/core/recovery-escrow';
import { generateSecretKey, secretKeyVerifier, type SecretKey } from '@latchkey/core/secret-key';
import { wrapVaultKey } from '@latchkey/core/vault-key';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { MemberRecoveryView, OrganizerRecovery, OrganizerRecoveryApproval, RecoveryPolicy } from '@latchkey/core/wire/organizer-recovery';
import type { ClientContext } from './context.ts';
import { accountKey, updateStore } from './local-store.ts';
import { requireGoodNewPassword } from './new-account-password.ts';
import { certifiedMember, pinnedOrganization, type PinnedOrganization } from './organization-trust.ts';
import { openOrganization } from './organizations.ts';
import { openRecoveryGroupVersion } from './recovery-group.ts';
import { wipeKeyset } from './shared-vault-keys.ts';
import { requireUnlocked } from './vaults.ts';

export type { MemberRecoveryView, OrganizerRecovery, RecoveryPolicy };

// The Recovery Group's side.

export async function startOrganizerRecovery(ctx: ClientContext, organizationId: string, userId: string): Promise<OrganizerRecovery> {
  return ctx.api.call(endpoints.startOrganizerRecovery, { params: { organizationId }, body: { userId: parseUserId(userId) } });
}

export async function listOrganizerRecoveries(
  ctx: ClientContext,
  organizationId: string,
): Promise<{ policy: RecoveryPolicy; recoveries: OrganizerRecovery[] }> {
  return ctx.api.call(endpoints.listOrganizerRecoveries, { params: { organizationId } });
}

export async function getOrganizerRecovery(ctx: ClientContext, organizationId: string, recoveryId: string): Promise<OrganizerRecovery> {
  return ctx.api.call(endpoints.getOrganizerRecovery, { params: { organizationId, recoveryId } });
}

export async function cancelOrganizerRecovery(ctx: ClientContext, organizationId: string, recoveryId: string): Promise<OrganizerRecovery> {
  return ctx.api.call(endpoints.cancelOrganizerRecovery, { params: { organizationId, recoveryId }, body: {} });
}

export async function setRecoveryPolicy(ctx: ClientContext, organizationId: string, policy: RecoveryPolicy): Promise<RecoveryPolicy> {
  return ctx.api.call(endpoints.setRecoveryPolicy, { params: { organizationId }, body: policy });
}

/**
 * The member's new acceptance, checked here: signed by the new keyset, for this member, naming
 * the organization key this device pinned.
 * @throws LatchkeyError `conflict` (no new credentials yet), `untrusted_key`.
 */
function verifiedNewAcceptance(recovery: OrganizerRecovery, pinned: PinnedOrganization): MemberAcceptance {
  const acceptance = recovery.newAcceptance;
  if (acceptance === null) throw new LatchkeyError('conflict', 'The member has not set up new credentials yet: there is no verification code to compare.');
  try {
    verifyMemberAcceptance(acceptance, {
      organizationId: recovery.organizationId,
      keyset: { id: pinned.signer.keysetId, signingPublicKey: pinned.signer.signingPublicKey },
    });
  } catch {
    throw new LatchkeyError(
      'untrusted_key',
      'The new keys the server holds for this member are not signed for the organization key you trust: do not approve.',
    );
  }
  if (acceptance.userId !== recovery.memberUserId)
    throw new LatchkeyError('untrusted_key', 'The new keys the server holds are for someone else: do not approve.');
  return acceptance;
}

/**
 * The verification code the member must read to the approver: computed here from the new
 * acceptance (24 digits, §22.3), never taken from the server.
 * @throws LatchkeyError `conflict` (no new credentials yet), `untrusted_key`.
 */
export async function organizerRecoveryVerificationCode(ctx: ClientContext, organizationId: string, recoveryId: string): Promise<string> {
  requireUnlocked(ctx);
  const pinned = await pinnedOrganization(ctx, organizationId);
  return memberFingerprint(verifiedNewAcceptance(await getOrganizerRecovery(ctx, organizationId, recoveryId), pinned));
}

export interface ApprovalResult {
  /** True when this approval completed the recovery (the member can sign in with the new credentials). */
  readonly completed: boolean;
  readonly recovery: OrganizerRecovery;
  /** Vaults recovered (re-wrapped to the new keyset) and those deleted for having no escrow. */
  readonly recoveredVaultIds: readonly string[];
  readonly deletedVaultIds: readonly string[];
  readonly signedOutSessions: number;
}

/** The Recovery Group versions the escrows name, opened (certificate under the pinned key, the caller's wrap signed by it). */
async function openRecoveryGroupVersions(ctx: ClientContext, pinned: PinnedOrganization, me: Keyset) {
  const group = await ctx.api.call(endpoints.getRecoveryGroup, { params: { organizationId: pinned.organizationId } });
  const opened = new Map<number, { keyset: Keyset; keysetId: string; publicKey: Uint8Array }>();
  for (const v of group.versions) {
    if (v.keyWrap === undefined) continue;
    const { keyset, certified } = await openRecoveryGroupVersion(pinned, group.id, { ...v, keyWrap: v.keyWrap }, me);
    opened.set(v.keyVersion, { keyset, keysetId: certified.keyset.id, publicKey: certified.keyset.publicKey });
  }
  return opened;
}

/** Opens each released escrow and re-wraps its vault key to the member's new keyset, signed by the approver. */
async function rewrapReleased(
  ctx: ClientContext,
  pinned: PinnedOrganization,
  recovery: OrganizerRecovery,
  acceptance: MemberAcceptance,
  release: NonNullable<OrganizerRecoveryApproval['release']>,
) {
  const me = requireUnlocked(ctx).keyset;
  const oldKeyset = certifiedMember(pinned, recovery.memberUserId, release.memberCertificate);
  if (oldKeyset === undefined) throw new LatchkeyError('untrusted_key', "The member's certificate is not signed by the organization key you trust.");
  const signer = { keysetId: oldKeyset.keyset.id, signingPublicKey: oldKeyset.keyset.signingPublicKey };
  const newRecipient = { keysetId: acceptance.keysetId, publicKey: fromBase64Url(acceptance.publicKey) };
  const versions = await openRecoveryGroupVersions(ctx, pinned, me);
  try {
    const wraps = [];
    for (const escrow of release.escrows) {
      const version = versions.get(escrow.keyVersion);
      if (version === undefined) throw new LatchkeyError('untrusted_key', `You hold no key of Recovery Group version ${escrow.keyVersion}.`);
      const raw = await openEscrowedVaultKey(
        escrow.wrap,
        escrow.vaultId,
        { keysetId: version.keysetId, publicKey: version.publicKey, keyVersion: escrow.keyVersion },
        version.keyset.encryption.privateKey,
        signer,
      );
      try {
        wraps.push({ vaultId: escrow.vaultId, wrap: await wrapVaultKey(raw, escrow.vaultId, newRecipient, keysetSigner(me)) });
      } finally {
        wipe(raw);
      }
    }
    return wraps;
  } finally {
    for (const v of versions.values()) wipeKeyset(v.keyset);
  }
}

/**
 * Approves after comparing `comparedCode` (what the member read out) with the code computed
 * here; completes when this approval released the escrows (or had released them before and the
 * answer was lost).
 * @throws LatchkeyError `fingerprint_mismatch` (nothing sent), `untrusted_key`, `conflict` (not
 *   waiting, waiting period not over, already approved, another approver completes, ended),
 *   `forbidden`, `not_found`.
 */
export async function approveOrganizerRecovery(ctx: ClientContext, organizationId: string, recoveryId: string, comparedCode: string): Promise<ApprovalResult> {
  requireUnlocked(ctx);
  const pinned = await pinnedOrganization(ctx, organizationId);
  const before = await getOrganizerRecovery(ctx, organizationId, recoveryId);
  const acceptance = verifiedNewAcceptance(before, pinned);
  const expected = memberFingerprint(acceptance);
  if (!sameMemberFingerprint(comparedCode, expected))
    throw new LatchkeyError(
      'fingerprint_mismatch',
      'The verification code the member read is not the one of the keys the server holds. Nothing was approved.',
      {
        details: { expected },
      },
    );
  const approved = await ctx.api.call(endpoints.approveOrganizerRecovery, { params: { organizationId, recoveryId }, body: {} });
  if (approved.release === null) return { completed: false, recovery: approved.recovery, recoveredVaultIds: [], deletedVaultIds: [], signedOutSessions: 0 };
  const wraps = await rewrapReleased(ctx, pinned, before, acceptance, approved.release);
  const org = await openOrganization(ctx, organizationId, pinned);
  let certificate: MemberCertificate;
  try {
    certificate = certifyAcceptedMember(organizationId, org.keyset, acceptance);
  } finally {
    wipeKeyset(org.keyset);
  }
  const done = await ctx.api.call(endpoints.completeOrganizerRecovery, { params: { organizationId, recoveryId }, body: { wraps, certificate } });
  return {
    completed: true,
    recovery: done.recovery,
    recoveredVaultIds: wraps.map((w) => w.vaultId),
    deletedVaultIds: done.deletedVaultIds,
    signedOutSessions: done.signedOutSessions,
  };
}

// The member's side.

export async function openOrganizerRecoveryLink(ctx: ClientContext, token: string) {
  return ctx.api.call(endpoints.describeOrganizerRecovery, { token: token.trim() });
}

export async function sendOrganizerRecoveryCode(ctx: ClientContext, token: string): Promise<{ verificationId: string }> {
  const { verificationId } = await ctx.api.call(endpoints.organizerRecoverySendCode, { token: token.trim() });
  return { verificationId };
}

export interface SetUpRecoveredCredentials {
  readonly token: string;
  readonly verificationId: string;
  readonly emailCode: string;
  readonly newPassword: string;
}

export interface RecoveredCredentials {
  /** The new Secret Key: it signs in once an approver completes; print the new Emergency Kit now. */
  readonly secretKey: SecretKey;
  /** Read it to the approver (on the phone or in person); they compare it before approving. */
  readonly verificationCode: string;
  readonly waitingUntil: string | null;
  readonly recovery: MemberRecoveryView;
}

/**
 * The member's step: proves the mailbox, registers the new password with a new Secret Key, and
 * stores a new keyset with the acceptance it signs, all pending until an approver completes.
 * The new Secret Key is kept on this device as a pending one (tried at the next sign-in here).
 * @throws LatchkeyError `password_too_short` (nothing sent), `password_too_weak` (before the code is used), `invalid_code`, `code_expired`,
 *   `too_many_attempts`, `not_found` (link not valid), `conflict` (set up already, or cancelled).
 */
export async function setUpRecoveredCredentials(ctx: ClientContext, params: SetUpRecoveredCredentials): Promise<RecoveredCredentials> {
  requireLongEnoughPassword(params.newPassword);
  const token = params.token.trim();
  const described = await openOrganizerRecoveryLink(ctx, token);
  // Before the emailed code is spent: a weak password costs nothing but a retry.
  await requireGoodNewPassword(params.newPassword, [described.email, ctx.api.baseUrl]);
  const { ticket } = await ctx.api.call(endpoints.organizerRecoveryVerify, { token, verificationId: params.verificationId, code: params.emailCode.trim() });
  const secretKey = generateSecretKey(described.accountId);
  const input = twoSecretPasswordInput(params.newPassword, secretKey);
  const { clientRegistrationState, registrationRequest } = await ctx.derivation.startRegistration(input);
  const { registrationResponse } = await ctx.api.call(endpoints.organizerRecoveryRegister, { token, ticket, registrationRequest });
  const { registrationRecord, exportKey } = await ctx.derivation.finishRegistration({ clientRegistrationState, registrationResponse, password: input });
  const auk = deriveAccountUnlockKey(exportKey);
  const keyset = await createKeyset();
  try {
    const encrypted = await encryptKeyset(keyset, auk);
    const acceptance = signMemberAcceptance(keyset, described.userId, {
      organizationId: described.recovery.organizationId,
      keyset: { id: described.organizationKeyset.id, signingPublicKey: fromBase64Url(described.organizationKeyset.signingPublicKey) },
    });
    const storeKey = accountKey(ctx.api.baseUrl, described.email);
    await updateStore(ctx.store, (s) => {
      s.pendingSecretKeys = { ...s.pendingSecretKeys, [storeKey]: secretKey };
    });
    const recovery = await ctx.api.call(endpoints.organizerRecoveryCredentials, {
      token,
      ticket,
      accountId: described.accountId,
      registrationRecord,
      secretKeyVerifier: secretKeyVerifier(secretKey),
      keyset: encrypted,
      acceptance,
    });
    return { secretKey, verificationCode: memberFingerprint(acceptance), waitingUntil: recovery.waitingUntil, recovery };
  } finally {
    wipe(auk);
    wipeKeyset(keyset);
  }
}

export async function cancelOrganizerRecoveryByLink(ctx: ClientContext, token: string): Promise<void> {
  await ctx.api.call(endpoints.cancelOrganizerRecoveryByLink, { token: token.trim() });
}

/** The signed-in member's open organizer recoveries (every device shows them, with a cancel button). */
export async function myOrganizerRecoveries(ctx: ClientContext): Promise<MemberRecoveryView[]> {
  return (await ctx.api.call(endpoints.myOrganizerRecoveries)).recoveries;
}

export async function cancelMyOrganizerRecovery(ctx: ClientContext, recoveryId: string): Promise<void> {
  await ctx.api.call(endpoints.cancelMyOrganizerRecovery, { params: { recoveryId }, body: {} });
}
