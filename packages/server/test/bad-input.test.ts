/**
 * SPEC §5.7: bad input (malformed JSON, wrong types, huge bodies, invalid base64, unknown ids)
 * gets a clear 4xx with a stable error code; never a 5xx, never a crash, never a partial write.
 *
 * Driven as data. BODY_ROUTES gives every route that takes a body one valid request; the cases
 * (malformed JSON, wrong types, missing and unknown fields, invalid base64url, values out of
 * bounds, huge bodies, wrong content types) are derived from that route's JSON schema in the
 * OpenAPI document, so a field is tested as soon as it exists and a new body route without a row
 * fails the suite. Every route with an id in its path gets malformed and unknown ids.
 * OPAQUE_CASES sends OPAQUE messages that pass the schema but mean nothing. Every rejected request
 * must leave the data tables exactly as they were, and every error must be
 * `{"error":{"code","message"}}` with a code from ERROR_STATUS and that code's status.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '@latchkey/core/errors';
import { deriveRecoveryKeys, generateRecoveryCode } from '@latchkey/core/recovery-code';
import type { Database } from '../src/storage/schema.ts';
import { ITEM_BATCH_BODY_LIMIT } from '@latchkey/core/wire/vaults';
import { COMPLETE_RECOVERY_BODY_LIMIT } from '@latchkey/core/wire/organizer-recovery';
import { BODY_LIMIT_BYTES } from '../src/app.ts';
import {
  beginReauth,
  beginSignIn,
  expectApiError,
  newRegistrationRequest,
  newVaultBody,
  opaqueLoginStart,
  prepareSignup,
  type RawRequest,
  type RawResponse,
  send,
  signInAgain,
  signUpUser,
  startTestServer,
  type TestServer,
  uniqueEmail,
  usableRegistrationRecord,
  verifiedTicket,
} from '@latchkey/server/testing';
import { signUpWithItem, type AccountWithItem as Account } from './helpers/account-with-item.ts';
import { addGroupMember as wrapForNewGroupMember, rekeyGroup as rekeyGroupKeyset } from '@latchkey/core/group-keyset';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import { certifyAcceptedMember } from '@latchkey/core/organization-keyset';
import {
  acceptanceFor,
  acceptedMember,
  addMember,
  confirmAccepted,
  confirmBody,
  createHttpOrganization,
  createTestGroup,
  ensureRecoveryGroup,
  newRecoveryKeys,
  escrowBody,
  groupBody,
  recoveryGroupBody,
  type HttpOrganization,
  invite,
  organizationBody,
  organizationKeyWrapFor,
  type OrgPerson,
  orgPerson,
  quietPerson,
  revoke,
  share,
  sharedVaultOf,
  shareBody,
  suspend,
} from './helpers/org-http.ts';

interface World {
  readonly server: TestServer;
  readonly db: Kysely<Database>;
  /** Owns vault VA with item IA; most requests are A's. */
  readonly a: Account;
  /** Another account, for "a vault the caller cannot access". */
  readonly b: Account;
  /** Spare sessions the valid requests of sign-out, sign-out-others and credential change may end or spoil. */
  readonly spare: { readonly signOut: string; readonly disposable: string; readonly disposableAccountId: string; readonly sessionIdOfA: string };
  /** A finish body from a real sign-up, with a ticket that is still unused. */
  readonly signup: Awaited<ReturnType<typeof prepareSignup>>;
  /** A's family (A organizes it), with a person in each state and a group and a shared vault. */
  readonly org: OrgWorld;
}

interface OrgWorld {
  readonly organization: HttpOrganization;
  readonly a: OrgPerson;
  /** A confirmed organizer (so a confirmation body carries an organization key wrap), in the group, with a share of the vault. */
  readonly member: OrgPerson;
  readonly memberAcceptance: MemberAcceptance;
  readonly suspended: OrgPerson;
  /** Revoked, so re-sending it is a stable `conflict`. */
  readonly revokedInvitationId: string;
  /** Invited and signed up, not yet accepted: reads the invitation. */
  readonly reader: { readonly person: OrgPerson; readonly code: string };
  /** Invited; the control accepts. */
  readonly acceptor: { readonly person: OrgPerson; readonly code: string; readonly acceptance: MemberAcceptance };
  readonly group: Awaited<ReturnType<typeof createTestGroup>>;
  readonly vault: { readonly id: string; readonly raw: Uint8Array };
  readonly shareId: string;
  /** A's team, with a confirmed member who has no two-step verification (a reset is a stable `invalid_request`). */
  readonly team: { readonly organization: HttpOrganization; readonly member: OrgPerson };
  /** An organizer recovery of A in the family, already cancelled: cancelling it again is a stable `conflict`. */
  readonly cancelledRecoveryId: string;
}

/** A's family and everything the organization routes' valid requests name (the set-up goes through the services). */
async function setUpOrganization(server: TestServer, a: Account): Promise<OrgWorld> {
  const aPerson = await orgPerson(server, a.user, a.profile.id);
  const organization = await createHttpOrganization(server, aPerson);
  const newPerson = async () => orgPerson(server, await signUpUser(server));
  const member = await newPerson();
  const memberAcceptance = await acceptedMember(server, organization, member, 'organizer');
  await confirmAccepted(server, organization, member, 'organizer', memberAcceptance);
  const suspended = await newPerson();
  const suspendedAcceptance = await acceptedMember(server, organization, suspended, 'member');
  await confirmAccepted(server, organization, suspended, 'member', suspendedAcceptance);
  await suspend(server, organization, suspended);
  const revoked = await invite(server, organization, uniqueEmail('revoked'), 'member');
  await revoke(server, organization, revoked.id);
  const readerPerson = await newPerson();
  const reader = { person: readerPerson, code: (await invite(server, organization, readerPerson.email, 'member')).code };
  const acceptorPerson = await newPerson();
  const acceptorCode = (await invite(server, organization, acceptorPerson.email, 'member')).code;
  const acceptor = { person: acceptorPerson, code: acceptorCode, acceptance: await acceptanceFor(server, acceptorPerson, acceptorCode) };
  const group = await createTestGroup(server, organization, [aPerson, member]);
  const vault = await sharedVaultOf(server, aPerson);
  const shareId = await share(server, organization, vault, aPerson, member, 'view');
  // Made here, wrapped to the organizers confirmed above; the escrow row finds it in place.
  await ensureRecoveryGroup(server, organization);
  const team = await createHttpOrganization(server, aPerson, 'team');
  const teamMember = await quietPerson(server);
  await addMember(server, team, teamMember, 'member');
  const cancelledRecoveryId = crypto.randomUUID();
  await server.running.context.db
    .insertInto('organizer_recoveries')
    .values({
      id: cancelledRecoveryId,
      organization_id: organization.id,
      member_user_id: aPerson.id,
      started_by: member.id,
      status: 'cancelled',
      token_hash: crypto.randomUUID(),
      approvals_required: 1,
      waiting_period_seconds: 0,
      end_reason: 'cancelled-by-member',
    })
    .execute();
  return {
    cancelledRecoveryId,
    organization,
    a: aPerson,
    member,
    memberAcceptance,
    suspended,
    revokedInvitationId: revoked.id,
    reader,
    acceptor,
    group,
    vault,
    shareId,
    team: { organization: team, member: teamMember },
  };
}

const orgPath = (w: World, rest = '') => `/api/organizations/${w.org.organization.id}${rest}`;

interface ValidRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly token?: string;
  /** The route's own body limit, where its endpoint declares one (default BODY_LIMIT_BYTES). */
  readonly bodyLimit?: number;
}

/** What a request must get: an error code (or one of several), or a success status. */
type Want = ErrorCode | readonly ErrorCode[] | { readonly status: number };

interface BodyRoute {
  /** A request the schema accepts. Called once per case, so ids can be fresh. */
  readonly valid: (w: World) => ValidRequest | Promise<ValidRequest>;
  /** What the valid request itself gets (sent last): proves each case fails for its one defect. */
  readonly control: Want;
}

const randomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
const b64 = (bytes: number[] | Uint8Array) => Buffer.from(Uint8Array.from(bytes)).toString('base64url');
const filled = (length: number, value: number) => b64(new Array<number>(length).fill(value));
const device = { id: 'bad-input-device-01', name: 'bad input', platform: 'test' };

/** One valid request per route that takes a JSON body, keyed `METHOD /path/{param}`. */
const BODY_ROUTES: Record<string, BodyRoute> = {
  'POST /api/signup/start': { valid: () => ({ path: '/api/signup/start', body: { email: uniqueEmail('bad-input') } }), control: { status: 202 } },
  'POST /api/signup/verify': { valid: () => ({ path: '/api/signup/verify', body: { verificationId: randomId(), code: '12345678' } }), control: 'invalid_code' },
  'POST /api/signup/register': {
    valid: async () => ({ path: '/api/signup/register', body: { ticket: randomId(), registrationRequest: await newRegistrationRequest() } }),
    control: 'code_expired',
  },
  'POST /api/signup/finish': { valid: (w) => ({ path: '/api/signup/finish', body: { ...w.signup.body, ticket: randomId() } }), control: 'code_expired' },
  'POST /api/signup/passkey/options': { valid: () => ({ path: '/api/signup/passkey/options', body: { ticket: randomId() } }), control: 'code_expired' },
  'POST /api/signup/passkey/finish': {
    valid: (w) => ({
      path: '/api/signup/passkey/finish',
      body: {
        ...w.signup.body,
        ticket: randomId(),
        passkey: { id: randomId(), response: { clientDataJSON: 'e30' } },
        sealedBundle: filled(60, 2),
        recoveryCode: { authPublicKey: filled(32, 3), wrappedSymmetricKey: filled(60, 4) },
      },
    }),
    control: 'code_expired',
  },
  'POST /api/auth/passkey/options': {
    valid: () => ({ path: '/api/auth/passkey/options', body: { email: uniqueEmail('bad-input') } }),
    control: { status: 200 },
  },
  'POST /api/auth/passkey/unlock': {
    valid: (w) => ({
      path: '/api/auth/passkey/unlock',
      body: { email: w.a.credentials.email, deviceId: randomId(), response: { id: randomId(), response: { clientDataJSON: 'e30' } } },
    }),
    control: 'invalid_credentials',
  },
  'POST /api/auth/passkey/enrollment-session': {
    valid: (w) => ({
      path: '/api/auth/passkey/enrollment-session',
      body: {
        email: w.a.credentials.email,
        device: { id: randomId(), name: 'New phone', platform: 'test' },
        response: { id: randomId(), response: { clientDataJSON: 'e30' } },
      },
    }),
    control: 'invalid_credentials',
  },
  'POST /api/devices/rename': {
    valid: (w) => ({ path: '/api/devices/rename', token: w.a.token, body: { deviceId: randomId(), name: 'Phone' } }),
    control: 'not_found',
  },
  'POST /api/devices/remove': { valid: (w) => ({ path: '/api/devices/remove', token: w.a.token, body: { deviceId: randomId() } }), control: 'not_found' },
  'POST /api/auth/login/start': {
    valid: async (w) => ({
      path: '/api/auth/login/start',
      body: { email: w.a.credentials.email, ...(await opaqueLoginStart(w.a.credentials)).body, secretKeyVerifier: '0'.repeat(64) },
    }),
    control: 'wrong_secret_key',
  },
  'POST /api/auth/login/finish': {
    valid: () => ({ path: '/api/auth/login/finish', body: { loginId: randomId(), finishLoginRequest: filled(64, 1), device } }),
    control: 'login_expired',
  },
  'POST /api/auth/reauth/start': {
    valid: async (w) => ({
      path: '/api/auth/reauth/start',
      token: w.a.token,
      body: { ...(await opaqueLoginStart(w.a.credentials)).body, secretKeyVerifier: '0'.repeat(64) },
    }),
    control: 'wrong_secret_key',
  },
  'POST /api/auth/reauth/finish': {
    valid: (w) => ({ path: '/api/auth/reauth/finish', token: w.a.token, body: { loginId: randomId(), finishLoginRequest: filled(64, 1) } }),
    control: 'login_expired',
  },
  'POST /api/auth/signout': { valid: (w) => ({ path: '/api/auth/signout', token: w.spare.signOut, body: {} }), control: { status: 200 } },
  'POST /api/account/credentials/start': {
    valid: async (w) => ({ path: '/api/account/credentials/start', token: w.a.token, body: { registrationRequest: await newRegistrationRequest() } }),
    control: { status: 200 },
  },
  'POST /api/account/credentials/finish': {
    // The control really swaps credentials (to nonsense), so it runs in a disposable account.
    valid: async (w) => ({
      path: '/api/account/credentials/finish',
      token: w.spare.disposable,
      // The account id is the account's own: a swap may not change it. The record must be one
      // the OPAQUE library can use (else invalid_registration_record), not one anyone can sign in with.
      body: {
        reason: 'password',
        accountId: w.spare.disposableAccountId,
        registrationRecord: await usableRegistrationRecord(),
        secretKeyVerifier: '0'.repeat(64),
        encryptedSymmetricKey: filled(60, 7),
      },
    }),
    control: { status: 200 },
  },
  'POST /api/sessions/revoke-others': {
    valid: (w) => ({ path: '/api/sessions/revoke-others', token: w.spare.disposable, body: {} }),
    control: { status: 200 },
  },
  'POST /api/vaults': { valid: async (w) => ({ path: '/api/vaults', token: w.a.token, body: await newVaultBody(w.a.profile) }), control: { status: 201 } },
  'POST /api/vaults/{vaultId}/items': {
    valid: (w) => ({ path: `/api/vaults/${w.a.vaultId}/items`, token: w.a.token, body: { id: crypto.randomUUID(), ciphertext: filled(80, 3) } }),
    control: { status: 201 },
  },
  'POST /api/items/batch': {
    valid: (w) => ({
      path: '/api/items/batch',
      token: w.a.token,
      body: { items: [{ vaultId: w.a.vaultId, id: crypto.randomUUID(), ciphertext: filled(80, 3) }] },
      bodyLimit: ITEM_BATCH_BODY_LIMIT,
    }),
    control: { status: 201 },
  },
  // A vault nobody has: not_found once the body passes (renaming a real one to junk would break A's listing).
  'PUT /api/vaults/{vaultId}': {
    valid: (w) => ({ path: `/api/vaults/${crypto.randomUUID()}`, token: w.a.token, body: { encryptedAttrs: filled(60, 3) } }),
    control: 'not_found',
  },
  'DELETE /api/vaults/{vaultId}': {
    valid: (w) => ({ path: `/api/vaults/${crypto.randomUUID()}`, token: w.a.token, body: { expectedItemCount: 0, expectedShareCount: 0 } }),
    control: 'not_found',
  },
  // From A's Personal vault to A's other vault, at a version A's item is not at.
  'POST /api/items/{itemId}/move': {
    valid: (w) => ({
      path: `/api/items/${w.a.itemId}/move`,
      token: w.a.token,
      body: { fromVaultId: w.a.vaultId, toVaultId: w.org.vault.id, expectedVersion: 99, ciphertext: filled(80, 3) },
    }),
    control: 'conflict',
  },
  'PUT /api/vaults/{vaultId}/items/{itemId}': {
    valid: (w) => ({ path: `/api/vaults/${w.a.vaultId}/items/${w.a.itemId}`, token: w.a.token, body: { expectedVersion: 99, ciphertext: filled(80, 3) } }),
    control: 'conflict',
  },
  'DELETE /api/vaults/{vaultId}/items/{itemId}': {
    valid: (w) => ({ path: `/api/vaults/${w.a.vaultId}/items/${w.a.itemId}`, token: w.a.token, body: { expectedVersion: 99, ciphertext: filled(80, 3) } }),
    control: 'conflict',
  },
  // A's item is live, so neither finds it in the Trash: not_found, whatever the version.
  'POST /api/vaults/{vaultId}/trash/{itemId}/restore': {
    valid: (w) => ({
      path: `/api/vaults/${w.a.vaultId}/trash/${w.a.itemId}/restore`,
      token: w.a.token,
      body: { expectedVersion: 99, ciphertext: filled(80, 3) },
    }),
    control: 'not_found',
  },
  'DELETE /api/vaults/{vaultId}/trash/{itemId}': {
    valid: (w) => ({ path: `/api/vaults/${w.a.vaultId}/trash/${w.a.itemId}`, token: w.a.token, body: { expectedVersion: 99 } }),
    control: 'not_found',
  },
  'POST /api/recovery-code': {
    valid: (w) => ({
      path: '/api/recovery-code',
      token: w.a.token,
      body: { authPublicKey: deriveRecoveryKeys(generateRecoveryCode()).authPublicKey, wrappedSymmetricKey: filled(60, 7) },
    }),
    control: { status: 201 },
  },
  'POST /api/recovery-code/challenge': {
    valid: (w) => ({ path: '/api/recovery-code/challenge', token: w.a.token, body: { purpose: 'confirm' } }),
    control: { status: 200 },
  },
  'POST /api/recovery-code/confirm': {
    valid: (w) => ({ path: '/api/recovery-code/confirm', token: w.a.token, body: { challengeId: randomId(), proof: filled(64, 1) } }),
    control: 'challenge_expired',
  },
  'POST /api/recovery-code/check': {
    valid: (w) => ({ path: '/api/recovery-code/check', token: w.a.token, body: { challengeId: randomId(), proof: filled(64, 1) } }),
    control: 'challenge_expired',
  },
  'DELETE /api/recovery-code': { valid: (w) => ({ path: '/api/recovery-code', token: w.a.token, body: {} }), control: { status: 200 } },
  'POST /api/two-step/totp': { valid: (w) => ({ path: '/api/two-step/totp', token: w.a.token, body: {} }), control: { status: 200 } },
  'POST /api/two-step/totp/confirm': {
    valid: (w) => ({ path: '/api/two-step/totp/confirm', token: w.a.token, body: { otp: '000000' } }),
    control: 'invalid_code',
  },
  'POST /api/two-step/totp/disable': {
    valid: (w) => ({ path: '/api/two-step/totp/disable', token: w.a.token, body: { otp: '000000' } }),
    control: 'invalid_request',
  },
  'POST /api/two-step/backup-codes/regenerate': {
    valid: (w) => ({ path: '/api/two-step/backup-codes/regenerate', token: w.a.token, body: {} }),
    control: 'invalid_request',
  },
  'POST /api/two-step/security-keys/options': {
    valid: (w) => ({ path: '/api/two-step/security-keys/options', token: w.a.token, body: {} }),
    control: { status: 200 },
  },
  'POST /api/two-step/security-keys': {
    valid: (w) => ({
      path: '/api/two-step/security-keys',
      token: w.a.token,
      body: { name: 'Key', response: { id: randomId(), response: { clientDataJSON: 'e30' } } },
    }),
    control: 'invalid_request',
  },
  'DELETE /api/two-step/security-keys/{id}': {
    valid: (w) => ({ path: `/api/two-step/security-keys/${randomId()}`, token: w.a.token, body: {} }),
    control: 'not_found',
  },
  // A full session may not ask (only an enrollment session), nor approve (A's device is not trusted).
  'POST /api/device-enrollments': { valid: (w) => ({ path: '/api/device-enrollments', token: w.a.token, body: {} }), control: 'forbidden' },
  'POST /api/device-enrollments/approve': {
    valid: (w) => ({ path: '/api/device-enrollments/approve', token: w.a.token, body: { enrollmentId: randomId() } }),
    control: 'device_not_trusted',
  },
  'POST /api/device-enrollments/messages': {
    valid: (w) => ({ path: '/api/device-enrollments/messages', token: w.a.token, body: { enrollmentId: randomId(), step: 1, message: filled(32, 1) } }),
    control: 'not_found',
  },
  'POST /api/device-enrollments/finish': {
    valid: (w) => ({ path: '/api/device-enrollments/finish', token: w.a.token, body: { enrollmentId: randomId(), sealedBundle: filled(60, 2) } }),
    control: 'not_found',
  },
  'POST /api/two-step/security-keys/proof-options': {
    valid: (w) => ({ path: '/api/two-step/security-keys/proof-options', token: w.a.token, body: {} }),
    control: 'invalid_request',
  },
  'POST /api/auth/two-step/options': { valid: (w) => ({ path: '/api/auth/two-step/options', token: w.a.token, body: {} }), control: 'invalid_request' },
  'POST /api/auth/two-step': { valid: (w) => ({ path: '/api/auth/two-step', token: w.a.token, body: { otp: '000000' } }), control: 'invalid_request' },
  'POST /api/organizations': {
    valid: async (w) => ({ path: '/api/organizations', token: w.a.token, body: (await organizationBody(w.org.a)).body }),
    control: { status: 201 },
  },
  'POST /api/organizations/{organizationId}/invitations': {
    valid: (w) => ({ path: orgPath(w, '/invitations'), token: w.a.token, body: { email: uniqueEmail('invited'), role: 'member' } }),
    control: { status: 201 },
  },
  'POST /api/organizations/{organizationId}/invitations/{invitationId}/resend': {
    valid: (w) => ({ path: orgPath(w, `/invitations/${w.org.revokedInvitationId}/resend`), token: w.a.token, body: {} }),
    control: 'conflict',
  },
  'POST /api/invitations/describe': {
    valid: (w) => ({ path: '/api/invitations/describe', token: w.org.reader.person.token, body: { token: w.org.reader.code } }),
    control: { status: 200 },
  },
  'POST /api/invitations/accept': {
    valid: (w) => ({
      path: '/api/invitations/accept',
      token: w.org.acceptor.person.token,
      body: { token: w.org.acceptor.code, acceptance: w.org.acceptor.acceptance },
    }),
    control: { status: 200 },
  },
  'POST /api/organizations/{organizationId}/members/{userId}/confirm': {
    // Already confirmed: a stable conflict, after every check of the body.
    valid: async (w) => ({
      path: orgPath(w, `/members/${w.org.member.id}/confirm`),
      token: w.a.token,
      body: await confirmBody(w.org.organization, w.org.member, 'organizer', w.org.memberAcceptance),
    }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/members/{userId}/suspend': {
    valid: (w) => ({ path: orgPath(w, `/members/${w.org.suspended.id}/suspend`), token: w.a.token, body: {} }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/members/{userId}/reinstate': {
    valid: (w) => ({ path: orgPath(w, `/members/${w.org.member.id}/reinstate`), token: w.a.token, body: {} }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/members/{userId}/role': {
    // The member is an organizer, not the member the request says it saw: a stable conflict.
    valid: async (w) => ({
      path: orgPath(w, `/members/${w.org.member.id}/role`),
      token: w.a.token,
      body: { from: 'member', role: 'organizer', organizationKeyWrap: await organizationKeyWrapFor(w.org.organization, w.org.member) },
    }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/members/{userId}/transfer': {
    // Already an organizer: a stable conflict.
    valid: async (w) => ({
      path: orgPath(w, `/members/${w.org.member.id}/transfer`),
      token: w.a.token,
      body: { from: 'organizer', stepDown: false, organizationKeyWrap: await organizationKeyWrapFor(w.org.organization, w.org.member) },
    }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/members/{userId}/reset-two-step': {
    // A team member without two-step verification: nothing to reset, a stable invalid_request.
    valid: (w) => ({
      path: `/api/organizations/${w.org.team.organization.id}/members/${w.org.team.member.id}/reset-two-step`,
      token: w.a.token,
      body: {},
    }),
    control: 'invalid_request',
  },
  'POST /api/organizations/{organizationId}/groups': {
    valid: async (w) => ({ path: orgPath(w, '/groups'), token: w.a.token, body: (await groupBody(w.org.organization, [w.org.a])).body }),
    control: { status: 201 },
  },
  'POST /api/organizations/{organizationId}/recovery-group': {
    // The organization has one already: a stable already_exists, after every check of the body.
    valid: async (w) => ({ path: orgPath(w, '/recovery-group'), token: w.a.token, body: (await recoveryGroupBody(w.server, w.org.organization)).body }),
    control: 'already_exists',
  },
  'PUT /api/vaults/{vaultId}/recovery-escrows/{organizationId}': {
    // The server cannot tell a vault key from other 32 bytes; it checks what the wrap names and who signed it.
    valid: async (w) => ({
      path: `/api/vaults/${w.a.vaultId}/recovery-escrows/${w.org.organization.id}`,
      token: w.a.token,
      body: await escrowBody(
        { id: w.a.vaultId, raw: crypto.getRandomValues(new Uint8Array(32)) },
        w.org.a,
        await ensureRecoveryGroup(w.server, w.org.organization),
      ),
    }),
    control: { status: 200 },
  },
  'POST /api/organizations/{organizationId}/recoveries': {
    // A cannot recover themselves: a stable invalid_request, after every check of the organization.
    valid: async (w) => {
      await ensureRecoveryGroup(w.server, w.org.organization);
      return { path: orgPath(w, '/recoveries'), token: w.a.token, body: { userId: w.a.profile.id } };
    },
    control: 'invalid_request',
  },
  'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/cancel': {
    valid: (w) => ({ path: orgPath(w, `/recoveries/${w.org.cancelledRecoveryId}/cancel`), token: w.a.token, body: {} }),
    control: 'conflict',
  },
  'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/approve': {
    // The recovery is A's own: another organizer approves it, a stable forbidden.
    valid: (w) => ({ path: orgPath(w, `/recoveries/${w.org.cancelledRecoveryId}/approve`), token: w.a.token, body: {} }),
    control: 'forbidden',
  },
  'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/complete': {
    valid: async (w) => {
      const keys = await newRecoveryKeys(w.org.organization, w.a.profile.id);
      const certificate = certifyAcceptedMember(w.org.organization.id, w.org.organization.keyset, keys.acceptance);
      return {
        path: orgPath(w, `/recoveries/${w.org.cancelledRecoveryId}/complete`),
        token: w.a.token,
        body: { wraps: [], certificate },
        bodyLimit: COMPLETE_RECOVERY_BODY_LIMIT,
      };
    },
    control: 'forbidden',
  },
  'POST /api/organizer-recovery/describe': {
    valid: () => ({ path: '/api/organizer-recovery/describe', body: { token: filled(32, 7) } }),
    control: 'not_found',
  },
  'POST /api/organizer-recovery/send-code': {
    valid: () => ({ path: '/api/organizer-recovery/send-code', body: { token: filled(32, 7) } }),
    control: 'not_found',
  },
  'POST /api/organizer-recovery/verify': {
    valid: () => ({ path: '/api/organizer-recovery/verify', body: { token: filled(32, 7), verificationId: randomId(), code: '12345678' } }),
    control: 'not_found',
  },
  'POST /api/organizer-recovery/register': {
    valid: async () => ({
      path: '/api/organizer-recovery/register',
      body: { token: filled(32, 7), ticket: filled(32, 8), registrationRequest: await newRegistrationRequest() },
    }),
    control: 'not_found',
  },
  'POST /api/organizer-recovery/credentials': {
    valid: async (w) => {
      const keys = await newRecoveryKeys(w.org.organization, w.a.profile.id);
      return {
        path: '/api/organizer-recovery/credentials',
        body: {
          token: filled(32, 7),
          ticket: filled(32, 8),
          accountId: 'ABCDEF',
          registrationRecord: filled(192, 9),
          secretKeyVerifier: '0'.repeat(64),
          keyset: keys.encrypted,
          acceptance: keys.acceptance,
        },
      };
    },
    control: 'not_found',
  },
  'PUT /api/organizations/{organizationId}/recovery-policy': {
    valid: (w) => ({ path: orgPath(w, '/recovery-policy'), token: w.a.token, body: { waitingPeriodSeconds: 86400, approvalsRequired: 1 } }),
    control: { status: 200 },
  },
  'POST /api/organizer-recoveries/{recoveryId}/cancel': {
    valid: (w) => ({ path: `/api/organizer-recoveries/${w.org.cancelledRecoveryId}/cancel`, token: w.a.token, body: {} }),
    control: 'conflict',
  },
  'POST /api/organizer-recovery/cancel': {
    valid: () => ({ path: '/api/organizer-recovery/cancel', body: { token: filled(32, 7) } }),
    control: 'not_found',
  },
  'POST /api/organizations/{organizationId}/groups/{groupId}/members': {
    // Already in the group: already_exists, after every check of the wrap.
    valid: async (w) => ({
      path: orgPath(w, `/groups/${w.org.group.id}/members`),
      token: w.a.token,
      body: {
        userId: w.org.member.id,
        keyVersion: 1,
        wrap: await wrapForNewGroupMember(
          { organizationId: w.org.organization.id, keyset: w.org.organization.keyset },
          { groupId: w.org.group.id, keyVersion: 1, keyset: w.org.group.version.keyset },
          w.org.member.member,
        ),
      },
    }),
    control: 'already_exists',
  },
  'POST /api/organizations/{organizationId}/groups/{groupId}/rekey': {
    // From a version the group is not at: a stable conflict, after the certificate checks.
    valid: async (w) => {
      const next = await rekeyGroupKeyset(
        { organizationId: w.org.organization.id, keyset: w.org.organization.keyset },
        w.org.group.id,
        4,
        [w.org.a.member, w.org.member.member],
        [w.org.member.id],
      );
      return {
        path: orgPath(w, `/groups/${w.org.group.id}/rekey`),
        token: w.a.token,
        body: { fromKeyVersion: 4, keyset: next.sealed, certificate: next.certificate, removeUserIds: [w.org.member.id], members: next.wraps, vaultShares: [] },
      };
    },
    control: 'conflict',
  },
  'POST /api/vaults/{vaultId}/shares': {
    // Shared with them already: already_exists, after every check of the wrap.
    valid: async (w) => ({
      path: `/api/vaults/${w.org.vault.id}/shares`,
      token: w.a.token,
      body: await shareBody(w.org.organization, w.org.vault, w.org.a, w.org.member, 'edit'),
    }),
    control: 'already_exists',
  },
  'PUT /api/vaults/{vaultId}/shares/{shareId}': {
    valid: (w) => ({ path: `/api/vaults/${w.org.vault.id}/shares/${w.org.shareId}`, token: w.a.token, body: { role: 'view' } }),
    control: { status: 200 },
  },
  'POST /api/recovery/start': { valid: () => ({ path: '/api/recovery/start', body: { email: uniqueEmail('bad-input') } }), control: { status: 202 } },
  'POST /api/recovery/verify': {
    valid: () => ({ path: '/api/recovery/verify', body: { verificationId: randomId(), code: '12345678' } }),
    control: 'invalid_code',
  },
  'POST /api/recovery/prove': { valid: () => ({ path: '/api/recovery/prove', body: { ticket: randomId(), proof: filled(64, 1) } }), control: 'code_expired' },
  'POST /api/recovery/register': {
    valid: async () => ({ path: '/api/recovery/register', body: { grant: randomId(), registrationRequest: await newRegistrationRequest() } }),
    control: 'code_expired',
  },
  'POST /api/recovery/finish': {
    valid: () => ({
      path: '/api/recovery/finish',
      body: {
        grant: randomId(),
        accountId: 'ABCDEF',
        registrationRecord: filled(192, 7),
        secretKeyVerifier: '0'.repeat(64),
        encryptedSymmetricKey: filled(60, 7),
      },
    }),
    control: 'code_expired',
  },
};

// ---------------------------------------------------------------------------------------------
// Cases derived from a JSON schema

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  anyOf?: JsonSchema[];
}

const BASE64URL_PATTERN = '^[A-Za-z0-9_-]*$';

/** What a case sends instead of the valid body (method, path and token stay the valid request's). */
type BodyChange = Omit<RawRequest, 'method' | 'path' | 'token'>;

/** A change to a valid request, and what it must get. */
interface Case {
  readonly name: string;
  readonly want: Want;
  readonly build: (valid: ValidRequest) => BodyChange;
}

/** A request of a runCases case; the method is the route's. */
type CaseRequest = Omit<RawRequest, 'method'>;

const asJson = (body: unknown): BodyChange => ({ rawBody: JSON.stringify(body), contentType: 'application/json' });

/** Returns a copy of `body` with the value at `path` replaced (or removed when `value` is `REMOVE`). */
const REMOVE = Symbol('remove');
function withValue(body: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}

function wrongTypes(schema: JsonSchema): Array<[string, unknown]> {
  if (schema.anyOf !== undefined)
    return [
      ['a number', 1],
      ['null', null],
      ['a value outside the union', 'not-one-of-these'],
    ];
  switch (schema.type) {
    case 'string':
      return [
        ['a number', 42],
        ['a boolean', true],
        ['null', null],
        ['an object', {}],
        ['an array', ['x']],
      ];
    case 'integer':
      return [
        ['a numeric string', '1'],
        ['a fraction', 1.5],
        ['null', null],
        ['a boolean', true],
        ['an object', {}],
      ];
    case 'array':
      return [
        ['a string', 'x'],
        ['a number', 1],
        ['null', null],
        ['an object', {}],
      ];
    case 'object':
      return [
        ['a string', 'x'],
        ['a number', 1],
        ['null', null],
        ['an array', []],
      ];
    case 'boolean':
      // No coercion: "true", 1 and null are not a yes.
      return [
        ['a string', 'true'],
        ['a number', 1],
        ['null', null],
        ['an object', {}],
      ];
    default:
      throw new Error(`no wrong-type values for schema ${JSON.stringify(schema)}: teach wrongTypes()`);
  }
}

/** Values a string field must refuse, judged from its schema alone. */
function badStrings(schema: JsonSchema, valid: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (schema.pattern === BASE64URL_PATTERN) {
    for (const bad of ['ab+c', 'ab/c', 'abc=', 'ab c', 'ab.c', 'ab\u00e9', 'ab%2F']) out.push([`invalid base64url ${JSON.stringify(bad)}`, bad]);
  } else if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern);
    const candidates: Array<[string, string]> = [
      ['trailing space', `${valid} `],
      ['symbols', '<script>'],
      ['upper case', valid.toUpperCase()],
      ['a newline inside', `${valid.slice(0, 1)}\n${valid.slice(1)}`],
    ];
    for (const [what, bad] of candidates) if (!pattern.test(bad)) out.push([`not matching its pattern (${what})`, bad]);
  }
  if ((schema.minLength ?? 0) > 0) out.push(['empty', '']);
  if (schema.maxLength !== undefined) out.push([`longer than ${schema.maxLength}`, 'A'.repeat(schema.maxLength + 1)]);
  return out;
}

/** Wrong types, bad strings, numbers out of range, missing and unknown fields, for every field at every depth. */
function fieldCases(schema: JsonSchema, body: Record<string, unknown>, path: readonly string[] = []): Case[] {
  const cases: Case[] = [];
  const at = (p: readonly string[]) => `body.${p.join('.')}`;
  const node = path.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, body);
  if (schema.additionalProperties === false) {
    const p = [...path, 'unexpectedField'];
    cases.push({
      name: `${path.length ? at(path) : 'body'} with an unknown field`,
      want: 'invalid_request',
      build: (v) => ({ ...asJson(withValue(v.body, p, 'x')) }),
    });
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const p = [...path, key];
    if (schema.required?.includes(key)) cases.push({ name: `${at(p)} missing`, want: 'invalid_request', build: (v) => asJson(withValue(v.body, p, REMOVE)) });
    for (const [what, value] of wrongTypes(sub))
      cases.push({ name: `${at(p)} is ${what}`, want: 'invalid_request', build: (v) => asJson(withValue(v.body, p, value)) });
    if (sub.type === 'string' && sub.anyOf === undefined) {
      for (const [what, value] of badStrings(sub, String(node[key])))
        cases.push({ name: `${at(p)} ${what}`, want: 'invalid_request', build: (v) => asJson(withValue(v.body, p, value)) });
    }
    if (sub.type === 'integer' && sub.minimum !== undefined) {
      cases.push({ name: `${at(p)} below ${sub.minimum}`, want: 'invalid_request', build: (v) => asJson(withValue(v.body, p, sub.minimum! - 1)) });
      cases.push({
        name: `${at(p)} overflowing (1e400)`,
        want: 'invalid_request',
        build: (v) => ({ rawBody: JSON.stringify(withValue(v.body, p, 0)).replace(`"${key}":0`, `"${key}":1e400`), contentType: 'application/json' }),
      });
    }
    if (sub.type === 'object') cases.push(...fieldCases(sub, body, p));
  }
  return cases;
}

/** Cases every body route gets, whatever its fields. */
const ENVELOPE_CASES: Case[] = [
  ...['{', '{"a":', "{'a': 1}", '{"a": 1,}', '{"a": undefined}', 'NaN', '\u0000', '{"a": 1} trailing', '\ufeff{}x'].map(
    (raw): Case => ({
      name: `malformed JSON ${JSON.stringify(raw)}`,
      want: 'malformed_json',
      build: () => ({ rawBody: raw, contentType: 'application/json' }),
    }),
  ),
  ...['null', '[]', '"text"', '42', 'true', '[{}]'].map(
    (raw): Case => ({ name: `JSON ${raw} instead of an object`, want: 'invalid_request', build: () => ({ rawBody: raw, contentType: 'application/json' }) }),
  ),
  { name: 'empty body declared as JSON', want: 'invalid_request', build: () => ({ rawBody: '', contentType: 'application/json' }) },
  { name: 'no body and no content type', want: 'invalid_request', build: () => ({ contentType: null }) },
  {
    name: 'a prototype-polluting key',
    want: ['malformed_json', 'invalid_request'],
    build: (v) => ({ rawBody: JSON.stringify(v.body).replace('{', '{"__proto__":{"isAdmin":true},'), contentType: 'application/json' }),
  },
  ...[
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/json',
    'application/octet-stream',
    'application/json-patch+json',
  ].map(
    (contentType): Case => ({
      name: `content type ${contentType}`,
      want: 'unsupported_media_type',
      build: (v) => ({ rawBody: JSON.stringify(v.body), contentType }),
    }),
  ),
  {
    name: 'a body over the limit',
    want: 'body_too_large',
    build: (v) => ({ rawBody: JSON.stringify({ ...v.body, padding: 'A'.repeat(v.bodyLimit ?? BODY_LIMIT_BYTES) }), contentType: 'application/json' }),
  },
  {
    name: 'a body over the limit sent in chunks without a length',
    want: 'body_too_large',
    build: (v) => ({ rawBody: chunked(JSON.stringify({ ...v.body, padding: 'A'.repeat(v.bodyLimit ?? BODY_LIMIT_BYTES) })), contentType: 'application/json' }),
  },
];

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
      offset += 64 * 1024;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Checking responses and the database

function problemWith(res: RawResponse, want: Want, context: string): string | undefined {
  try {
    if (typeof want === 'object' && 'status' in want) expect(res.status, `${context} → ${res.text.slice(0, 300)}`).toBe(want.status);
    else expectApiError(res, want, context);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Tables a rejected request may change by design: attempt counters, and single-use state a failed proof uses up. */
const EPHEMERAL_TABLES = new Set(['rate_limits', 'login_attempts', 'challenges']);
/** Security events that record a rejected sign-in or unlock. */
const FAILURE_EVENTS = new Set(['sign-in.failed', 'sign-in.wrong-secret-key', 'sign-in.abandoned']);
/** Notices that tell the owner of rejected attempts (SPEC §5.12), queued with their events. */
const FAILURE_NOTICES = new Set(['password-guesses', 'wrong-secret-key-attempts', 'second-factor-failed', 'recovery-code-failed']);

/** Every other table (found through the schema, so new tables are covered), in a comparable form; usage timestamps left out. */
async function dataTables(db: Kysely<Database>): Promise<Record<string, string[]>> {
  // Table names come from introspection, so the query builder cannot type them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: the test reaches every table by name, including ones outside the typed schema.
  const anyDb = db as unknown as Kysely<any>;
  const out: Record<string, string[]> = {};
  for (const table of await db.introspection.getTables()) {
    if (EPHEMERAL_TABLES.has(table.name)) continue;
    const rows = (await anyDb.selectFrom(table.name).selectAll().execute()) as Array<Record<string, unknown>>;
    // A failed sign-in is logged by design (SPEC §5.12): that event is the one write it makes,
    // with, when they pile up, the notice to the owner. A notice's delivery state is the
    // sender's, which goes on in the background: only what was queued counts.
    const kept: Array<Record<string, unknown>> =
      table.name === 'security_events'
        ? rows.filter((r) => !FAILURE_EVENTS.has(String(r.type)))
        : table.name === 'outbox'
          ? rows
              .filter((r) => !FAILURE_NOTICES.has(String(r.kind)))
              .map(({ id, recipient, kind, data, dedupe_key, created_at }) => ({ id, recipient, kind, data, dedupe_key, created_at }))
          : rows;
    out[table.name] = kept.map(({ last_used_at: _, ...rest }) => JSON.stringify(rest)).sort();
  }
  return out;
}

/** Sends each case; returns every problem found, including any change to the data tables. */
async function runCases(
  w: World,
  label: string,
  method: string,
  cases: ReadonlyArray<{ name: string; want: Want; request: () => Promise<CaseRequest> }>,
): Promise<string[]> {
  const problems: string[] = [];
  const before = await dataTables(w.db);
  for (const c of cases) {
    const request = await c.request();
    const res = await send(w.server, { ...request, method });
    const problem = problemWith(res, c.want, `${label}: ${c.name}`);
    if (problem !== undefined) problems.push(problem);
  }
  const after = await dataTables(w.db);
  for (const table of Object.keys(before)) {
    if (JSON.stringify(after[table]) !== JSON.stringify(before[table])) problems.push(`${label}: rejected requests changed table ${table}`);
  }
  return problems;
}

const setUpAccount = (server: TestServer): Promise<Account> =>
  signUpWithItem(server, () => ({ kind: 'login', title: 'Bank', username: 'a', password: 'item-secret' }));

interface OpenApi {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: { 'application/json': { schema: JsonSchema } } }; parameters?: Array<{ in: string; name: string }> }>
  >;
}

let w: World;
let doc: OpenApi;

beforeAll(async () => {
  const server = await startTestServer();
  const a = await setUpAccount(server);
  const b = await setUpAccount(server);
  const disposable = await signUpUser(server);
  w = {
    server,
    db: server.running.context.db,
    a,
    b,
    spare: {
      signOut: (await signInAgain(server, b.credentials)).token,
      disposable: (await disposable.store.read()).session!.token,
      disposableAccountId: disposable.secretKey.split('-')[1]!,
      sessionIdOfA: (await signInAgain(server, a.credentials)).id,
    },
    signup: await prepareSignup(server, uniqueEmail('half-signed-up')),
    org: await setUpOrganization(server, a),
  };
  doc = (await send(server, { method: 'GET', path: '/api/openapi.json' })).json as OpenApi;
});
afterAll(() => w?.server.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
  );

describe('request bodies', () => {
  it('BODY_ROUTES has a row for exactly the routes that take a body', () => {
    const withBody = operations()
      .filter((o) => o.op.requestBody !== undefined)
      .map((o) => o.key);
    expect(withBody.sort(), 'a route that takes a body needs a row in BODY_ROUTES').toEqual(Object.keys(BODY_ROUTES).sort());
  });

  it.each(Object.keys(BODY_ROUTES))('%s: every malformed body is a 4xx with a stable code, and writes nothing', async (key) => {
    const route = BODY_ROUTES[key]!;
    const operation = operations().find((o) => o.key === key)!;
    const schema = operation.op.requestBody!.content['application/json'].schema;
    const sample = await route.valid(w);
    const cases = [...ENVELOPE_CASES, ...fieldCases(schema, sample.body)];
    const problems = await runCases(
      w,
      key,
      operation.method,
      cases.map((c) => ({
        name: c.name,
        want: c.want,
        request: async () => {
          const valid = await route.valid(w);
          return { ...c.build(valid), path: valid.path, ...(valid.token === undefined ? {} : { token: valid.token }) };
        },
      })),
    );
    const control = await route.valid(w);
    const res = await send(w.server, {
      method: operation.method,
      path: control.path,
      body: control.body,
      ...(control.token === undefined ? {} : { token: control.token }),
    });
    const problem = problemWith(res, route.control, `${key}: the valid request`);
    expect([...problems, ...(problem === undefined ? [] : [problem])]).toEqual([]);
    expect(cases.length).toBeGreaterThan(ENVELOPE_CASES.length);
  });
});

describe('ids in paths', () => {
  /** A bad id, and (when not 400 invalid_request) what else it may get. */
  const BAD_IDS: Array<[string, (valid: string) => string, ErrorCode[]?]> = [
    ['not a UUID', () => 'not-a-uuid'],
    ['an upper-case UUID', (v) => v.toUpperCase()],
    ['a UUID with an extra character', (v) => `${v}0`],
    ['a UUID without dashes', (v) => v.replaceAll('-', '')],
    ['a UUID with a non-hex digit', (v) => `${v.slice(0, -1)}g`],
    ['an SQL fragment', () => encodeURIComponent("1' OR '1'='1")],
    ['a NUL byte', () => '%00'],
    // URL parsing folds a dot-dot segment away before any route sees it: no such endpoint.
    ['a dot-dot segment', () => '%2E%2E', ['invalid_request', 'not_found']],
    ['an invalid percent-encoding', () => '%ZZ'],
    // Over the router's parameter length: refused by the router, or (GET) left to the web app's fallback, which has no such endpoint.
    ['an id far too long', () => 'a'.repeat(500), ['invalid_request', 'not_found']],
    ['a number', () => '12345'],
  ];

  const fitsSchema = (param: { schema?: { pattern?: string } }, value: string): boolean => {
    const pattern = param.schema?.pattern;
    if (pattern === undefined || /%/.test(value)) return false;
    return new RegExp(pattern).test(value);
  };

  /** The real ids a route's valid request names, by path parameter. */
  const idsIn = (key: string): Record<string, string> => ({
    vaultId: key.includes('/shares') ? w.org.vault.id : w.a.vaultId,
    itemId: w.a.itemId,
    id: w.spare.sessionIdOfA,
    organizationId: key.endsWith('/reset-two-step') ? w.org.team.organization.id : w.org.organization.id,
    invitationId: w.org.revokedInvitationId,
    userId: key.endsWith('/reset-two-step')
      ? w.org.team.member.id
      : key.endsWith('/confirm') || key.endsWith('/reinstate') || key.endsWith('/role') || key.endsWith('/transfer')
        ? w.org.member.id
        : w.org.suspended.id,
    groupId: w.org.group.id,
    shareId: w.org.shareId,
    recoveryId: w.org.cancelledRecoveryId,
  });

  const paramRoutes = () => operations().filter((o) => (o.op.parameters ?? []).some((p) => p.in === 'path'));

  async function validRequest(key: string, method: string): Promise<ValidRequest | { path: string; body?: undefined; token: string }> {
    const bodyRoute = BODY_ROUTES[key];
    if (bodyRoute !== undefined) return bodyRoute.valid(w);
    const fill = idsIn(key);
    const path = key.slice(method.length + 1).replace(/\{(\w+)\}/g, (_, name: string) => fill[name] ?? `{${name}}`);
    return { path, token: w.a.token };
  }

  it('covers the routes with ids in their path', () => {
    expect(
      paramRoutes()
        .map((o) => o.key)
        .sort(),
    ).toEqual([
      'DELETE /api/organizations/{organizationId}/groups/{groupId}',
      'DELETE /api/organizations/{organizationId}/invitations/{invitationId}',
      'DELETE /api/organizations/{organizationId}/members/{userId}',
      'DELETE /api/sessions/{id}',
      'DELETE /api/two-step/security-keys/{id}',
      'DELETE /api/vaults/{vaultId}',
      'DELETE /api/vaults/{vaultId}/items/{itemId}',
      'DELETE /api/vaults/{vaultId}/shares/{shareId}',
      'DELETE /api/vaults/{vaultId}/trash',
      'DELETE /api/vaults/{vaultId}/trash/{itemId}',
      'GET /api/items/{itemId}',
      'GET /api/organizations/{organizationId}',
      'GET /api/organizations/{organizationId}/groups',
      'GET /api/organizations/{organizationId}/groups/{groupId}',
      'GET /api/organizations/{organizationId}/invitations',
      'GET /api/organizations/{organizationId}/log',
      'GET /api/organizations/{organizationId}/members',
      'GET /api/organizations/{organizationId}/recoveries',
      'GET /api/organizations/{organizationId}/recoveries/{recoveryId}',
      'GET /api/organizations/{organizationId}/recovery-group',
      'GET /api/vaults/{vaultId}/items',
      'GET /api/vaults/{vaultId}/shares',
      'GET /api/vaults/{vaultId}/trash',
      'POST /api/items/{itemId}/move',
      'POST /api/organizations/{organizationId}/groups',
      'POST /api/organizations/{organizationId}/groups/{groupId}/members',
      'POST /api/organizations/{organizationId}/groups/{groupId}/rekey',
      'POST /api/organizations/{organizationId}/invitations',
      'POST /api/organizations/{organizationId}/invitations/{invitationId}/resend',
      'POST /api/organizations/{organizationId}/members/{userId}/confirm',
      'POST /api/organizations/{organizationId}/members/{userId}/reinstate',
      'POST /api/organizations/{organizationId}/members/{userId}/reset-two-step',
      'POST /api/organizations/{organizationId}/members/{userId}/role',
      'POST /api/organizations/{organizationId}/members/{userId}/suspend',
      'POST /api/organizations/{organizationId}/members/{userId}/transfer',
      'POST /api/organizations/{organizationId}/recoveries',
      'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/approve',
      'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/cancel',
      'POST /api/organizations/{organizationId}/recoveries/{recoveryId}/complete',
      'POST /api/organizations/{organizationId}/recovery-group',
      'POST /api/organizer-recoveries/{recoveryId}/cancel',
      'POST /api/vaults/{vaultId}/items',
      'POST /api/vaults/{vaultId}/shares',
      'POST /api/vaults/{vaultId}/trash/{itemId}/restore',
      'PUT /api/organizations/{organizationId}/recovery-policy',
      'PUT /api/vaults/{vaultId}',
      'PUT /api/vaults/{vaultId}/items/{itemId}',
      'PUT /api/vaults/{vaultId}/recovery-escrows/{organizationId}',
      'PUT /api/vaults/{vaultId}/shares/{shareId}',
    ]);
  });

  it('a malformed id is 400 invalid_request on every such route, with an otherwise valid request', async () => {
    const problems: string[] = [];
    for (const o of paramRoutes()) {
      const cases = (o.op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .flatMap((param) =>
          BAD_IDS.map(([what, bad, allowed]) => ({
            name: `${param.name} is ${what}`,
            // Malformed means "violates this parameter's own schema": for an id that is not a UUID
            // (a WebAuthn credential id is any base64url), a UUID-shaped mistake is merely unknown.
            want:
              allowed ??
              (fitsSchema(param as { schema?: { pattern?: string } }, bad('abcdef01-2345-4678-9abc-def012345678'))
                ? (['not_found'] as Want)
                : ('invalid_request' as Want)),
            request: async () => {
              const valid = await validRequest(o.key, o.method);
              const template = o.path.replace(`{${param.name}}`, '\u0001');
              const realValue = valid.path.split('/')[template.split('/').indexOf('\u0001')]!;
              const path = valid.path
                .split('/')
                .map((segment, i) => (i === template.split('/').indexOf('\u0001') ? bad(realValue) : segment))
                .join('/');
              return { path, token: valid.token!, ...(valid.body === undefined ? {} : { body: valid.body }) };
            },
          })),
        );
      problems.push(...(await runCases(w, o.key, o.method, cases)));
    }
    expect(problems).toEqual([]);
  });

  it('a well-formed id that names nothing is 404 not_found on every such route', async () => {
    const problems: string[] = [];
    for (const o of paramRoutes()) {
      const names = (o.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      // Every id unknown; and, where there are two, a real vault with an unknown item.
      const variants = [names, ...(names.length > 1 ? [names.slice(1)] : [])];
      const cases = variants.map((unknown) => ({
        name: `unknown ${unknown.join(' and ')}`,
        want: 'not_found' as const,
        request: async () => {
          const valid = await validRequest(o.key, o.method);
          let path = valid.path;
          for (const name of unknown) path = path.replace(idsIn(o.key)[name]!, crypto.randomUUID());
          return {
            path,
            token: valid.token!,
            ...(valid.body === undefined ? {} : { body: { ...valid.body, ...('expectedVersion' in valid.body ? { expectedVersion: 1 } : {}) } }),
          };
        },
      }));
      problems.push(...(await runCases(w, o.key, o.method, cases)));
    }
    expect(problems).toEqual([]);
  });
});

describe('OPAQUE messages that pass the schema but mean nothing', () => {
  const GARBAGE: Array<[string, string]> = [
    ['a few bytes', 'AAAA'],
    ['one character', 'A'],
    ['32 zero bytes', filled(32, 0)],
    ['32 0xff bytes', filled(32, 0xff)],
    ['64 zero bytes', filled(64, 0)],
    ['96 zero bytes', filled(96, 0)],
    ['96 0xff bytes', filled(96, 0xff)],
    ['150 0x01 bytes', filled(150, 1)],
  ];

  /** Route × message: each gets every garbage value in `field`, the rest of the request real. */
  const OPAQUE_CASES: Array<{ key: string; field: string; want: ErrorCode; request: (garbage: string) => Promise<CaseRequest> }> = [
    {
      key: 'POST /api/signup/register',
      field: 'registrationRequest',
      want: 'invalid_request',
      request: async (garbage) => ({ method: 'POST', path: '/api/signup/register', body: { ticket: await ticket(), registrationRequest: garbage } }),
    },
    {
      key: 'POST /api/auth/login/start',
      field: 'startLoginRequest',
      want: 'invalid_request',
      request: async (garbage) => ({
        method: 'POST',
        path: '/api/auth/login/start',
        body: { email: w.b.credentials.email, ...(await opaqueLoginStart(w.b.credentials)).body, startLoginRequest: garbage },
      }),
    },
    {
      key: 'POST /api/auth/login/finish',
      field: 'finishLoginRequest',
      want: 'invalid_credentials',
      request: async (garbage) => ({
        method: 'POST',
        path: '/api/auth/login/finish',
        body: { loginId: (await beginSignIn(w.server, w.b.credentials)).loginId, finishLoginRequest: garbage, device },
      }),
    },
    {
      key: 'POST /api/auth/reauth/start',
      field: 'startLoginRequest',
      want: 'invalid_request',
      request: async (garbage) => ({
        method: 'POST',
        path: '/api/auth/reauth/start',
        token: w.a.token,
        body: { ...(await opaqueLoginStart(w.a.credentials)).body, startLoginRequest: garbage },
      }),
    },
    {
      key: 'POST /api/auth/reauth/finish',
      field: 'finishLoginRequest',
      want: 'invalid_credentials',
      request: async (garbage) => ({
        method: 'POST',
        path: '/api/auth/reauth/finish',
        token: w.a.token,
        body: { loginId: (await beginReauth(w.server, w.a.credentials, w.a.token)).loginId, finishLoginRequest: garbage },
      }),
    },
    {
      key: 'POST /api/account/credentials/start',
      field: 'registrationRequest',
      want: 'invalid_request',
      request: async (garbage) => ({ method: 'POST', path: '/api/account/credentials/start', token: w.a.token, body: { registrationRequest: garbage } }),
    },
  ];

  let verified: string;
  // Made before the cases run: a verified ticket is a write of its own.
  beforeAll(async () => {
    verified = (await verifiedTicket(w.server, uniqueEmail('garbage-opaque'))).ticket;
  });
  const ticket = async () => verified;

  it.each(OPAQUE_CASES.map((c) => [`${c.key} ${c.field}`, c] as const))('%s: garbage is a 4xx, never a 5xx, and writes nothing', async (_name, c) => {
    // Few enough that the sign-in and re-authentication rate limits are never reached.
    const garbage = c.key.includes('/finish') ? GARBAGE.slice(0, 3) : GARBAGE;
    const problems = await runCases(
      w,
      c.key,
      'POST',
      garbage.map(([what, value]) => ({ name: `${c.field} is ${what}`, want: c.want, request: () => c.request(value) })),
    );
    expect(problems).toEqual([]);
  });

  it('the other ways an OPAQUE exchange goes wrong are 4xx too', async () => {
    const problems = await runCases(w, 'OPAQUE exchanges', 'POST', [
      {
        name: 'login/start for an email with no account',
        want: 'wrong_secret_key',
        request: async () => ({ path: '/api/auth/login/start', body: { email: uniqueEmail('nobody'), ...(await opaqueLoginStart(w.b.credentials)).body } }),
      },
      {
        name: 'login/finish for a login id never issued',
        want: 'login_expired',
        request: async () => ({ path: '/api/auth/login/finish', body: { loginId: randomId(), finishLoginRequest: filled(64, 0), device } }),
      },
      {
        name: 'login/finish with a reauth id',
        want: 'login_expired',
        request: async () => ({
          path: '/api/auth/login/finish',
          body: { loginId: (await beginReauth(w.server, w.a.credentials, w.a.token)).loginId, finishLoginRequest: filled(64, 0), device },
        }),
      },
      {
        name: 'signup/register with a ticket never issued',
        want: 'code_expired',
        request: async () => ({ path: '/api/signup/register', body: { ticket: randomId(), registrationRequest: await newRegistrationRequest() } }),
      },
    ]);
    expect(problems).toEqual([]);
  });
});

describe('no partial writes', () => {
  it('a sign-up finish rejected at any step leaves no account, keyset, vault, session or used ticket behind', async () => {
    const [ownKeysetId] = (await w.db.selectFrom('users').select('keyset_id').where('id', '=', w.a.profile.id).execute()).map((r) => r.keyset_id);
    const body = w.signup.body;
    const problems = await runCases(w, 'signup/finish', 'POST', [
      // Refused by the schema, before anything runs.
      {
        name: 'keyset.publicKey not base64url',
        want: 'invalid_request',
        request: async () => ({ path: '/api/signup/finish', body: { ...body, keyset: { ...body.keyset, publicKey: 'a+b/' } } }),
      },
      {
        name: 'keyset without its signing key',
        want: 'invalid_request',
        request: async () => ({ path: '/api/signup/finish', body: { ...body, keyset: { ...body.keyset, encryptedSigningKey: undefined } } }),
      },
      // Refused before the transaction: the wrap names the keyset of the body, not this one.
      {
        name: 'Personal vault key wrapped to another keyset',
        want: 'invalid_request',
        request: async () => ({ path: '/api/signup/finish', body: { ...body, keyset: { ...body.keyset, id: ownKeysetId } } }),
      },
      // Refused inside the transaction, after the ticket, keyset and user rows were written.
      {
        name: 'keyset id already taken',
        want: 'already_exists',
        request: async () => ({
          path: '/api/signup/finish',
          body: {
            ...body,
            keyset: { ...body.keyset, id: ownKeysetId },
            personalVault: { ...body.personalVault, keyWrap: { ...body.personalVault.keyWrap, recipientKeysetId: ownKeysetId!, signerKeysetId: ownKeysetId! } },
          },
        }),
      },
      {
        name: 'Personal vault id already taken',
        want: 'already_exists',
        request: async () => ({ path: '/api/signup/finish', body: { ...body, personalVault: { ...body.personalVault, id: w.a.vaultId } } }),
      },
    ]);
    expect(problems).toEqual([]);

    // The ticket was not used up: the same sign-up, corrected, goes through and signs in.
    const finished = await send(w.server, { method: 'POST', path: '/api/signup/finish', body });
    expect(finished.status, finished.text).toBe(201);
    const client = w.server.client();
    await client.signIn(w.signup.credentials);
    expect((await client.vaults.list()).map((v) => v.id)).toEqual([body.personalVault.id]);
  });

  it('creating an item in a vault the caller cannot access, or under a taken id, writes nothing', async () => {
    const item = () => ({ id: crypto.randomUUID(), ciphertext: filled(80, 5) });
    const problems = await runCases(w, 'items', 'POST', [
      { name: "B into A's vault", want: 'not_found', request: async () => ({ path: `/api/vaults/${w.a.vaultId}/items`, token: w.b.token, body: item() }) },
      {
        name: 'into a vault that does not exist',
        want: 'not_found',
        request: async () => ({ path: `/api/vaults/${crypto.randomUUID()}/items`, token: w.a.token, body: item() }),
      },
      {
        name: "B reusing A's item id in B's vault",
        want: 'already_exists',
        request: async () => ({ path: `/api/vaults/${w.b.vaultId}/items`, token: w.b.token, body: { ...item(), id: w.a.itemId } }),
      },
      {
        name: "A creating a vault under A's own vault id",
        want: 'already_exists',
        request: async () => ({ path: '/api/vaults', token: w.a.token, body: { ...(await newVaultBody(w.a.profile)), id: w.a.vaultId } }),
      },
    ]);
    expect(problems).toEqual([]);
  });
});

describe('afterwards', () => {
  it('the server is still healthy, logged no unhandled error, and a normal SDK flow works', async () => {
    const health = await send(w.server, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok' });

    const user = await signUpUser(w.server);
    const vault = await user.client.vaults.create('After the storm');
    const item = await user.client.items.create(vault.id, { kind: 'login', title: 'Still works', username: 'me', password: 'pw' });
    const elsewhere = w.server.client();
    await elsewhere.signIn({ email: user.email, password: user.password, secretKey: user.secretKey });
    expect((await elsewhere.items.get(item.id)).title).toBe('Still works');
    const updated = await elsewhere.items.update(item.id, { title: 'Still works, edited' });
    await user.client.items.delete(item.id, updated);
    expect(await user.client.items.list(vault.id)).toEqual([]);

    const errors = w.server.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });
});
