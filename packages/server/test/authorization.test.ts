/**
 * The server enforces authorization on every route (docs/protocol.md §12, §16.5, §20).
 *
 * A matrix of callers × endpoints. The rows are keyed by the endpoint table
 * (`@latchkey/core/wire/endpoints`), which is exactly what the server registers (checked at
 * start-up and in endpoints.test.ts), so an endpoint added without a row fails to typecheck
 * and fails the suite. Callers:
 *   anonymous  no Authorization header
 *   garbage    a well-formed bearer token that was never issued
 *   revoked    one of A's tokens, used again after signing out
 *   waiting    a session of A's that passed the password and Secret Key but not the second
 *              factor (a thief with both), sending exactly what A sends, proofs included
 *   other      B, another account, always aiming at A's ids
 *   stale      A's own session, sending exactly what A sends, whose last re-authentication is
 *              older than 5 minutes; only on the endpoints that require a recent one
 *   owner      A, who owns vault VA with item IA
 * Both A and B have two-step verification on (an authenticator app and backup codes), so B's
 * calls carry valid proofs of B's own: when B is refused, it is because the thing is A's, not
 * because B could not prove a factor. Rows that need a proof get fresh backup codes for both.
 * Rules: a public endpoint treats every caller alike (a token is ignored); any other answers
 * 401 `unauthenticated` to the first three callers and 401 `second_factor_required` to the
 * waiting session (except the endpoints that allow one: they finish or abandon a sign-in); B
 * gets 404 `not_found` for A's ids (the very answer an id that does not exist gets) and never
 * any of A's data; the stale session gets 403 `reauthentication_required` wherever the table
 * says `requireRecentReauth`; A succeeds. None of the non-owner calls changes any of A's rows in
 * the database (the waiting session's own sign-in routes excepted).
 *
 * Re-authentication as the server clock moves, and session expiry, run on a server of their own.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '@latchkey/core/errors';
import { ENDPOINTS, endpoints, type EndpointName } from '@latchkey/core/wire/endpoints';
import { organizationEndpoints } from '@latchkey/core/wire/organization-endpoints';
import { deriveRecoveryKeys, generateRecoveryCode, parseRecoveryCode, proveRecoveryCode } from '@latchkey/core/recovery-code';
import { Secret, TOTP } from 'otpauth';
import { issueBackupCodes } from '../src/services/backup-codes.ts';
import { ruleFor } from '../src/services/rate-limits.ts';
import { REAUTH_MAX_AGE_MS, SESSION_TTL_MS } from '../src/services/sessions.ts';
import type { Database } from '../src/storage/schema.ts';
import { signUpWithItem, type AccountWithItem as Account } from './helpers/account-with-item.ts';
import { addGroupMember } from '@latchkey/core/group-keyset';
import {
  acceptanceFor,
  acceptedMember,
  addMember,
  confirmBody,
  createHttpOrganization,
  ensureRecoveryGroup,
  waitingRecovery,
  newRecoveryKeys,
  escrowBody,
  recoveryGroupBody,
  createTestGroup,
  groupBody,
  type HttpOrganization,
  invite,
  organizationBody,
  organizationKeyWrapFor,
  type OrgPerson,
  orgPerson,
  quietPerson,
  rekeyBody,
  share,
  sharedVaultOf,
  shareBody,
  suspend,
  withTwoStep,
} from './helpers/org-http.ts';
import {
  beginReauth,
  beginSignIn,
  type Credentials,
  credentialsChangeBody,
  expectApiError,
  extractCode,
  newRegistrationRequest,
  newVaultBody,
  opaqueLoginStart,
  prepareSignup,
  type RawResponse,
  send,
  signInAgain,
  signUpUser,
  startTestServer,
  type TestServer,
  uniqueEmail,
  verifiedTicket,
  waitForEmail,
} from '@latchkey/server/testing';

type Caller = 'anonymous' | 'garbage' | 'revoked' | 'waiting' | 'other' | 'stale' | 'owner';
/** The owner goes last: its success may change what the others would have seen. */
const CALLERS: readonly Caller[] = ['anonymous', 'garbage', 'revoked', 'waiting', 'other', 'stale', 'owner'];

interface World {
  readonly server: TestServer;
  readonly db: Kysely<Database>;
  /** The owner: vault VA (`a.vaultId`) holding item IA (`a.itemId`). */
  readonly a: Account;
  readonly b: Account;
  /** Signs in through the public sign-in routes, so A's and B's rate limits stay untouched. */
  readonly c: Credentials;
  readonly revokedToken: string;
  readonly garbageToken: string;
  /** The id of A's session (`a.token`). */
  readonly aSessionId: string;
  /** The authenticator app secrets of A and B. */
  readonly aTotp: string;
  readonly bTotp: string;
  /** A live session of A's waiting for its second step (a new one when the last was ended). */
  waitingToken(): Promise<string>;
  /** A, B and C as their clients know them (opened keysets), and A's family, organized by A. */
  readonly org: { readonly a: OrgPerson; readonly b: OrgPerson; readonly c: OrgPerson; readonly family: HttpOrganization };
}

/** The request one caller sends. `token` replaces the caller's usual token (e.g. a fresh session to sign out). */
interface Call {
  readonly path: string;
  readonly body?: unknown;
  readonly token?: string;
}

/** Values a row prepares once for all callers, e.g. a fresh item of A's. They count as A's secrets. */
type Target = Record<string, string>;

interface Expected {
  readonly status: number;
  readonly code?: ErrorCode;
}

type Row =
  | {
      readonly access: 'public';
      readonly call: (w: World, caller: Caller) => Promise<Call>;
      /** What every caller gets, with or without a token. */
      readonly anyone: Expected;
    }
  | {
      readonly access: 'session';
      readonly prepare?: (w: World) => Promise<Target>;
      /** Unauthenticated callers send what the owner would; B sends A's ids unless the route has none. */
      readonly call: (w: World, caller: Caller, target: Target) => Promise<Call>;
      readonly owner: Expected;
      readonly other: Expected;
      /** Only for the routes a waiting session may use; everything else is `second_factor_required`. */
      readonly waiting?: Expected;
    };

const ok = (status = 200): Expected => ({ status });
const fails = (code: ErrorCode): Expected => ({ status: ERROR_STATUS[code], code });

/** The matrix checks who may do what, not limits: each row starts with a full two-step budget (10 per 5 minutes). */
async function freshTwoStepBudget(w: World): Promise<void> {
  await w.db
    .deleteFrom('rate_limits')
    .where('bucket', 'in', [`twoStepPerUser:${w.a.profile.id}`, `twoStepPerUser:${w.b.profile.id}`])
    .execute();
}

/**
 * Fresh backup codes for A (`aCode`) and B (`bCode`), after a fresh unlock of both sessions, so a
 * row's proofs and re-authentication never depend on what earlier rows used up.
 */
async function proofs(w: World): Promise<Target> {
  await freshTwoStepBudget(w);
  await w.a.user.client.unlock(w.a.credentials.password);
  await w.b.user.client.unlock(w.b.credentials.password);
  const [aCode] = await issueBackupCodes(w.db, w.a.profile.id, new Date());
  const [bCode] = await issueBackupCodes(w.db, w.b.profile.id, new Date());
  return { aCode: aCode!, bCode: bCode! };
}
/** The proof a caller sends: B proves with B's factor; everyone else sends A's. */
const proofOf = (caller: Caller, t: Target) => ({ backupCode: caller === 'other' ? t.bCode! : t.aCode! });
const withoutCodes = ({ aCode: _a, bCode: _b, ...rest }: Target): Target => rest;

/** B acts as B; everyone else sends A's request. */
const actor = (w: World, caller: Caller): Account => (caller === 'other' ? w.b : w.a);
const randomId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

/** A challenge of A's for `purpose`, answered with `recoveryCode` by hand: the body of confirm or check. */
async function recoveryProof(w: World, purpose: 'confirm' | 'check', recoveryCode: string): Promise<Target> {
  const res = await send(w.server, { method: 'POST', path: '/api/recovery-code/challenge', token: w.a.token, body: { purpose } });
  const { challengeId, challenge } = res.json as { challengeId: string; challenge: string };
  return { challengeId, proof: proveRecoveryCode(deriveRecoveryKeys(parseRecoveryCode(recoveryCode)), purpose, challenge) };
}
const junkCiphertext = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url');

async function emailedCode(server: TestServer, email: string): Promise<{ verificationId: string; code: string }> {
  const sentAfter = Date.now() - 1000;
  const res = await send(server, { method: 'POST', path: '/api/signup/start', body: { email } });
  const { verificationId } = res.json as { verificationId: string };
  const mail = await waitForEmail(server.dataDir, { to: email, subjectIncludes: 'verification code', after: sentAfter });
  return { verificationId, code: extractCode(mail.text) };
}

async function freshItemOfA(w: World): Promise<Target> {
  const item = await w.a.user.client.items.create(w.a.vaultId, { kind: 'login', title: 'Fresh', username: 'a', password: 'fresh-secret' });
  return { itemId: item.id };
}

/** A fresh item of A's, moved to the Trash (version 2). */
async function trashedItemOfA(w: World): Promise<Target> {
  const item = await w.a.user.client.items.create(w.a.vaultId, { kind: 'login', title: 'Trashed', username: 'a', password: 'trashed-secret' });
  await w.a.user.client.items.delete(item.id, item);
  return { itemId: item.id };
}

/** A fresh vault of A's (not the Personal one), empty. */
async function freshVaultOfA(w: World): Promise<Target> {
  return { vaultId: (await w.a.user.client.vaults.create('Fresh vault')).id };
}

const familyPath = (w: World, rest = '') => `/api/organizations/${w.org.family.id}${rest}`;

const linkToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

/** An organizer recovery A started in A's family, for a fresh member. */
async function familyRecovery(w: World): Promise<Target> {
  await ensureRecoveryGroup(w.server, w.org.family);
  const x = await quietPerson(w.server);
  await addMember(w.server, w.org.family, x, 'member');
  const res = await send(w.server, { method: 'POST', path: familyPath(w, '/recoveries'), token: w.a.token, body: { userId: x.id } });
  if (res.status !== 201) throw new Error(`start recovery: ${res.status} ${res.text}`);
  return { recoveryId: (res.json as { id: string }).id };
}

/**
 * Takes the organization's Recovery Group away (rows that create one run later, or earlier), so a
 * promotion to a Recovery Group role needs no Recovery Group wraps here; those are covered in
 * recovery-group-routes.test.ts.
 */
async function withoutRecoveryGroup(w: World, organizationId: string): Promise<void> {
  await w.db.deleteFrom('groups').where('organization_id', '=', organizationId).where('kind', '=', 'recovery').execute();
}

/** A confirmed member of A's family who never calls a route. */
async function confirmedQuietMember(w: World): Promise<OrgPerson> {
  const member = await quietPerson(w.server);
  await addMember(w.server, w.org.family, member, 'member');
  return member;
}

/** A vault of A's shared with a member of A's family. */
async function sharedVaultOfA(w: World): Promise<Target> {
  const vault = await sharedVaultOf(w.server, w.org.a);
  return { vaultId: vault.id, shareId: await share(w.server, w.org.family, vault, w.org.a, await confirmedQuietMember(w), 'view') };
}

/** The device id of A's session (`a.token`). */
async function deviceOfA(w: World): Promise<string> {
  const row = await w.db.selectFrom('sessions').select('device_id').where('id', '=', w.aSessionId).executeTakeFirstOrThrow();
  return row.device_id;
}

/** An enrollment of A's, approved when `trustedDeviceId` is given, with all four messages when `bundle` is. */
async function enrollmentOfA(w: World, e: { newDeviceId: string; trustedDeviceId?: string; bundle?: string }): Promise<string> {
  const id = randomId();
  const message = (n: number) => (e.bundle === undefined ? null : Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('base64url'));
  await w.db
    .insertInto('device_enrollments')
    .values({
      id,
      user_id: w.a.profile.id,
      new_device_id: e.newDeviceId,
      trusted_device_id: e.trustedDeviceId ?? null,
      message_1: message(32),
      message_2: message(96),
      message_3: message(64),
      message_4: e.bundle ?? null,
      created_at: new Date(),
      expires_at: new Date(Date.now() + 10 * 60_000),
    })
    .execute();
  return id;
}

/** A trusted device of A's (not the one of A's session), with a sealed bundle the server cannot read. */
async function trustedDeviceOfA(w: World): Promise<Target> {
  const deviceId = randomId();
  await w.db
    .insertInto('trusted_devices')
    .values({ user_id: w.a.profile.id, device_id: deviceId, name: 'A phone', platform: 'test', sealed_bundle: junkCiphertext() })
    .execute();
  return { deviceId };
}

/** Makes the device of A's session a trusted device (as if A had a passkey account), once. */
async function trustDeviceOfA(w: World): Promise<void> {
  await w.db
    .insertInto('trusted_devices')
    .values({ user_id: w.a.profile.id, device_id: await deviceOfA(w), name: 'A laptop', platform: 'test', sealed_bundle: junkCiphertext() })
    .onConflict((oc) => oc.columns(['user_id', 'device_id']).doNothing())
    .execute();
}

/** A verified sign-up ticket, from a fresh sign-up budget: the matrix checks who may do what, not the sign-up limit. */
async function freshTicket(w: World): Promise<string> {
  await w.db.deleteFrom('rate_limits').where('bucket', 'like', 'signup%').execute();
  return (await verifiedTicket(w.server, uniqueEmail('matrix'))).ticket;
}

/** One sign-up finish body for every caller: a forged attestation fails before the ticket is used. */
let passkeySignupBodyOnce: Promise<Record<string, unknown>> | undefined;
const passkeySignupBody = (w: World) =>
  (passkeySignupBodyOnce ??= (async () => {
    await w.db.deleteFrom('rate_limits').where('bucket', 'like', 'signup%').execute();
    return (await prepareSignup(w.server, uniqueEmail('matrix'))).body;
  })());

/** What a browser would send, with an attestation or signature that does not verify. */
const forgedWebAuthn = (kind: 'create' | 'get', origin: string) => {
  const clientDataJSON = Buffer.from(JSON.stringify({ type: `webauthn.${kind}`, challenge: randomId(), origin })).toString('base64url');
  return {
    id: randomId(),
    rawId: randomId(),
    type: 'public-key',
    clientExtensionResults: {},
    response: kind === 'create' ? { clientDataJSON, attestationObject: 'o2NmbXRkbm9uZQ' } : { clientDataJSON, authenticatorData: 'AAAA', signature: 'AAAA' },
  };
};

/** One row per endpoint of the table. */
const MATRIX: { readonly [name in EndpointName]: Row } = {
  // Sign-up and sign-in: public, callable by anyone.
  signupStart: {
    access: 'public',
    call: async () => ({ path: '/api/signup/start', body: { email: uniqueEmail('matrix') } }),
    anyone: ok(202),
  },
  signupVerify: {
    access: 'public',
    call: async (w) => ({ path: '/api/signup/verify', body: await emailedCode(w.server, uniqueEmail('matrix')) }),
    anyone: ok(200),
  },
  signupRegister: {
    access: 'public',
    call: async (w) => {
      const { ticket } = await verifiedTicket(w.server, uniqueEmail('matrix'));
      return { path: '/api/signup/register', body: { ticket, registrationRequest: await newRegistrationRequest() } };
    },
    anyone: ok(200),
  },
  signupFinish: {
    access: 'public',
    call: async (w) => ({ path: '/api/signup/finish', body: (await prepareSignup(w.server, uniqueEmail('matrix'))).body }),
    anyone: ok(201),
  },
  // Passkey accounts: public; a forged attestation or assertion fails alike for everyone.
  passkeySignupOptions: {
    access: 'public',
    call: async (w) => ({ path: '/api/signup/passkey/options', body: { ticket: await freshTicket(w) } }),
    anyone: ok(200),
  },
  passkeySignupFinish: {
    access: 'public',
    call: async (w) => ({
      path: '/api/signup/passkey/finish',
      body: {
        ...(await passkeySignupBody(w)),
        passkey: forgedWebAuthn('create', w.server.url),
        sealedBundle: junkCiphertext(),
        recoveryCode: { authPublicKey: junkCiphertext().slice(0, 43), wrappedSymmetricKey: junkCiphertext() },
      },
    }),
    anyone: fails('invalid_code'),
  },
  passkeyUnlockOptions: {
    access: 'public',
    call: async () => ({ path: '/api/auth/passkey/options', body: { email: uniqueEmail('matrix') } }),
    anyone: ok(200),
  },
  passkeyUnlock: {
    access: 'public',
    call: async (w) => ({ path: '/api/auth/passkey/unlock', body: { email: w.c.email, deviceId: randomId(), response: forgedWebAuthn('get', w.server.url) } }),
    anyone: fails('invalid_credentials'),
  },
  passkeyEnrollmentSession: {
    access: 'public',
    call: async (w) => ({
      path: '/api/auth/passkey/enrollment-session',
      body: { email: w.c.email, device: { id: randomId(), name: 'New phone', platform: 'test' }, response: forgedWebAuthn('get', w.server.url) },
    }),
    anyone: fails('invalid_credentials'),
  },
  loginStart: {
    access: 'public',
    call: async (w) => ({ path: '/api/auth/login/start', body: { email: w.c.email, ...(await opaqueLoginStart(w.c)).body } }),
    anyone: ok(200),
  },
  loginFinish: {
    access: 'public',
    call: async (w) => {
      const { loginId, finishLoginRequest } = await beginSignIn(w.server, w.c);
      return { path: '/api/auth/login/finish', body: { loginId, finishLoginRequest, device: { id: 'matrix-device-0001', name: 'matrix', platform: 'test' } } };
    },
    anyone: ok(200),
  },

  // Re-authentication and sign-out: B holding A's proof gets nowhere and does not use it up.
  reauthStart: {
    access: 'session',
    call: async (w) => ({ path: '/api/auth/reauth/start', body: (await opaqueLoginStart(w.a.credentials)).body }),
    owner: ok(),
    other: fails('wrong_secret_key'),
  },
  reauthFinish: {
    access: 'session',
    prepare: async (w) => {
      const { loginId, finishLoginRequest } = await beginReauth(w.server, w.a.credentials, w.a.token);
      return { loginId, finishLoginRequest };
    },
    call: async (_w, _caller, t) => ({ path: '/api/auth/reauth/finish', body: { loginId: t.loginId, finishLoginRequest: t.finishLoginRequest } }),
    owner: ok(),
    other: fails('login_expired'),
  },
  signOut: {
    access: 'session',
    // A and B each end a spare session of their own, not the one the rest of the suite uses.
    call: async (w, caller) =>
      caller === 'owner' || caller === 'other' || caller === 'waiting'
        ? { path: '/api/auth/signout', body: {}, token: (await signInAgain(w.server, actor(w, caller).credentials)).token }
        : { path: '/api/auth/signout', body: {} },
    owner: ok(),
    other: ok(),
    // Abandoning a sign-in at the second step ends its own waiting session.
    waiting: ok(),
  },

  // The account: B only ever sees B's own.
  account: { access: 'session', call: async () => ({ path: '/api/account' }), owner: ok(), other: ok() },
  securityLog: { access: 'session', call: async () => ({ path: '/api/account/security-log' }), owner: ok(), other: ok() },
  credentialsChangeStart: {
    access: 'session',
    prepare: proofs,
    call: async () => ({ path: '/api/account/credentials/start', body: { registrationRequest: await newRegistrationRequest() } }),
    owner: ok(),
    other: ok(),
  },
  credentialsChangeFinish: {
    access: 'session',
    // A real change (to the same password, so later rows can still sign in); B changes only B's.
    prepare: async (w) => ({ ...(await proofs(w)), ...(await credentialsChangeBody(w.server, w.a.credentials, w.a.token, w.a.credentials.password)) }),
    call: async (w, caller, t) => ({
      path: '/api/account/credentials/finish',
      body: {
        ...(caller === 'other' ? await credentialsChangeBody(w.server, w.b.credentials, w.b.token, w.b.credentials.password) : withoutCodes(t)),
        ...proofOf(caller, t),
      },
    }),
    owner: ok(),
    other: ok(),
  },

  // Sessions: B cannot see or end A's.
  listSessions: { access: 'session', call: async () => ({ path: '/api/sessions' }), owner: ok(), other: ok() },
  revokeSession: {
    access: 'session',
    prepare: async (w) => ({ sessionId: (await signInAgain(w.server, w.a.credentials)).id }),
    call: async (_w, _caller, t) => ({ path: `/api/sessions/${t.sessionId}` }),
    owner: ok(),
    other: fails('not_found'),
  },
  revokeOtherSessions: {
    access: 'session',
    // A has a second session, which B's "sign out everywhere else" must leave alone.
    prepare: async (w) => ({ sessionId: (await signInAgain(w.server, w.a.credentials)).id }),
    call: async () => ({ path: '/api/sessions/revoke-others', body: {} }),
    owner: ok(),
    other: ok(),
  },

  // Vaults and items: what B cannot read does not exist for B.
  listVaults: { access: 'session', call: async () => ({ path: '/api/vaults' }), owner: ok(), other: ok() },
  createVault: {
    access: 'session',
    call: async (w, caller) => ({ path: '/api/vaults', body: await newVaultBody(actor(w, caller).profile) }),
    owner: ok(201),
    other: ok(201),
  },
  renameVault: {
    access: 'session',
    prepare: freshVaultOfA,
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}`, body: { encryptedAttrs: junkCiphertext() } }),
    owner: ok(),
    other: fails('not_found'),
  },
  deleteVault: {
    access: 'session',
    prepare: async (w) => ({ ...(await proofs(w)), ...(await freshVaultOfA(w)) }),
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}`, body: { expectedItemCount: 0, expectedShareCount: 0 } }),
    owner: ok(),
    other: fails('not_found'),
  },
  listItems: {
    access: 'session',
    call: async (w) => ({ path: `/api/vaults/${w.a.vaultId}/items` }),
    owner: ok(),
    other: fails('not_found'),
  },
  createItem: {
    access: 'session',
    call: async (w) => ({ path: `/api/vaults/${w.a.vaultId}/items`, body: { id: crypto.randomUUID(), ciphertext: junkCiphertext() } }),
    owner: ok(201),
    other: fails('not_found'),
  },
  createItems: {
    access: 'session',
    call: async (w) => ({ path: '/api/items/batch', body: { items: [{ vaultId: w.a.vaultId, id: crypto.randomUUID(), ciphertext: junkCiphertext() }] } }),
    owner: ok(201),
    other: fails('not_found'),
  },
  updateItem: {
    access: 'session',
    prepare: freshItemOfA,
    call: async (w, _caller, t) => ({ path: `/api/vaults/${w.a.vaultId}/items/${t.itemId}`, body: { expectedVersion: 1, ciphertext: junkCiphertext() } }),
    owner: ok(),
    other: fails('not_found'),
  },
  deleteItem: {
    access: 'session',
    prepare: freshItemOfA,
    call: async (w, _caller, t) => ({ path: `/api/vaults/${w.a.vaultId}/items/${t.itemId}`, body: { expectedVersion: 1, ciphertext: junkCiphertext() } }),
    owner: ok(),
    other: fails('not_found'),
  },
  listTrash: {
    access: 'session',
    prepare: trashedItemOfA,
    call: async (w) => ({ path: `/api/vaults/${w.a.vaultId}/trash` }),
    owner: ok(),
    other: fails('not_found'),
  },
  restoreItem: {
    access: 'session',
    prepare: trashedItemOfA,
    call: async (w, _caller, t) => ({
      path: `/api/vaults/${w.a.vaultId}/trash/${t.itemId}/restore`,
      body: { expectedVersion: 2, ciphertext: junkCiphertext() },
    }),
    owner: ok(),
    other: fails('not_found'),
  },
  purgeItem: {
    access: 'session',
    prepare: trashedItemOfA,
    call: async (w, _caller, t) => ({ path: `/api/vaults/${w.a.vaultId}/trash/${t.itemId}`, body: { expectedVersion: 2 } }),
    owner: ok(),
    other: fails('not_found'),
  },
  emptyTrash: {
    access: 'session',
    prepare: trashedItemOfA,
    call: async (w) => ({ path: `/api/vaults/${w.a.vaultId}/trash` }),
    owner: ok(),
    other: fails('not_found'),
  },
  moveItem: {
    access: 'session',
    prepare: async (w) => ({ ...(await freshItemOfA(w)), ...(await freshVaultOfA(w)) }),
    call: async (w, _caller, t) => ({
      path: `/api/items/${t.itemId}/move`,
      body: { fromVaultId: w.a.vaultId, toVaultId: t.vaultId, expectedVersion: 1, ciphertext: junkCiphertext() },
    }),
    owner: ok(),
    other: fails('not_found'),
  },
  getItem: {
    access: 'session',
    call: async (w) => ({ path: `/api/items/${w.a.itemId}` }),
    owner: ok(),
    other: fails('not_found'),
  },

  // The recovery code: each account manages only its own; A's challenges are useless to B.
  recoveryCodeStatus: { access: 'session', call: async () => ({ path: '/api/recovery-code' }), owner: ok(), other: ok() },
  createRecoveryCode: {
    access: 'session',
    prepare: proofs,
    call: async (_w, caller, t) => ({
      path: '/api/recovery-code',
      body: { authPublicKey: deriveRecoveryKeys(generateRecoveryCode()).authPublicKey, wrappedSymmetricKey: junkCiphertext(), ...proofOf(caller, t) },
    }),
    owner: ok(201),
    other: ok(201),
  },
  recoveryCodeChallenge: {
    access: 'session',
    call: async () => ({ path: '/api/recovery-code/challenge', body: { purpose: 'check' } }),
    owner: ok(),
    other: ok(),
  },
  confirmRecoveryCode: {
    access: 'session',
    prepare: async (w) => {
      const { recoveryCode } = await w.a.user.client.recoveryCode.create({ backupCode: (await proofs(w)).aCode! });
      return recoveryProof(w, 'confirm', recoveryCode);
    },
    call: async (_w, _caller, t) => ({ path: '/api/recovery-code/confirm', body: t }),
    owner: ok(),
    other: fails('challenge_expired'),
  },
  checkRecoveryCode: {
    access: 'session',
    prepare: async (w) => {
      const { recoveryCode } = await w.a.user.client.recoveryCode.create({ backupCode: (await proofs(w)).aCode! });
      await w.a.user.client.recoveryCode.confirm(recoveryCode);
      return recoveryProof(w, 'check', recoveryCode);
    },
    call: async (_w, _caller, t) => ({ path: '/api/recovery-code/check', body: t }),
    owner: ok(),
    other: fails('challenge_expired'),
  },
  deleteRecoveryCode: {
    access: 'session',
    prepare: proofs,
    call: async (_w, caller, t) => ({ path: '/api/recovery-code', body: proofOf(caller, t) }),
    owner: ok(),
    other: ok(),
  },

  // Two-step verification: every route acts on the caller's own account; B never reaches A's factors.
  twoStepStatus: { access: 'session', call: async () => ({ path: '/api/two-step' }), owner: ok(), other: ok() },
  startTotpSetup: {
    access: 'session',
    prepare: proofs,
    call: async (_w, caller, t) => ({ path: '/api/two-step/totp', body: proofOf(caller, t) }),
    owner: ok(),
    other: ok(),
  },
  confirmTotp: {
    access: 'session',
    // Each has a replacement app pending, started with a proof by that very session.
    prepare: async (w) => {
      const t = await proofs(w);
      await w.a.user.client.twoStep.enableTotp({ backupCode: t.aCode! });
      await w.b.user.client.twoStep.enableTotp({ backupCode: t.bCode! });
      return {};
    },
    // A code that is wrong for both pending secrets (a 6-digit guess is right one time in a million).
    call: async () => ({ path: '/api/two-step/totp/confirm', body: { otp: '000000' } }),
    owner: fails('invalid_code'),
    other: fails('invalid_code'),
  },
  // A wrong code for either account's app: each is checked against its own (both are on).
  disableTotp: {
    access: 'session',
    prepare: proofs,
    call: async (w, caller) => ({ path: '/api/two-step/totp/disable', body: { otp: wrongCodeOf(caller === 'other' ? w.bTotp : w.aTotp) } }),
    owner: fails('invalid_code'),
    other: fails('invalid_code'),
  },
  regenerateBackupCodes: {
    access: 'session',
    prepare: proofs,
    call: async (_w, caller, t) => ({ path: '/api/two-step/backup-codes/regenerate', body: proofOf(caller, t) }),
    owner: ok(),
    other: ok(),
  },
  securityKeyRegistrationOptions: {
    access: 'session',
    prepare: proofs,
    call: async (_w, caller, t) => ({ path: '/api/two-step/security-keys/options', body: proofOf(caller, t) }),
    owner: ok(),
    other: ok(),
  },
  registerSecurityKey: {
    access: 'session',
    prepare: proofs,
    call: async () => ({ path: '/api/two-step/security-keys', body: { name: 'Key', response: { id: randomId(), response: { clientDataJSON: 'e30' } } } }),
    owner: fails('invalid_request'),
    other: fails('invalid_request'),
  },
  removeSecurityKey: {
    access: 'session',
    // A key row of A's (no real authenticator is needed to look it up): A must prove a factor;
    // B, even with a valid proof of B's own, finds nothing.
    prepare: async (w) => {
      const keyId = randomId();
      await w.db.insertInto('security_keys').values({ id: keyId, user_id: w.a.profile.id, name: 'A key', public_key: junkCiphertext() }).execute();
      return { keyId, ...(await proofs(w)) };
    },
    call: async (_w, caller, t) => ({ path: `/api/two-step/security-keys/${t.keyId}`, body: caller === 'other' ? proofOf(caller, t) : {} }),
    owner: fails('second_factor_required'),
    other: fails('not_found'),
  },
  securityKeyProofOptions: {
    access: 'session',
    // A has a key (a row is enough to be offered a challenge); B has none.
    prepare: async (w) => {
      await w.db.insertInto('security_keys').values({ id: randomId(), user_id: w.a.profile.id, name: 'A proof key', public_key: junkCiphertext() }).execute();
      return {};
    },
    call: async () => ({ path: '/api/two-step/security-keys/proof-options', body: {} }),
    owner: ok(),
    other: fails('invalid_request'),
  },
  // Only a session still waiting for its second step may use these; a full session is refused.
  twoStepOptions: {
    access: 'session',
    prepare: async (w) => {
      await w.db.insertInto('security_keys').values({ id: randomId(), user_id: w.a.profile.id, name: 'A sign-in key', public_key: junkCiphertext() }).execute();
      return {};
    },
    call: async () => ({ path: '/api/auth/two-step/options', body: {} }),
    owner: fails('invalid_request'),
    other: fails('invalid_request'),
    waiting: ok(),
  },
  twoStep: {
    access: 'session',
    prepare: async (w) => {
      await freshTwoStepBudget(w);
      return {};
    },
    call: async (w) => ({ path: '/api/auth/two-step', body: { otp: wrongCodeOf(w.aTotp) } }),
    owner: fails('invalid_request'),
    other: fails('invalid_request'),
    waiting: fails('invalid_code'),
  },

  // Device enrollment: every enrollment is one account's; B gets not_found for A's, and lists none of them.
  // Only an enrollment session (a passkey assertion from a new device) may ask: a full session may not.
  requestDeviceEnrollment: {
    access: 'session',
    call: async () => ({ path: '/api/device-enrollments', body: {} }),
    owner: fails('forbidden'),
    other: fails('forbidden'),
  },
  listDeviceEnrollments: {
    access: 'session',
    prepare: async (w) => ({ enrollmentId: await enrollmentOfA(w, { newDeviceId: 'matrix-new-device' }) }),
    call: async () => ({ path: '/api/device-enrollments' }),
    owner: ok(),
    other: ok(),
  },
  // Only a trusted device approves: B's device is none of A's (nor of B's).
  approveDeviceEnrollment: {
    access: 'session',
    prepare: async (w) => {
      await trustDeviceOfA(w);
      return { enrollmentId: await enrollmentOfA(w, { newDeviceId: 'matrix-new-device' }) };
    },
    call: async (_w, _caller, t) => ({ path: '/api/device-enrollments/approve', body: { enrollmentId: t.enrollmentId } }),
    owner: ok(),
    other: fails('device_not_trusted'),
  },
  relayDeviceEnrollmentMessage: {
    access: 'session',
    prepare: async (w) => ({ enrollmentId: await enrollmentOfA(w, { newDeviceId: await deviceOfA(w), trustedDeviceId: 'matrix-trusted-device' }) }),
    call: async (_w, _caller, t) => ({
      path: '/api/device-enrollments/messages',
      body: { enrollmentId: t.enrollmentId, step: 1, message: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') },
    }),
    owner: ok(),
    other: fails('not_found'),
  },
  finishDeviceEnrollment: {
    access: 'session',
    prepare: async (w) => ({
      enrollmentId: await enrollmentOfA(w, { newDeviceId: await deviceOfA(w), trustedDeviceId: 'matrix-trusted-device', bundle: junkCiphertext() }),
    }),
    call: async (_w, _caller, t) => ({ path: '/api/device-enrollments/finish', body: { enrollmentId: t.enrollmentId, sealedBundle: junkCiphertext() } }),
    owner: ok(),
    other: fails('not_found'),
  },

  // Trusted devices: one account's; B gets not_found for A's and lists only its own.
  listTrustedDevices: {
    access: 'session',
    prepare: trustedDeviceOfA,
    call: async () => ({ path: '/api/devices' }),
    owner: ok(),
    other: ok(),
  },
  renameTrustedDevice: {
    access: 'session',
    prepare: trustedDeviceOfA,
    call: async (_w, _caller, t) => ({ path: '/api/devices/rename', body: { deviceId: t.deviceId, name: 'Renamed' } }),
    owner: ok(),
    other: fails('not_found'),
  },
  removeTrustedDevice: {
    access: 'session',
    prepare: async (w) => ({ ...(await proofs(w)), ...(await trustedDeviceOfA(w)) }),
    call: async (_w, _caller, t) => ({ path: '/api/devices/remove', body: { deviceId: t.deviceId } }),
    owner: ok(),
    other: fails('not_found'),
  },

  // Recovery: public (the person has lost their credentials); unknown tickets and grants fail alike for everyone.
  recoveryStart: { access: 'public', call: async () => ({ path: '/api/recovery/start', body: { email: uniqueEmail('matrix') } }), anyone: ok(202) },
  recoveryVerify: {
    access: 'public',
    call: async () => ({ path: '/api/recovery/verify', body: { verificationId: randomId(), code: '12345678' } }),
    anyone: fails('invalid_code'),
  },
  recoveryProve: {
    access: 'public',
    call: async () => ({ path: '/api/recovery/prove', body: { ticket: randomId(), proof: junkCiphertext() } }),
    anyone: fails('code_expired'),
  },
  recoveryRegister: {
    access: 'public',
    call: async () => ({ path: '/api/recovery/register', body: { grant: randomId(), registrationRequest: await newRegistrationRequest() } }),
    anyone: fails('code_expired'),
  },
  recoveryFinish: {
    access: 'public',
    call: async () => ({
      path: '/api/recovery/finish',
      body: {
        grant: randomId(),
        accountId: 'ABCDEF',
        registrationRecord: Buffer.from(crypto.getRandomValues(new Uint8Array(192))).toString('base64url'),
        secretKeyVerifier: '0'.repeat(64),
        encryptedSymmetricKey: junkCiphertext(),
      },
    }),
    anyone: fails('code_expired'),
  },

  // Families and teams (§22): A organizes the family `w.org.family`; B is in no organization of A's.
  createOrganization: {
    access: 'session',
    // B makes an organization of B's own: anyone signed in may.
    call: async (w, caller) => ({ path: '/api/organizations', body: (await organizationBody(caller === 'other' ? w.org.b : w.org.a)).body }),
    owner: ok(201),
    other: ok(201),
  },
  listOrganizations: { access: 'session', call: async () => ({ path: '/api/organizations' }), owner: ok(), other: ok() },
  getOrganization: { access: 'session', call: async (w) => ({ path: familyPath(w) }), owner: ok(), other: fails('not_found') },
  organizationLog: { access: 'session', call: async (w) => ({ path: familyPath(w, '/log') }), owner: ok(), other: fails('not_found') },
  createInvitation: {
    access: 'session',
    call: async (w) => ({ path: familyPath(w, '/invitations'), body: { email: uniqueEmail('matrix-invited'), role: 'member' } }),
    owner: ok(201),
    other: fails('not_found'),
  },
  listInvitations: { access: 'session', call: async (w) => ({ path: familyPath(w, '/invitations') }), owner: ok(), other: fails('not_found') },
  revokeInvitation: {
    access: 'session',
    prepare: async (w) => ({ invitationId: (await invite(w.server, w.org.family, uniqueEmail('matrix-revoked'), 'member')).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/invitations/${t.invitationId}`) }),
    owner: ok(),
    other: fails('not_found'),
  },
  resendInvitation: {
    access: 'session',
    prepare: async (w) => ({ invitationId: (await invite(w.server, w.org.family, uniqueEmail('matrix-resent'), 'member')).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/invitations/${t.invitationId}/resend`), body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  // A is the invitee here (of C's family): B, signed in, holds A's code but is not the invited address.
  describeInvitation: {
    access: 'session',
    prepare: async (w) => ({ code: (await invite(w.server, await createHttpOrganization(w.server, w.org.c), w.a.user.email, 'member')).code }),
    call: async (_w, _caller, t) => ({ path: '/api/invitations/describe', body: { token: t.code } }),
    owner: ok(),
    other: fails('forbidden'),
  },
  acceptInvitation: {
    access: 'session',
    prepare: async (w) => {
      const { code } = await invite(w.server, await createHttpOrganization(w.server, w.org.c), w.a.user.email, 'member');
      return { code, acceptance: JSON.stringify(await acceptanceFor(w.server, w.org.a, code)) };
    },
    call: async (_w, _caller, t) => ({ path: '/api/invitations/accept', body: { token: t.code, acceptance: JSON.parse(t.acceptance!) } }),
    owner: ok(),
    other: fails('forbidden'),
  },
  listMembers: { access: 'session', call: async (w) => ({ path: familyPath(w, '/members') }), owner: ok(), other: fails('not_found') },
  confirmMember: {
    access: 'session',
    prepare: async (w) => {
      const member = await quietPerson(w.server);
      const acceptance = await acceptedMember(w.server, w.org.family, member, 'member');
      return { userId: member.id, body: JSON.stringify(await confirmBody(w.org.family, member, 'member', acceptance)) };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/members/${t.userId}/confirm`), body: JSON.parse(t.body!) }),
    owner: ok(),
    other: fails('not_found'),
  },
  removeMember: {
    access: 'session',
    prepare: async (w) => ({ userId: (await confirmedQuietMember(w)).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/members/${t.userId}`) }),
    owner: ok(),
    other: fails('not_found'),
  },
  suspendMember: {
    access: 'session',
    prepare: async (w) => ({ userId: (await confirmedQuietMember(w)).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/members/${t.userId}/suspend`), body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  reinstateMember: {
    access: 'session',
    prepare: async (w) => {
      const member = await confirmedQuietMember(w);
      await suspend(w.server, w.org.family, member);
      return { userId: member.id };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/members/${t.userId}/reinstate`), body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  changeMemberRole: {
    access: 'session',
    prepare: async (w) => {
      await withoutRecoveryGroup(w, w.org.family.id);
      const member = await confirmedQuietMember(w);
      return { userId: member.id, wrap: JSON.stringify(await organizationKeyWrapFor(w.org.family, member)) };
    },
    call: async (w, _caller, t) => ({
      path: familyPath(w, `/members/${t.userId}/role`),
      body: { from: 'member', role: 'organizer', organizationKeyWrap: JSON.parse(t.wrap!) },
    }),
    owner: ok(),
    other: fails('not_found'),
  },
  transferOwnership: {
    access: 'session',
    prepare: async (w) => {
      await withoutRecoveryGroup(w, w.org.family.id);
      const member = await confirmedQuietMember(w);
      return { userId: member.id, wrap: JSON.stringify(await organizationKeyWrapFor(w.org.family, member)) };
    },
    call: async (w, _caller, t) => ({
      path: familyPath(w, `/members/${t.userId}/transfer`),
      body: { from: 'member', stepDown: false, organizationKeyWrap: JSON.parse(t.wrap!) },
    }),
    owner: ok(),
    other: fails('not_found'),
  },
  // A family has no two-step reset (its organizer gets forbidden); the role matrix below covers teams.
  resetMemberTwoStep: {
    access: 'session',
    prepare: async (w) => {
      const member = await confirmedQuietMember(w);
      await withTwoStep(w.server, member);
      return { userId: member.id };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/members/${t.userId}/reset-two-step`), body: {} }),
    owner: fails('forbidden'),
    other: fails('not_found'),
  },
  createGroup: {
    access: 'session',
    call: async (w) => ({ path: familyPath(w, '/groups'), body: (await groupBody(w.org.family, [w.org.a])).body }),
    owner: ok(201),
    other: fails('not_found'),
  },
  listGroups: { access: 'session', call: async (w) => ({ path: familyPath(w, '/groups') }), owner: ok(), other: fails('not_found') },
  getGroup: {
    access: 'session',
    prepare: async (w) => ({ groupId: (await createTestGroup(w.server, w.org.family, [w.org.a])).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/groups/${t.groupId}`) }),
    owner: ok(),
    other: fails('not_found'),
  },
  addGroupMember: {
    access: 'session',
    prepare: async (w) => {
      const group = await createTestGroup(w.server, w.org.family, [w.org.a]);
      const member = await confirmedQuietMember(w);
      const wrap = await addGroupMember(
        { organizationId: w.org.family.id, keyset: w.org.family.keyset },
        { groupId: group.id, keyVersion: 1, keyset: group.version.keyset },
        member.member,
      );
      return { groupId: group.id, body: JSON.stringify({ userId: member.id, keyVersion: 1, wrap }) };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/groups/${t.groupId}/members`), body: JSON.parse(t.body!) }),
    owner: ok(201),
    other: fails('not_found'),
  },
  rekeyGroup: {
    access: 'session',
    prepare: async (w) => {
      const member = await confirmedQuietMember(w);
      const group = await createTestGroup(w.server, w.org.family, [w.org.a, member]);
      return { groupId: group.id, body: JSON.stringify(await rekeyBody(w.org.family, group, [w.org.a, member], [member])) };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/groups/${t.groupId}/rekey`), body: JSON.parse(t.body!) }),
    owner: ok(),
    other: fails('not_found'),
  },
  deleteGroup: {
    access: 'session',
    prepare: async (w) => ({ groupId: (await createTestGroup(w.server, w.org.family, [w.org.a])).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/groups/${t.groupId}`) }),
    owner: ok(),
    other: fails('not_found'),
  },
  shareVault: {
    access: 'session',
    prepare: async (w) => {
      const vault = await sharedVaultOf(w.server, w.org.a);
      const member = await confirmedQuietMember(w);
      return { vaultId: vault.id, body: JSON.stringify(await shareBody(w.org.family, vault, w.org.a, member, 'view')) };
    },
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}/shares`, body: JSON.parse(t.body!) }),
    owner: ok(201),
    other: fails('not_found'),
  },
  listVaultShares: {
    access: 'session',
    prepare: sharedVaultOfA,
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}/shares` }),
    owner: ok(),
    other: fails('not_found'),
  },
  changeShareRole: {
    access: 'session',
    prepare: sharedVaultOfA,
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}/shares/${t.shareId}`, body: { role: 'edit' } }),
    owner: ok(),
    other: fails('not_found'),
  },
  unshareVault: {
    access: 'session',
    prepare: sharedVaultOfA,
    call: async (_w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}/shares/${t.shareId}` }),
    owner: ok(),
    other: fails('not_found'),
  },
  listSharedVaults: { access: 'session', call: async () => ({ path: '/api/shared-vaults' }), owner: ok(), other: ok() },
  createRecoveryGroup: {
    access: 'session',
    prepare: async (w) => {
      // A fresh Recovery Group each time: one per organization.
      await w.db.deleteFrom('groups').where('organization_id', '=', w.org.family.id).where('kind', '=', 'recovery').execute();
      return { body: JSON.stringify((await recoveryGroupBody(w.server, w.org.family)).body) };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, '/recovery-group'), body: JSON.parse(t.body!) }),
    owner: ok(201),
    other: fails('not_found'),
  },
  getRecoveryGroup: {
    access: 'session',
    prepare: async (w) => {
      await ensureRecoveryGroup(w.server, w.org.family);
      return {};
    },
    call: async (w) => ({ path: familyPath(w, '/recovery-group') }),
    owner: ok(),
    other: fails('not_found'),
  },
  recoveryStatus: { access: 'session', call: async () => ({ path: '/api/recovery-status' }), owner: ok(), other: ok() },
  escrowVaultKey: {
    access: 'session',
    prepare: async (w) => {
      const vault = await sharedVaultOf(w.server, w.org.a);
      const body = await escrowBody(vault, w.org.a, await ensureRecoveryGroup(w.server, w.org.family));
      return { vaultId: vault.id, body: JSON.stringify(body) };
    },
    call: async (w, _caller, t) => ({ path: `/api/vaults/${t.vaultId}/recovery-escrows/${w.org.family.id}`, body: JSON.parse(t.body!) }),
    owner: ok(),
    other: fails('not_found'),
  },
  // Organizer recovery (§22.8): A organizes the family; B is in none of A's organizations.
  startOrganizerRecovery: {
    access: 'session',
    prepare: async (w) => {
      await ensureRecoveryGroup(w.server, w.org.family);
      const x = await quietPerson(w.server);
      await addMember(w.server, w.org.family, x, 'member');
      return { userId: x.id };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, '/recoveries'), body: { userId: t.userId } }),
    owner: ok(201),
    other: fails('not_found'),
  },
  listOrganizerRecoveries: { access: 'session', call: async (w) => ({ path: familyPath(w, '/recoveries') }), owner: ok(), other: fails('not_found') },
  getOrganizerRecovery: {
    access: 'session',
    prepare: familyRecovery,
    call: async (w, _caller, t) => ({ path: familyPath(w, `/recoveries/${t.recoveryId}`) }),
    owner: ok(),
    other: fails('not_found'),
  },
  cancelOrganizerRecovery: {
    access: 'session',
    prepare: familyRecovery,
    call: async (w, _caller, t) => ({ path: familyPath(w, `/recoveries/${t.recoveryId}/cancel`), body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  approveOrganizerRecovery: {
    access: 'session',
    prepare: async (w) => ({ recoveryId: (await waitingRecovery(w.server, w.org.family)).id }),
    call: async (w, _caller, t) => ({ path: familyPath(w, `/recoveries/${t.recoveryId}/approve`), body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  completeOrganizerRecovery: {
    access: 'session',
    prepare: async (w) => {
      const r = await waitingRecovery(w.server, w.org.family, w.a.profile.id);
      return { recoveryId: r.id, body: JSON.stringify(r.completeBody) };
    },
    call: async (w, _caller, t) => ({ path: familyPath(w, `/recoveries/${t.recoveryId}/complete`), body: JSON.parse(t.body!) }),
    owner: ok(),
    other: fails('not_found'),
  },
  setRecoveryPolicy: {
    access: 'session',
    call: async (w) => ({ path: familyPath(w, '/recovery-policy'), body: { waitingPeriodSeconds: 86400, approvalsRequired: 1 } }),
    owner: ok(),
    other: fails('not_found'),
  },
  // A is the member being recovered here (a row made in the database: who may start one is tested above and in the role matrix).
  myOrganizerRecoveries: { access: 'session', call: async () => ({ path: '/api/organizer-recoveries' }), owner: ok(), other: ok() },
  cancelMyOrganizerRecovery: {
    access: 'session',
    prepare: async (w) => {
      const recoveryId = crypto.randomUUID();
      await w.db
        .insertInto('organizer_recoveries')
        .values({
          id: recoveryId,
          organization_id: w.org.family.id,
          member_user_id: w.a.profile.id,
          started_by: w.org.c.id,
          status: 'awaiting_member',
          token_hash: randomId(),
          approvals_required: 1,
          waiting_period_seconds: 0,
        })
        .execute();
      return { recoveryId };
    },
    call: async (_w, _caller, t) => ({ path: `/api/organizer-recoveries/${t.recoveryId}/cancel`, body: {} }),
    owner: ok(),
    other: fails('not_found'),
  },
  // The member's step, signed out: an unknown link token is not_found for everyone, before anything else is looked at.
  describeOrganizerRecovery: {
    access: 'public',
    call: async () => ({ path: '/api/organizer-recovery/describe', body: { token: linkToken() } }),
    anyone: fails('not_found'),
  },
  organizerRecoverySendCode: {
    access: 'public',
    call: async () => ({ path: '/api/organizer-recovery/send-code', body: { token: linkToken() } }),
    anyone: fails('not_found'),
  },
  organizerRecoveryVerify: {
    access: 'public',
    call: async () => ({ path: '/api/organizer-recovery/verify', body: { token: linkToken(), verificationId: randomId(), code: '12345678' } }),
    anyone: fails('not_found'),
  },
  organizerRecoveryRegister: {
    access: 'public',
    call: async () => ({
      path: '/api/organizer-recovery/register',
      body: { token: linkToken(), ticket: linkToken(), registrationRequest: await newRegistrationRequest() },
    }),
    anyone: fails('not_found'),
  },
  organizerRecoveryCredentials: {
    access: 'public',
    call: async (w) => {
      const keys = await newRecoveryKeys(w.org.family, w.org.c.id);
      return {
        path: '/api/organizer-recovery/credentials',
        body: {
          token: linkToken(),
          ticket: linkToken(),
          accountId: 'ABCDEF',
          registrationRecord: Buffer.from(crypto.getRandomValues(new Uint8Array(192))).toString('base64url'),
          secretKeyVerifier: '0'.repeat(64),
          keyset: keys.encrypted,
          acceptance: keys.acceptance,
        },
      };
    },
    anyone: fails('not_found'),
  },
  cancelOrganizerRecoveryByLink: {
    access: 'public',
    call: async () => ({
      path: '/api/organizer-recovery/cancel',
      body: { token: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') },
    }),
    anyone: fails('not_found'),
  },
};

/** A well-formed code three steps ahead: outside the ±1 window, so wrong now. */
const wrongCodeOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + 90_000 });

function tokenOf(w: World, caller: Caller, waitingToken: string): string | undefined {
  switch (caller) {
    case 'waiting':
      return waitingToken;
    case 'anonymous':
      return undefined;
    case 'garbage':
      return w.garbageToken;
    case 'revoked':
      return w.revokedToken;
    case 'other':
      return w.b.token;
    case 'stale':
    case 'owner':
      return w.a.token;
  }
}

/**
 * Moves the last re-authentication of A's session to 6 minutes ago (the server clock is not
 * moved in this suite); the returned function puts the real time back, so A's rows are as before.
 */
async function makeReauthenticationStale(w: World): Promise<() => Promise<void>> {
  const { reauthenticated_at: real } = await w.db.selectFrom('sessions').select('reauthenticated_at').where('id', '=', w.aSessionId).executeTakeFirstOrThrow();
  await w.db
    .updateTable('sessions')
    .set({ reauthenticated_at: new Date(Date.now() - REAUTH_MAX_AGE_MS - 60_000) })
    .where('id', '=', w.aSessionId)
    .execute();
  return async () => {
    await w.db.updateTable('sessions').set({ reauthenticated_at: real }).where('id', '=', w.aSessionId).execute();
  };
}

function expectOutcome(res: RawResponse, expected: Expected, context: string): void {
  if (expected.code !== undefined) expectApiError(res, expected.code, context);
  else expect(res.status, `${context} → ${res.text.slice(0, 300)}`).toBe(expected.status);
}

/**
 * Every row of the database that belongs to the user, found through the schema itself (so new
 * tables are covered): rows keyed by the user's id, their vaults and those vaults' items.
 * Usage timestamps are left out.
 */
async function rowsOf(db: Kysely<Database>, userId: string): Promise<Record<string, unknown[]>> {
  // Table names come from introspection, so the query builder cannot type them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: the test reaches every table by name, including ones outside the typed schema.
  const anyDb = db as unknown as Kysely<any>;
  const vaultIds = db.selectFrom('vault_access').select('vault_id').where('user_id', '=', userId);
  const out: Record<string, unknown[]> = {};
  for (const table of await db.introspection.getTables()) {
    const columns = new Set(table.columns.map((c) => c.name));
    const query = anyDb.selectFrom(table.name).selectAll();
    const owned =
      table.name === 'users'
        ? query.where('id', '=', userId)
        : table.name === 'vaults'
          ? query.where('id', 'in', vaultIds)
          : columns.has('user_id')
            ? query.where('user_id', '=', userId)
            : columns.has('owner_user_id')
              ? query.where('owner_user_id', '=', userId)
              : columns.has('vault_id')
                ? query.where('vault_id', 'in', vaultIds)
                : undefined;
    if (owned === undefined) continue;
    const rows = (await owned.execute()).map(({ last_used_at: _, ...rest }: Record<string, unknown>) => rest);
    out[table.name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** Columns any account may share with A (labels, kinds, names), and the event log whose types are fixed words. */
const SHARED_COLUMNS = new Set(['name', 'device_name', 'platform', 'kind', 'role', 'purpose', 'ip', 'status', 'method', 'type']);

/** The strings that are A's alone: ids, email, ciphertexts, keys, hashes. */
function distinctiveStrings(rows: Awaited<ReturnType<typeof rowsOf>>): Set<string> {
  const found = new Set<string>();
  const { security_events: _fixedWords, ...tables } = rows;
  for (const table of Object.values(tables)) {
    for (const json of table) {
      for (const [column, value] of Object.entries(JSON.parse(json as string) as Record<string, unknown>)) {
        if (typeof value === 'string' && value.length >= 16 && !SHARED_COLUMNS.has(column)) found.add(value);
      }
    }
  }
  return found;
}

function expectNoneOf(secrets: Iterable<string>, res: RawResponse, sent: string, context: string): void {
  const leaked = [...secrets].filter((s) => res.text.includes(s) && !sent.includes(s));
  expect(leaked, `${context} answered with A's data`).toEqual([]);
}

/** The same request with every one of A's values swapped for a fresh random id. */
function withUnknownIds(call: Call, secrets: Iterable<string>): Call {
  let path = call.path;
  let body = call.body === undefined ? undefined : JSON.stringify(call.body);
  for (const s of secrets) {
    const stranger = crypto.randomUUID();
    path = path.replaceAll(s, stranger);
    body = body?.replaceAll(s, stranger);
  }
  return { ...call, path, ...(body === undefined ? {} : { body: JSON.parse(body) as unknown }) };
}

/** An account whose item holds a secret of its own, so a leak of it in any answer can be told apart. */
const setUpAccount = (server: TestServer): Promise<Account> =>
  signUpWithItem(server, (user) => ({ kind: 'login', title: 'Bank', username: user.email, password: `item-secret-${crypto.randomUUID()}` }));

describe('authorization matrix: callers × every route', () => {
  let w: World;

  beforeAll(async () => {
    const server = await startTestServer();
    const [a, b] = [await setUpAccount(server), await setUpAccount(server)];
    const c = await signUpUser(server);
    // Their keysets as their clients hold them (a sign-in each, before two-step verification is on).
    const [aPerson, bPerson, cPerson] = [
      await orgPerson(server, a.user, a.profile.id),
      await orgPerson(server, b.user, b.profile.id),
      await orgPerson(server, c),
    ];
    const family = await createHttpOrganization(server, aPerson);
    const spare = await signInAgain(server, a.credentials);
    const signedOut = await send(server, { method: 'POST', path: '/api/auth/signout', token: spare.token, body: {} });
    expect(signedOut.status).toBe(200);
    // Both turn on two-step verification (after the spare sign-in, which needed none).
    const totpOf = async (account: Account) => {
      const { secret } = await account.user.client.twoStep.enableTotp();
      await account.user.client.twoStep.confirmTotp(new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
      return secret;
    };
    const [aTotp, bTotp] = [await totpOf(a), await totpOf(b)];
    let waiting: { token: string; id: string; at: number } | undefined;
    const db = server.running.context.db;
    w = {
      server,
      db,
      a,
      b,
      c: { email: c.email, password: c.password, secretKey: c.secretKey },
      revokedToken: spare.token,
      aSessionId: (await a.user.store.read()).session!.sessionId,
      garbageToken: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
      aTotp,
      bTotp,
      org: { a: aPerson, b: bPerson, c: cPerson, family },
      async waitingToken() {
        // Waiting sessions last 10 minutes, and A's credential change or "sign out everywhere else" ends them.
        const alive =
          waiting !== undefined &&
          Date.now() - waiting.at < 5 * 60_000 &&
          (await db.selectFrom('sessions').select('id').where('id', '=', waiting.id).executeTakeFirst()) !== undefined;
        if (!alive) waiting = { ...(await signInAgain(server, a.credentials)), at: Date.now() };
        const row = await db.selectFrom('sessions').select('second_factor_pending').where('id', '=', waiting!.id).executeTakeFirstOrThrow();
        expect(row.second_factor_pending).toBe(true);
        return waiting!.token;
      },
    };
    // Three sign-ups and two authenticator setups: slow on a busy machine.
  }, 180_000);
  afterAll(() => w?.server.close());

  it('has one row per endpoint of the table, with the access the table declares', () => {
    expect(Object.keys(MATRIX).sort(), 'every endpoint needs a row in MATRIX').toEqual(ENDPOINTS.map((e) => e.name).sort());
    for (const endpoint of ENDPOINTS) {
      const row = MATRIX[endpoint.name as EndpointName];
      expect(row.access, endpoint.name).toBe(endpoint.auth === 'public' ? 'public' : 'session');
      // The waiting session has an expectation of its own exactly where the table lets it in.
      expect(row.access === 'session' && row.waiting !== undefined, endpoint.name).toBe(endpoint.auth === 'session-allowing-pending-two-step');
    }
  });

  it.each(ENDPOINTS.map((e) => e.name as EndpointName))('%s', async (key) => {
    const row = MATRIX[key];
    const endpoint = endpoints[key];
    const method = endpoint.method;
    const target = row.access === 'session' && row.prepare ? await row.prepare(w) : {};
    const calls = new Map<Caller, Call>();
    const callers = CALLERS.filter((c) => c !== 'stale' || endpoint.requireRecentReauth);
    for (const caller of callers) calls.set(caller, row.access === 'public' ? await row.call(w, caller) : await row.call(w, caller, target));
    const waitingToken = await w.waitingToken();

    let before = await rowsOf(w.db, w.a.profile.id);
    // (The backup codes a row hands out are proofs, not data: B's own is in B's request.)
    const secretsOfA = new Set([...distinctiveStrings(before), ...Object.values(withoutCodes(target))]);
    for (const caller of callers) {
      const context = `${key} as ${caller}`;
      const call = calls.get(caller)!;
      if (caller === 'owner') expect(await rowsOf(w.db, w.a.profile.id), `A's rows changed before ${context}`).toEqual(before);
      const token = call.token ?? tokenOf(w, caller, waitingToken);
      const restoreReauthentication = caller === 'stale' ? await makeReauthenticationStale(w) : undefined;
      const res = await send(w.server, { method, path: call.path, body: call.body, ...(token === undefined ? {} : { token }) });
      await restoreReauthentication?.();
      const expected =
        row.access === 'public'
          ? row.anyone
          : caller === 'owner'
            ? row.owner
            : caller === 'other'
              ? row.other
              : caller === 'stale'
                ? fails('reauthentication_required')
                : caller === 'waiting'
                  ? (row.waiting ?? fails('second_factor_required'))
                  : fails('unauthenticated');
      expectOutcome(res, expected, context);
      // A's own waiting session may change A's rows on the routes it is allowed (its challenge, its failure count, its sign-out).
      if (caller === 'waiting' && row.access === 'session' && row.waiting !== undefined) before = await rowsOf(w.db, w.a.profile.id);
      if (caller === 'owner' || row.access === 'public') continue;
      // The sign-in's own second step answers A's waiting session with what it needs (A's key ids).
      if (caller === 'waiting' && row.waiting !== undefined) continue;

      expectNoneOf(secretsOfA, res, call.path + JSON.stringify(call.body ?? null), context);
      if (caller === 'other' && expected.code === 'not_found') {
        // Indistinguishable from an id that does not exist: same status, same body.
        const unknown = withUnknownIds(call, secretsOfA);
        expect(unknown.path + JSON.stringify(unknown.body ?? null)).not.toBe(call.path + JSON.stringify(call.body ?? null));
        const stranger = await send(w.server, { method, path: unknown.path, body: unknown.body, token: w.b.token });
        expect({ status: stranger.status, body: stranger.json }, `${context}: A's id vs an unknown id`).toEqual({ status: res.status, body: res.json });
      }
    }
  });

  it("B cannot reach A's item through B's own vault", async () => {
    const before = await rowsOf(w.db, w.a.profile.id);
    const path = `/api/vaults/${w.b.vaultId}/items/${w.a.itemId}`;
    expectApiError(await send(w.server, { method: 'PUT', path, token: w.b.token, body: { expectedVersion: 1, ciphertext: junkCiphertext() } }), 'not_found');
    expectApiError(await send(w.server, { method: 'DELETE', path, token: w.b.token, body: { expectedVersion: 1, ciphertext: junkCiphertext() } }), 'not_found');
    const trashPath = `/api/vaults/${w.b.vaultId}/trash/${w.a.itemId}`;
    expectApiError(
      await send(w.server, { method: 'POST', path: `${trashPath}/restore`, token: w.b.token, body: { expectedVersion: 1, ciphertext: junkCiphertext() } }),
      'not_found',
    );
    expectApiError(await send(w.server, { method: 'DELETE', path: trashPath, token: w.b.token, body: { expectedVersion: 1 } }), 'not_found');
    const listed = await send(w.server, { method: 'GET', path: `/api/vaults/${w.b.vaultId}/items`, token: w.b.token });
    expect(listed.status).toBe(200);
    expectNoneOf(distinctiveStrings(before), listed, '', "B listing B's vault");
    expect(await rowsOf(w.db, w.a.profile.id)).toEqual(before);
  });

  it("reusing A's vault or item id for something of B's is refused and gives B no access", async () => {
    const before = await rowsOf(w.db, w.a.profile.id);
    // A 409 tells B only that an id B already knows is taken; ids are random, so this enumerates nothing.
    const vault = { ...(await newVaultBody(w.b.profile)), id: w.a.vaultId };
    expectApiError(await send(w.server, { method: 'POST', path: '/api/vaults', token: w.b.token, body: vault }), 'already_exists');
    const item = { id: w.a.itemId, ciphertext: junkCiphertext() };
    expectApiError(await send(w.server, { method: 'POST', path: `/api/vaults/${w.b.vaultId}/items`, token: w.b.token, body: item }), 'already_exists');
    expectApiError(await send(w.server, { method: 'GET', path: `/api/vaults/${w.a.vaultId}/items`, token: w.b.token }), 'not_found');
    expectApiError(await send(w.server, { method: 'GET', path: `/api/items/${w.a.itemId}`, token: w.b.token }), 'not_found');
    const vaults = await send(w.server, { method: 'GET', path: '/api/vaults', token: w.b.token });
    expectNoneOf(distinctiveStrings(before), vaults, '', 'B listing vaults');
    expect(await rowsOf(w.db, w.a.profile.id)).toEqual(before);
  });

  it('a pending re-authentication can be neither finished nor used up through the sign-in route', async () => {
    const pending = await beginReauth(w.server, w.a.credentials, w.a.token);
    const device = { id: 'thief-device-00001', name: 'thief', platform: 'test' };
    const stolen = await send(w.server, {
      method: 'POST',
      path: '/api/auth/login/finish',
      body: { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest, device },
    });
    expectApiError(stolen, 'login_expired');
    const finished = await send(w.server, {
      method: 'POST',
      path: '/api/auth/reauth/finish',
      token: w.a.token,
      body: { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest },
    });
    expect(finished.status, finished.text).toBe(200);
  });

  it('a pending sign-in cannot be finished or used up as a re-authentication of another session', async () => {
    const pending = await beginSignIn(w.server, w.a.credentials);
    const reauth = { loginId: pending.loginId, finishLoginRequest: pending.finishLoginRequest };
    expectApiError(await send(w.server, { method: 'POST', path: '/api/auth/reauth/finish', token: w.b.token, body: reauth }), 'login_expired');
    const device = { id: 'a-second-device-01', name: 'second', platform: 'test' };
    const finished = await send(w.server, { method: 'POST', path: '/api/auth/login/finish', body: { ...reauth, device } });
    expect(finished.status, finished.text).toBe(200);
  });

  it.each([
    ['no scheme', () => w.a.token],
    ['lower-case scheme', () => `bearer ${w.a.token}`],
    ['Basic scheme', () => `Basic ${Buffer.from(`${w.a.user.email}:${w.a.user.password}`).toString('base64')}`],
    ['empty token', () => 'Bearer '],
    ['token with trailing text', () => `Bearer ${w.a.token} extra`],
    ['token with a character changed', () => `Bearer ${w.a.token.slice(0, -1)}${w.a.token.endsWith('A') ? 'B' : 'A'}`],
    ['characters outside base64url', () => `Bearer ${w.a.token.slice(0, -2)}+/`],
    ['a token far too long', () => `Bearer ${'A'.repeat(5000)}`],
    ['the session id instead of the token', () => `Bearer ${w.a.profile.id}`],
  ])('a malformed Authorization header (%s) is 401 unauthenticated', async (_name, header) => {
    const res = await send(w.server, { method: 'GET', path: `/api/vaults/${w.a.vaultId}/items`, authorization: header() });
    expectApiError(res, 'unauthenticated');
  });

  it('HEAD requests to protected routes need a session too', async () => {
    for (const path of ['/api/account', '/api/vaults', `/api/vaults/${w.a.vaultId}/items`, `/api/items/${w.a.itemId}`]) {
      expect((await send(w.server, { method: 'HEAD', path })).status, path).toBe(401);
      expect((await send(w.server, { method: 'HEAD', path, token: w.b.token })).status, `${path} as B`).toBe(
        path.includes(w.a.vaultId) || path.includes(w.a.itemId) ? 404 : 200,
      );
    }
  });
  /**
   * Organization roles × every families-and-teams route (docs/protocol.md §22.1). A organizes a
   * family and owns a team; in them are an admin and an admin with recovery powers (team only), a
   * confirmed member and a member who accepted but is not confirmed; an outsider is in neither;
   * and A's own session still waiting for its second step. Each call gets fresh, real targets (an
   * invitation, a member to confirm or remove, a group, a shared vault of A's). Organization
   * permissions come from the role; vault shares from the vault (only its owner or a `manage`
   * share may change them, whatever the role). A refused call changes no organization row.
   */
  describe('organization roles × every organization route', () => {
    type Role = 'top' | 'admin' | 'recovery_admin' | 'member' | 'unconfirmed' | 'outsider' | 'waiting';
    /** What a route needs of its caller. */
    type Rule =
      | 'anyone'
      | 'invitee'
      | 'view'
      | 'list'
      | 'manage'
      | 'top'
      | 'team-admin'
      | 'read-group'
      | 'share-vault'
      | 'vault-manager'
      | 'recovery-holder'
      | 'recovery-role';
    type OrgCall = { readonly method: string; readonly path: string; readonly body?: unknown };
    interface RoleRow {
      readonly rule: Rule;
      readonly status?: number;
      /** The request `caller` sends in `org`, with targets made for this one call. */
      readonly request: (org: HttpOrganization, caller: OrgPerson, confirmed: boolean) => Promise<OrgCall>;
    }

    let people: Record<'admin' | 'recovery_admin' | 'member' | 'unconfirmed' | 'outsider', OrgPerson>;
    let family: HttpOrganization;
    let team: HttpOrganization;
    beforeAll(async () => {
      // Five more sign-ups from this one address: the matrix checks who may do what, not the sign-up limit.
      await w.db.deleteFrom('rate_limits').execute();
      const person = async () => orgPerson(w.server, await signUpUser(w.server));
      people = { admin: await person(), recovery_admin: await person(), member: await person(), unconfirmed: await person(), outsider: await person() };
      family = await createHttpOrganization(w.server, w.org.a, 'family');
      team = await createHttpOrganization(w.server, w.org.a, 'team');
      await addMember(w.server, team, people.admin, 'admin');
      await addMember(w.server, team, people.recovery_admin, 'recovery_admin');
      for (const org of [family, team]) {
        await addMember(w.server, org, people.member, 'member');
        await acceptedMember(w.server, org, people.unconfirmed, 'member');
      }
    }, 180_000);

    const orgUrl = (org: HttpOrganization, rest = '') => `/api/organizations/${org.id}${rest}`;
    const member = async (org: HttpOrganization) => {
      const x = await quietPerson(w.server);
      await addMember(w.server, org, x, 'member');
      return x;
    };
    /** An organizer recovery A started in `org` for a fresh member. */
    const startedRecovery = async (org: HttpOrganization) => {
      await ensureRecoveryGroup(w.server, org);
      const res = await send(w.server, { method: 'POST', path: orgUrl(org, '/recoveries'), token: w.a.token, body: { userId: (await member(org)).id } });
      if (res.status !== 201) throw new Error(`start recovery: ${res.status} ${res.text}`);
      return (res.json as { id: string }).id;
    };
    const sharedVault = async (org: HttpOrganization) => {
      const vault = await sharedVaultOf(w.server, w.org.a);
      return { vault, shareId: await share(w.server, org, vault, w.org.a, await member(org), 'view') };
    };

    const ROLE_MATRIX: { readonly [name in keyof typeof organizationEndpoints]: RoleRow } = {
      createOrganization: {
        rule: 'anyone',
        status: 201,
        request: async (_org, caller) => ({ method: 'POST', path: '/api/organizations', body: (await organizationBody(caller)).body }),
      },
      listOrganizations: { rule: 'anyone', request: async () => ({ method: 'GET', path: '/api/organizations' }) },
      getOrganization: { rule: 'view', request: async (org) => ({ method: 'GET', path: orgUrl(org) }) },
      organizationLog: { rule: 'manage', request: async (org) => ({ method: 'GET', path: orgUrl(org, '/log') }) },
      createInvitation: {
        rule: 'manage',
        status: 201,
        request: async (org) => ({ method: 'POST', path: orgUrl(org, '/invitations'), body: { email: uniqueEmail('role-invited'), role: 'member' } }),
      },
      listInvitations: { rule: 'manage', request: async (org) => ({ method: 'GET', path: orgUrl(org, '/invitations') }) },
      revokeInvitation: {
        rule: 'manage',
        request: async (org) => ({
          method: 'DELETE',
          path: orgUrl(org, `/invitations/${(await invite(w.server, org, uniqueEmail('role-revoked'), 'member')).id}`),
        }),
      },
      resendInvitation: {
        rule: 'manage',
        request: async (org) => ({
          method: 'POST',
          path: orgUrl(org, `/invitations/${(await invite(w.server, org, uniqueEmail('role-resent'), 'member')).id}/resend`),
          body: {},
        }),
      },
      // Whoever the caller is in these organizations, an invitation of their own (to C's) is theirs to read and accept.
      describeInvitation: {
        rule: 'invitee',
        request: async (_org, caller) => ({
          method: 'POST',
          path: '/api/invitations/describe',
          body: { token: (await invite(w.server, await createHttpOrganization(w.server, w.org.c), caller.email, 'member')).code },
        }),
      },
      acceptInvitation: {
        rule: 'invitee',
        request: async (_org, caller) => {
          const { code } = await invite(w.server, await createHttpOrganization(w.server, w.org.c), caller.email, 'member');
          return { method: 'POST', path: '/api/invitations/accept', body: { token: code, acceptance: await acceptanceFor(w.server, caller, code) } };
        },
      },
      listMembers: { rule: 'list', request: async (org) => ({ method: 'GET', path: orgUrl(org, '/members') }) },
      confirmMember: {
        rule: 'manage',
        request: async (org) => {
          const x = await quietPerson(w.server);
          const acceptance = await acceptedMember(w.server, org, x, 'member');
          return { method: 'POST', path: orgUrl(org, `/members/${x.id}/confirm`), body: await confirmBody(org, x, 'member', acceptance) };
        },
      },
      removeMember: { rule: 'manage', request: async (org) => ({ method: 'DELETE', path: orgUrl(org, `/members/${(await member(org)).id}`) }) },
      suspendMember: {
        rule: 'manage',
        request: async (org) => ({ method: 'POST', path: orgUrl(org, `/members/${(await member(org)).id}/suspend`), body: {} }),
      },
      reinstateMember: {
        rule: 'manage',
        request: async (org) => {
          const x = await member(org);
          await suspend(w.server, org, x);
          return { method: 'POST', path: orgUrl(org, `/members/${x.id}/reinstate`), body: {} };
        },
      },
      changeMemberRole: {
        rule: 'top',
        request: async (org) => {
          await withoutRecoveryGroup(w, org.id);
          const x = await member(org);
          return {
            method: 'POST',
            path: orgUrl(org, `/members/${x.id}/role`),
            body: { from: 'member', role: org.kind === 'team' ? 'admin' : 'organizer', organizationKeyWrap: await organizationKeyWrapFor(org, x) },
          };
        },
      },
      transferOwnership: {
        rule: 'top',
        request: async (org) => {
          await withoutRecoveryGroup(w, org.id);
          const x = await member(org);
          return {
            method: 'POST',
            path: orgUrl(org, `/members/${x.id}/transfer`),
            body: { from: 'member', stepDown: false, organizationKeyWrap: await organizationKeyWrapFor(org, x) },
          };
        },
      },
      resetMemberTwoStep: {
        rule: 'team-admin',
        request: async (org) => {
          const x = await member(org);
          await withTwoStep(w.server, x);
          return { method: 'POST', path: orgUrl(org, `/members/${x.id}/reset-two-step`), body: {} };
        },
      },
      createGroup: {
        rule: 'manage',
        status: 201,
        request: async (org) => ({ method: 'POST', path: orgUrl(org, '/groups'), body: (await groupBody(org, [w.org.a])).body }),
      },
      listGroups: { rule: 'list', request: async (org) => ({ method: 'GET', path: orgUrl(org, '/groups') }) },
      getGroup: {
        rule: 'read-group',
        request: async (org) => ({ method: 'GET', path: orgUrl(org, `/groups/${(await createTestGroup(w.server, org, [w.org.a])).id}`) }),
      },
      addGroupMember: {
        rule: 'manage',
        status: 201,
        request: async (org) => {
          const group = await createTestGroup(w.server, org, [w.org.a]);
          const x = await member(org);
          const wrap = await addGroupMember(
            { organizationId: org.id, keyset: org.keyset },
            { groupId: group.id, keyVersion: 1, keyset: group.version.keyset },
            x.member,
          );
          return { method: 'POST', path: orgUrl(org, `/groups/${group.id}/members`), body: { userId: x.id, keyVersion: 1, wrap } };
        },
      },
      // Only a member of the group can re-key it: the caller is in it whenever they are a confirmed member.
      rekeyGroup: {
        rule: 'manage',
        request: async (org, caller, confirmed) => {
          const x = await member(org);
          const stay = caller.id === w.org.a.id || !confirmed ? [w.org.a] : [w.org.a, caller];
          const group = await createTestGroup(w.server, org, [...stay, x]);
          return { method: 'POST', path: orgUrl(org, `/groups/${group.id}/rekey`), body: await rekeyBody(org, group, [...stay, x], [x]) };
        },
      },
      deleteGroup: {
        rule: 'manage',
        request: async (org) => ({ method: 'DELETE', path: orgUrl(org, `/groups/${(await createTestGroup(w.server, org, [w.org.a])).id}`) }),
      },
      shareVault: {
        rule: 'share-vault',
        status: 201,
        request: async (org) => {
          const vault = await sharedVaultOf(w.server, w.org.a);
          return { method: 'POST', path: `/api/vaults/${vault.id}/shares`, body: await shareBody(org, vault, w.org.a, await member(org), 'view') };
        },
      },
      listVaultShares: {
        rule: 'vault-manager',
        request: async (org) => ({ method: 'GET', path: `/api/vaults/${(await sharedVault(org)).vault.id}/shares` }),
      },
      changeShareRole: {
        rule: 'vault-manager',
        request: async (org) => {
          const { vault, shareId } = await sharedVault(org);
          return { method: 'PUT', path: `/api/vaults/${vault.id}/shares/${shareId}`, body: { role: 'edit' } };
        },
      },
      unshareVault: {
        rule: 'vault-manager',
        request: async (org) => {
          const { vault, shareId } = await sharedVault(org);
          return { method: 'DELETE', path: `/api/vaults/${vault.id}/shares/${shareId}` };
        },
      },
      listSharedVaults: { rule: 'anyone', request: async () => ({ method: 'GET', path: '/api/shared-vaults' }) },
      createRecoveryGroup: {
        rule: 'recovery-holder',
        status: 201,
        request: async (org) => {
          await w.db.deleteFrom('groups').where('organization_id', '=', org.id).where('kind', '=', 'recovery').execute();
          return { method: 'POST', path: orgUrl(org, '/recovery-group'), body: (await recoveryGroupBody(w.server, org)).body };
        },
      },
      getRecoveryGroup: {
        rule: 'recovery-holder',
        request: async (org) => {
          await ensureRecoveryGroup(w.server, org);
          return { method: 'GET', path: orgUrl(org, '/recovery-group') };
        },
      },
      recoveryStatus: { rule: 'anyone', request: async () => ({ method: 'GET', path: '/api/recovery-status' }) },
      // The vault is A's: the organization is checked first, then that the vault is the caller's own.
      escrowVaultKey: {
        rule: 'share-vault',
        request: async (org) => {
          const vault = await sharedVaultOf(w.server, w.org.a);
          return {
            method: 'PUT',
            path: `/api/vaults/${vault.id}/recovery-escrows/${org.id}`,
            body: await escrowBody(vault, w.org.a, await ensureRecoveryGroup(w.server, org)),
          };
        },
      },
      startOrganizerRecovery: {
        rule: 'recovery-role',
        status: 201,
        request: async (org) => {
          await ensureRecoveryGroup(w.server, org);
          return { method: 'POST', path: orgUrl(org, '/recoveries'), body: { userId: (await member(org)).id } };
        },
      },
      listOrganizerRecoveries: { rule: 'recovery-role', request: async (org) => ({ method: 'GET', path: orgUrl(org, '/recoveries') }) },
      getOrganizerRecovery: {
        rule: 'recovery-role',
        request: async (org) => ({ method: 'GET', path: orgUrl(org, `/recoveries/${await startedRecovery(org)}`) }),
      },
      cancelOrganizerRecovery: {
        rule: 'recovery-role',
        request: async (org) => ({ method: 'POST', path: orgUrl(org, `/recoveries/${await startedRecovery(org)}/cancel`), body: {} }),
      },
      approveOrganizerRecovery: {
        rule: 'recovery-role',
        request: async (org) => ({ method: 'POST', path: orgUrl(org, `/recoveries/${(await waitingRecovery(w.server, org)).id}/approve`), body: {} }),
      },
      // Released to the caller: only they may complete, so each role is refused for its role alone.
      completeOrganizerRecovery: {
        rule: 'recovery-role',
        request: async (org, caller) => {
          const r = await waitingRecovery(w.server, org, caller.id);
          return { method: 'POST', path: orgUrl(org, `/recoveries/${r.id}/complete`), body: r.completeBody };
        },
      },
      setRecoveryPolicy: {
        rule: 'top',
        request: async (org) => ({ method: 'PUT', path: orgUrl(org, '/recovery-policy'), body: { waitingPeriodSeconds: 3600, approvalsRequired: 1 } }),
      },
    };

    const ADMINS: readonly Role[] = ['top', 'admin', 'recovery_admin'];
    const CONFIRMED: readonly Role[] = [...ADMINS, 'member'];
    /** The table of §22.1, as each rule reads it. */
    function expected(row: RoleRow, role: Role, kind: 'family' | 'team'): Expected {
      const success = ok(row.status ?? 200);
      if (role === 'waiting') return fails('second_factor_required');
      switch (row.rule) {
        case 'anyone':
        case 'invitee':
          return success;
        case 'view':
          return role === 'outsider' ? fails('not_found') : success;
        case 'list':
          return role === 'outsider' ? fails('not_found') : role === 'unconfirmed' ? fails('forbidden') : success;
        case 'manage':
          return role === 'outsider' ? fails('not_found') : ADMINS.includes(role) ? success : fails('forbidden');
        case 'top':
          // Role changes and transfers: organizers and owners only (§22.10).
          return role === 'outsider' ? fails('not_found') : role === 'top' ? success : fails('forbidden');
        case 'team-admin':
          // Two-step resets: owners and admins of teams; a family has no such role.
          return role === 'outsider' ? fails('not_found') : kind === 'team' && ADMINS.includes(role) ? success : fails('forbidden');
        case 'read-group':
          // A group the caller is not in exists only for those who manage groups.
          return ADMINS.includes(role) ? success : fails('not_found');
        case 'share-vault':
          // The organization is checked first (an unconfirmed member may share nothing), then the vault, which is A's alone.
          return role === 'top' ? success : role === 'unconfirmed' ? fails('forbidden') : fails('not_found');
        case 'vault-manager':
          return role === 'top' ? success : fails('not_found');
        case 'recovery-holder':
          // Organizers, owners and recovery admins only (admins hold the organization key, not the Recovery Group).
          if (role === 'outsider') return fails('not_found');
          if (role === 'top' || role === 'recovery_admin') return success;
          return role === 'unconfirmed' || row.status === 201 ? fails('forbidden') : fails('not_found');
        case 'recovery-role':
          // Organizer recovery (§22.8): organizers, owners and recovery admins; any other member is refused outright.
          if (role === 'outsider') return fails('not_found');
          return role === 'top' || role === 'recovery_admin' ? success : fails('forbidden');
      }
    }

    const ORGANIZATION_TABLES = [
      'memberships',
      'invitations',
      'organization_key_wraps',
      'groups',
      'group_keysets',
      'group_memberships',
      'group_key_wraps',
      'vault_shares',
      'organization_events',
      'recovery_escrow',
      'organizer_recoveries',
      'organizer_recovery_approvals',
    ] as const;
    async function organizationRows(): Promise<string[]> {
      const out: string[] = [];
      for (const table of ORGANIZATION_TABLES) out.push(...(await w.db.selectFrom(table).selectAll().execute()).map((r) => `${table} ${JSON.stringify(r)}`));
      return out.sort();
    }

    it('has one row per organization route', () => {
      expect(Object.keys(ROLE_MATRIX).sort()).toEqual(Object.keys(organizationEndpoints).sort());
      // …and they are endpoints of the one table, so the matrix above covers them for the other callers too.
      for (const name of Object.keys(organizationEndpoints)) expect(ENDPOINTS, name).toContain(endpoints[name as EndpointName]);
    });

    it.each(Object.keys(ROLE_MATRIX) as Array<keyof typeof organizationEndpoints>)(
      '%s',
      async (name) => {
        const row = ROLE_MATRIX[name];
        const endpoint = organizationEndpoints[name];
        const problems: string[] = [];
        // Rows make members by invitation: each starts with a full invitation budget for both organizations (limits are tested elsewhere).
        await w.db
          .deleteFrom('rate_limits')
          .where(
            'bucket',
            'in',
            [family.id, team.id].map((id) => ruleFor('invitationsPerOrganization', id).bucket),
          )
          .execute();
        for (const [org, roles] of [
          [family, ['outsider', 'unconfirmed', 'member', 'waiting', 'top']],
          [team, ['outsider', 'unconfirmed', 'member', 'admin', 'recovery_admin', 'waiting', 'top']],
        ] as const) {
          for (const role of roles as readonly Role[]) {
            const caller = role === 'top' || role === 'waiting' ? w.org.a : people[role];
            const call = await row.request(org, caller, CONFIRMED.includes(role));
            expect(call.method, name).toBe(endpoint.method);
            const token = role === 'waiting' ? await w.waitingToken() : role === 'top' ? w.a.token : caller.token;
            const want = expected(row, role, org.kind);
            const before = want.code === undefined ? undefined : await organizationRows();
            const res = await send(w.server, { method: call.method, path: call.path, token, ...(call.body === undefined ? {} : { body: call.body }) });
            const context = `${name} as ${role} of the ${org.kind}`;
            try {
              expectOutcome(res, want, context);
              if (before !== undefined) expect(await organizationRows(), `${context}: a refused call changed organization rows`).toEqual(before);
            } catch (error) {
              problems.push((error as Error).message);
            }
          }
        }
        expect(problems).toEqual([]);
      },
      120_000,
    );
  });
});

describe('re-authentication gate and session expiry (server clock moves)', () => {
  let server: TestServer;
  let a: Account;

  beforeAll(async () => {
    server = await startTestServer();
    a = await setUpAccount(server);
  });
  afterAll(() => server?.close());

  const credentialsStart = async () =>
    send(server, { method: 'POST', path: '/api/account/credentials/start', token: a.token, body: { registrationRequest: await newRegistrationRequest() } });
  const junkCredentialsFinish = () =>
    send(server, {
      method: 'POST',
      path: '/api/account/credentials/finish',
      token: a.token,
      body: {
        reason: 'password',
        accountId: a.profile.accountId,
        registrationRecord: 'A'.repeat(256),
        secretKeyVerifier: '0'.repeat(64),
        encryptedSymmetricKey: 'AAAA',
      },
    });

  it('allows /api/account/credentials/* within 5 minutes of the last re-authentication', async () => {
    server.advanceClock(REAUTH_MAX_AGE_MS - 30_000);
    expect((await credentialsStart()).status).toBe(200);
  });

  it('refuses them with 403 reauthentication_required once it is older than 5 minutes, and changes nothing', async () => {
    server.advanceClock(60_000);
    const before = await rowsOf(server.running.context.db, a.profile.id);
    expectApiError(await credentialsStart(), 'reauthentication_required');
    expectApiError(await junkCredentialsFinish(), 'reauthentication_required');
    expect(await rowsOf(server.running.context.db, a.profile.id)).toEqual(before);
    // Reading is not gated.
    expect((await send(server, { method: 'GET', path: '/api/account', token: a.token })).status).toBe(200);
  });

  it('allows them again after the session re-authenticates, and only for that session', async () => {
    const other = await signInAgain(server, a.credentials);
    server.advanceClock(REAUTH_MAX_AGE_MS + 1000);
    await a.user.client.unlock(a.credentials.password);
    expect((await credentialsStart()).status).toBe(200);
    const res = await send(server, {
      method: 'POST',
      path: '/api/account/credentials/start',
      token: other.token,
      body: { registrationRequest: await newRegistrationRequest() },
    });
    expectApiError(res, 'reauthentication_required');
    await a.user.client.account.changePassword(a.credentials.password, `${a.credentials.password}-new`);
  });

  it('answers 401 session_expired once the session has expired', async () => {
    server.advanceClock(SESSION_TTL_MS + 1000);
    for (const [method, path, body] of [
      ['GET', '/api/account', undefined],
      ['GET', `/api/vaults/${a.vaultId}/items`, undefined],
      ['POST', '/api/sessions/revoke-others', {}],
    ] as const) {
      expectApiError(await send(server, { method, path, token: a.token, body }), 'session_expired', `${method} ${path}`);
    }
  });
});
