/**
 * `LatchkeyClient`: the SDK the CLI, the web app and the tests use. It owns every client-side
 * cryptographic step; callers pass passwords and get plaintext items, and nothing secret
 * leaves the device unencrypted.
 */
import type { ImportPlan } from '@latchkey/core/import-file';
import type { HealthOptions } from '@latchkey/core/password-health';
import type { ItemFields } from '@latchkey/core/item';
import { filterItems, type ItemFilter } from '@latchkey/core/item-search';
import type { ItemId, SessionId, VaultId } from '@latchkey/core/ids';
import { ApiClient, type Fetch } from './http.ts';
import { directKeyDerivation, type KeyDerivation } from './key-derivation.ts';
import { MemoryStore, type LocalStore } from './local-store.ts';
import type { ClientContext, DeviceDescription } from './context.ts';
import * as signup from './signup.ts';
import * as signInFlow from './sign-in.ts';
import * as vaults from './vaults.ts';
import * as items from './items.ts';
import * as vaultChanges from './vault-changes.ts';
import * as importing from './import.ts';
import * as sessions from './sessions.ts';
import * as credentials from './credentials.ts';
import { currentEmergencyKit } from './emergency-kit-details.ts';
import * as recoveryCode from './recovery-code.ts';
import * as recovery from './recovery.ts';
import * as organizerRecovery from './organizer-recovery.ts';
import * as twoStep from './two-step.ts';
import * as unlockedSession from './unlocked-session.ts';
import * as organizations from './organizations.ts';
import * as invitations from './invitations.ts';
import * as groups from './groups.ts';
import * as sharing from './vault-sharing.ts';
import * as passkeys from './passkeys.ts';
import * as health from './password-health.ts';
import * as enrollment from './device-enrollment.ts';

export interface LatchkeyClientOptions {
  readonly server: string;
  readonly store?: LocalStore;
  readonly device?: DeviceDescription;
  readonly derivation?: KeyDerivation;
  readonly fetch?: Fetch;
}

export class LatchkeyClient {
  private readonly ctx: ClientContext;

  constructor(options: LatchkeyClientOptions) {
    this.ctx = {
      api: new ApiClient(options.server, options.fetch),
      store: options.store ?? new MemoryStore(),
      device: options.device ?? { name: 'Latchkey SDK', platform: 'unknown' },
      derivation: options.derivation ?? directKeyDerivation,
      keys: undefined,
    };
  }

  get server(): string {
    return this.ctx.api.baseUrl;
  }

  get isUnlocked(): boolean {
    return this.ctx.keys !== undefined;
  }

  readonly signup = {
    start: (email: string) => signup.startSignup(this.ctx, email),
    complete: (params: signup.CompleteSignup) => signup.completeSignup(this.ctx, params),
  };

  signIn(params: signInFlow.SignInParams) {
    return signInFlow.signIn(this.ctx, params);
  }
  unlock(password: string) {
    return signInFlow.unlock(this.ctx, password);
  }
  lock(): void {
    signInFlow.lock(this.ctx);
  }
  signOut() {
    return signInFlow.signOut(this.ctx);
  }
  /**
   * Unlocked sessions for scripts: `start` unlocks with the password once and returns a token;
   * `resume` opens the keys with it in a later process (no password, no re-authentication);
   * `end` deletes the sealed keys, so every token for them stops working.
   */
  readonly unlockedSession = {
    start: (password: string, options?: { idleTimeoutMinutes?: number }) => unlockedSession.startUnlockedSession(this.ctx, password, options),
    resume: (token: string) => unlockedSession.resumeUnlockedSession(this.ctx, token),
    end: () => unlockedSession.forgetUnlockedSession(this.ctx),
  };
  whoami() {
    return sessions.whoami(this.ctx);
  }
  securityLog() {
    return sessions.securityLog(this.ctx);
  }

  /** The caller's own vaults and those shared with them (each `Vault` says its `access`). */
  readonly vaults = {
    list: () => vaults.listVaults(this.ctx),
    create: (name: string) => vaults.createVault(this.ctx, name),
    find: (nameOrId: string) => vaults.findVault(this.ctx, nameOrId),
    /** A new name, sealed under the vault's key (its owner, or a `manage` share). */
    rename: (vaultId: VaultId, name: string) => vaultChanges.renameVault(this.ctx, vaultId, name),
    /** What deleting the vault would remove (its items, Trash, shares, escrows): show it, then pass it to `delete`. */
    describeDeletion: (vaultId: VaultId) => vaultChanges.describeDeletion(this.ctx, vaultId),
    /**
     * Deletes the vault and what `plan` lists, for good (`unlock` within the last 5 minutes first);
     * `conflict` if the vault changed since. Returns how many items went.
     */
    delete: (plan: vaultChanges.VaultDeletionPlan) => vaultChanges.deleteVault(this.ctx, plan),
    /** Shares a (non-Personal) vault the caller owns or manages with a confirmed member or a group. */
    share: (vaultId: VaultId, target: sharing.ShareTarget, role: sharing.VaultShareRole, options?: { organizationId?: string }) =>
      sharing.shareVault(this.ctx, vaultId, target, role, options),
    /** Removes a share; the answer says to rotate what they saw. */
    unshare: (vaultId: VaultId, target: sharing.ShareTarget) => sharing.unshareVault(this.ctx, vaultId, target),
    changeShareRole: (vaultId: VaultId, target: sharing.ShareTarget, role: sharing.VaultShareRole) => sharing.changeShareRole(this.ctx, vaultId, target, role),
    shares: (vaultId: VaultId) => sharing.listVaultShares(this.ctx, vaultId),
  };

  /**
   * Families and teams (docs/protocol.md §22). Every member is shown with the fingerprint this
   * device computes; `confirm` signs only when the fingerprint the person compared matches.
   */
  readonly organizations = {
    create: (params: { name: string; kind: organizations.OrganizationKind }) => organizations.createOrganization(this.ctx, params),
    list: () => organizations.listOrganizations(this.ctx),
    find: (nameOrId: string) => organizations.findOrganization(this.ctx, nameOrId),
    members: (organizationId: string) => organizations.listMembers(this.ctx, organizationId),
    /** A member by email or user id, with their fingerprint. */
    findMember: (organizationId: string, emailOrId: string) => organizations.findMember(this.ctx, organizationId, emailOrId),
    /** The caller's own fingerprint in the organization: read it to whoever confirms them. */
    myFingerprint: (organizationId: string) => organizations.myFingerprint(this.ctx, organizationId),
    confirm: (organizationId: string, userId: string, comparedFingerprint: string) =>
      organizations.confirmMember(this.ctx, organizationId, userId, comparedFingerprint),
    remove: (organizationId: string, userId: string) => organizations.removeMember(this.ctx, organizationId, userId),
    leave: (organizationId: string) => organizations.removeMember(this.ctx, organizationId, this.requireUserId()),
    suspend: (organizationId: string, userId: string) => organizations.suspendMember(this.ctx, organizationId, userId),
    reinstate: (organizationId: string, userId: string) => organizations.reinstateMember(this.ctx, organizationId, userId),
    log: (organizationId: string) => organizations.organizationLog(this.ctx, organizationId),
    /** Organizers and owners: a promotion to a key-holding role wraps the organization key to the member's certified keyset. */
    changeRole: (organizationId: string, userId: string, role: organizations.OrganizationRole) =>
      organizations.changeMemberRole(this.ctx, organizationId, userId, role),
    /** Makes the member organizer (family) or owner (team); `stepDown` makes the caller admin (team) or member (family). */
    transferOwnership: (organizationId: string, userId: string, options: { stepDown: boolean } = { stepDown: false }) =>
      organizations.transferOwnership(this.ctx, organizationId, userId, options),
    /** Teams: removes the member's two-step verification (owners and admins). */
    resetTwoStep: (organizationId: string, userId: string) => organizations.resetMemberTwoStep(this.ctx, organizationId, userId),
    /**
     * Organizer recovery of a member (Recovery Group members, §22.8): `start` → (the member sets
     * up new credentials) → `verificationCode` / `approve(code the member read out)` after the
     * waiting period, which completes once enough approvers approved.
     */
    recovery: {
      start: (organizationId: string, userId: string) => organizerRecovery.startOrganizerRecovery(this.ctx, organizationId, userId),
      list: (organizationId: string) => organizerRecovery.listOrganizerRecoveries(this.ctx, organizationId),
      get: (organizationId: string, recoveryId: string) => organizerRecovery.getOrganizerRecovery(this.ctx, organizationId, recoveryId),
      verificationCode: (organizationId: string, recoveryId: string) =>
        organizerRecovery.organizerRecoveryVerificationCode(this.ctx, organizationId, recoveryId),
      approve: (organizationId: string, recoveryId: string, comparedCode: string) =>
        organizerRecovery.approveOrganizerRecovery(this.ctx, organizationId, recoveryId, comparedCode),
      cancel: (organizationId: string, recoveryId: string) => organizerRecovery.cancelOrganizerRecovery(this.ctx, organizationId, recoveryId),
      setPolicy: (organizationId: string, policy: organizerRecovery.RecoveryPolicy) => organizerRecovery.setRecoveryPolicy(this.ctx, organizationId, policy),
    },
  };

  /** Inviting people (organizers, owners, admins) and accepting an invitation (the invitee). */
  readonly invitations = {
    create: (organizationId: string, email: string, role: organizations.OrganizationRole) => invitations.invite(this.ctx, organizationId, email, role),
    list: (organizationId: string) => invitations.listInvitations(this.ctx, organizationId),
    revoke: (organizationId: string, invitationId: string) => invitations.revokeInvitation(this.ctx, organizationId, invitationId),
    resend: (organizationId: string, invitationId: string) => invitations.resendInvitation(this.ctx, organizationId, invitationId),
    /** What the invitation behind a code (or the emailed link) is, before accepting. */
    describe: (codeOrLink: string) => invitations.describeInvitation(this.ctx, codeOrLink),
    /** Signs the acceptance and returns the fingerprint to compare with the person who confirms. */
    accept: (codeOrLink: string) => invitations.acceptInvitation(this.ctx, codeOrLink),
  };

  /** Groups of an organization; removing a member re-keys the group (the caller must be in it). */
  readonly groups = {
    list: (organizationId: string) => groups.listGroups(this.ctx, organizationId),
    find: (organizationId: string, nameOrId: string) => groups.findGroup(this.ctx, organizationId, nameOrId),
    create: (organizationId: string, name: string, memberUserIds: readonly string[], options?: { includeMe?: boolean }) =>
      groups.createGroup(this.ctx, organizationId, name, memberUserIds, options),
    add: (organizationId: string, groupId: string, userId: string) => groups.addGroupMember(this.ctx, organizationId, groupId, userId),
    remove: (organizationId: string, groupId: string, userId: string) => groups.removeGroupMember(this.ctx, organizationId, groupId, userId),
    delete: (organizationId: string, groupId: string) => groups.deleteGroup(this.ctx, organizationId, groupId),
  };

  private requireUserId(): string {
    return vaults.requireUnlocked(this.ctx).account.id;
  }

  readonly items = {
    /** Every item (of one vault, or of all); `filter` searches and filters on this device (core's item-search). */
    list: async (vaultId?: VaultId, filter?: ItemFilter) => filterItems(await items.listItems(this.ctx, vaultId), filter),
    get: (itemId: ItemId) => items.getItem(this.ctx, itemId),
    create: (vaultId: VaultId, fields: ItemFields) => items.createItem(this.ctx, vaultId, fields),
    update: (itemId: ItemId, changes: Partial<ItemFields>, basedOn?: items.Item) => items.updateItem(this.ctx, itemId, changes, basedOn),
    /** Moves the item to another vault, re-sealed under its key as a new version; returns it there. */
    move: (itemId: ItemId, toVaultId: VaultId, basedOn?: items.Item) => items.moveItem(this.ctx, itemId, toVaultId, basedOn),
    /** Moves the item to the Trash (kept 30 days); returns it as it now sits there. */
    delete: (itemId: ItemId, basedOn?: items.Item) => items.deleteItem(this.ctx, itemId, basedOn),
    /** The vault's Trash, decrypted and checked against this device's version pins. */
    trash: (vaultId: VaultId) => items.listTrash(this.ctx, vaultId),
    restore: (vaultId: VaultId, itemId: ItemId, basedOn?: items.TrashedItem) => items.restoreItem(this.ctx, vaultId, itemId, basedOn),
    /** Deletes one trashed item for good; this device then refuses to see it again (`rollback_detected`). */
    purge: (vaultId: VaultId, itemId: ItemId, basedOn?: items.TrashedItem) => items.purgeItem(this.ctx, vaultId, itemId, basedOn),
    /** Deletes the vault's whole Trash for good; returns how many items went. */
    emptyTrash: (vaultId: VaultId) => items.emptyTrash(this.ctx, vaultId),
    /** Encrypts and uploads an import plan (`@latchkey/core/import-file`): duplicates left out, all or nothing per batch. */
    import: (plan: ImportPlan, options?: importing.ImportOptions) => importing.importPlan(this.ctx, plan, options),
  };

  /** Weak, reused and old passwords among every vault's items, found on this device (`@latchkey/core/password-health`). */
  passwordHealth(options?: HealthOptions) {
    return health.passwordHealth(this.ctx, options);
  }

  /** Passkey accounts (docs/protocol.md §24.9, §24.10): sign up without a password, unlock with a passkey and this device's key. */
  signUpWithPasskey(params: passkeys.PasskeySignup) {
    return passkeys.signUpWithPasskey(this.ctx, params);
  }

  unlockWithPasskey(params: passkeys.PasskeyUnlock) {
    return passkeys.unlockWithPasskey(this.ctx, params);
  }

  /** The account's trusted devices (§24.11). */
  readonly devices = {
    list: () => passkeys.listTrustedDevices(this.ctx),
    rename: (deviceId: string, name: string) => passkeys.renameTrustedDevice(this.ctx, deviceId, name),
    remove: (deviceId: string) => passkeys.removeTrustedDevice(this.ctx, deviceId),
    /**
     * On a new device of a passkey account (§24.7): prove the passkey and ask to be enrolled;
     * `enterCode` with the code a trusted device shows makes this device trusted and signs it in.
     */
    requestEnrollment: (params: enrollment.RequestEnrollment) => enrollment.requestEnrollment(this.ctx, params),
    /** On a trusted device: the new devices asking to be enrolled now. */
    pendingEnrollments: () => enrollment.pendingEnrollments(this.ctx),
    /** On a trusted device: approve one (passkey first), get the code to show and the run's completion. */
    approveEnrollment: (enrollmentId: string, params: enrollment.ApproveEnrollment) => enrollment.approveEnrollment(this.ctx, enrollmentId, params),
  };

  readonly sessions = {
    list: () => sessions.listSessions(this.ctx),
    revoke: (sessionId: SessionId) => sessions.revokeSession(this.ctx, sessionId),
    revokeOthers: () => sessions.revokeOtherSessions(this.ctx),
  };

  /** The signed-in account's recovery code. */
  readonly recoveryCode = {
    /** With two-step verification on, `proof` by an enrolled factor; it also covers confirming this code. */
    create: (proof?: twoStep.FactorProof) => recoveryCode.createRecoveryCode(this.ctx, proof),
    confirm: (code: string) => recoveryCode.confirmRecoveryCode(this.ctx, code),
    check: (code: string) => recoveryCode.checkRecoveryCode(this.ctx, code),
    status: () => recoveryCode.recoveryCodeStatus(this.ctx),
    delete: (proof?: twoStep.FactorProof) => recoveryCode.deleteRecoveryCode(this.ctx, proof),
  };

  /**
   * Recovering an account from the sign-in page ("Having trouble signing in?"), step by step:
   * `start` → `verifyEmail` → ticket → `prove` → grant → `grant.setCredentials(newPassword)`.
   * A wrong recovery code can be retried with the same ticket; `complete` runs every step at once.
   */
  readonly recovery = {
    start: (email: string) => recovery.startRecovery(this.ctx, email),
    verifyEmail: (params: recovery.VerifyRecoveryEmail) => recovery.verifyRecoveryEmail(this.ctx, params),
    prove: (ticket: recovery.RecoveryTicket, secret: recovery.RecoverySecret) => recovery.proveRecovery(this.ctx, ticket, secret),
    complete: (params: recovery.CompleteRecovery) => recovery.completeRecovery(this.ctx, params),
    /**
     * The member's side of an organizer recovery, from the emailed link (signed out): `open` →
     * `sendCode` → `setUpCredentials` (returns the new Secret Key and the verification code to
     * read to the approver); `cancel` with the link; `pending` / `cancelMine` when signed in.
     */
    organizer: {
      open: (token: string) => organizerRecovery.openOrganizerRecoveryLink(this.ctx, token),
      sendCode: (token: string) => organizerRecovery.sendOrganizerRecoveryCode(this.ctx, token),
      setUpCredentials: (params: organizerRecovery.SetUpRecoveredCredentials) => organizerRecovery.setUpRecoveredCredentials(this.ctx, params),
      cancel: (token: string) => organizerRecovery.cancelOrganizerRecoveryByLink(this.ctx, token),
      pending: () => organizerRecovery.myOrganizerRecoveries(this.ctx),
      cancelMine: (recoveryId: string) => organizerRecovery.cancelMyOrganizerRecovery(this.ctx, recoveryId),
    },
  };

  /** Two-step verification: authenticator app, security keys, backup codes. */
  readonly twoStep = {
    status: () => twoStep.twoStepStatus(this.ctx),
    enableTotp: (proof?: twoStep.FactorProof) => twoStep.enableTotp(this.ctx, proof),
    confirmTotp: (otp: string) => twoStep.confirmTotp(this.ctx, otp),
    disableTotp: (proof: twoStep.FactorProof) => twoStep.disableTotp(this.ctx, proof),
    regenerateBackupCodes: (proof: twoStep.FactorProof) => twoStep.regenerateBackupCodes(this.ctx, proof),
    registerSecurityKey: (name: string, ceremony: twoStep.WebAuthnCeremony, proof?: twoStep.FactorProof) =>
      twoStep.registerSecurityKey(this.ctx, name, ceremony, proof),
    removeSecurityKey: (id: string, proof: twoStep.FactorProof) => twoStep.removeSecurityKey(this.ctx, id, proof),
    securityKeyProof: (ceremony: twoStep.WebAuthnCeremony) => twoStep.securityKeyProof(this.ctx, ceremony),
  };

  /** Credential changes; with two-step verification on, each needs `proof` by an enrolled factor. */
  readonly account = {
    changePassword: (currentPassword: string, newPassword: string, proof?: twoStep.FactorProof) =>
      credentials.changePassword(this.ctx, currentPassword, newPassword, proof),
    changeSecretKey: (password: string, proof?: twoStep.FactorProof) => credentials.changeSecretKey(this.ctx, password, proof),
    /** The Emergency Kit's details with this device's (current) Secret Key, after re-authenticating with the password. */
    emergencyKit: (password: string) => currentEmergencyKit(this.ctx, password),
  };
}

export type { Item, TrashedItem } from './items.ts';
export type { ItemFilter } from '@latchkey/core/item-search';
export type { ImportOptions, ImportSummary } from './import.ts';
export type { Vault, VaultAccess } from './vaults.ts';
export type { VaultDeletionPlan } from './vault-changes.ts';
export type { EscrowRefusal, RecoverableBy } from './recovery-group.ts';
export type { OrganizationSummary, OrganizationMember, MembershipEndedResult, OrganizationKind, OrganizationRole, MembershipStatus } from './organizations.ts';
export type { AcceptedInvitation, InvitationDescription, InvitationSummary } from './invitations.ts';
export type { GroupSummary } from './groups.ts';
export type { ShareTarget, VaultShareInfo, VaultShareRole, UnshareResult } from './vault-sharing.ts';
export type { TwoStepProof } from './sign-in.ts';
export type { PasskeyAuthenticator, DeviceKeyProvider, PasskeySignup, PasskeyUnlock } from './passkeys.ts';
export type {
  ApproveEnrollment,
  ApprovedEnrollment,
  NewDeviceEnrollment,
  PendingEnrollment,
  RequestEnrollment,
} from './device-enrollment.ts';
export type { RecoveryTicket, RecoverySecret } from './recovery.ts';
export type { ApprovalResult, RecoveredCredentials, SetUpRecoveredCredentials } from './organizer-recovery.ts';
export type { RecoveryGrant } from './recovery-grant.ts';
export type { PasswordHealthReport, WeakPassword, ReusedPassword, OldPassword, HealthItem } from '@latchkey/core/password-health';
