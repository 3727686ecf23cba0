/**
 * Every HTTP endpoint of the Latchkey API, in one table (docs/protocol.md §20). The server
 * registers exactly these routes and no others under /api (its OpenAPI document is generated
 * from them); the SDK calls them by name and checks each answer against `response`.
 */
import { Empty } from './common.ts';
import { defineEndpoint, nameEndpoints, type NamedEndpoint } from './endpoint.ts';
import * as auth from './auth.ts';
import * as recovery from './recovery.ts';
import * as signup from './signup.ts';
import * as twoStep from './two-step.ts';
import * as vaults from './vaults.ts';

// Without a contextual type, so each entry keeps its literal types (`requireRecentReauth: true`).
const table = {
  // Sign-up (docs/protocol.md §9)
  signupStart: defineEndpoint({ method: 'POST', path: '/api/signup/start', tag: 'sign-up', summary: 'Send an email verification code', auth: 'public', body: signup.SignupStartRequest, response: signup.SignupStartResponse, status: 202 }),
  signupVerify: defineEndpoint({ method: 'POST', path: '/api/signup/verify', tag: 'sign-up', summary: 'Check the emailed code; returns a sign-up ticket', auth: 'public', body: signup.SignupVerifyRequest, response: signup.SignupVerifyResponse }),
  signupRegister: defineEndpoint({ method: 'POST', path: '/api/signup/register', tag: 'sign-up', summary: 'OPAQUE registration response for the new account', auth: 'public', body: signup.SignupRegisterRequest, response: signup.SignupRegisterResponse }),
  signupFinish: defineEndpoint({ method: 'POST', path: '/api/signup/finish', tag: 'sign-up', summary: 'Create the account, keyset and Personal vault, and sign in', auth: 'public', body: signup.SignupFinishRequest, response: signup.SignupFinishResponse, status: 201 }),

  // Sign-in, re-authentication, sign-out (§10, §16.5)
  loginStart: defineEndpoint({ method: 'POST', path: '/api/auth/login/start', tag: 'sign-in', summary: 'OPAQUE sign-in, first message', auth: 'public', body: auth.LoginStartRequest, response: auth.LoginStartResponse }),
  loginFinish: defineEndpoint({ method: 'POST', path: '/api/auth/login/finish', tag: 'sign-in', summary: 'OPAQUE sign-in, client proof; creates the session', auth: 'public', body: auth.LoginFinishRequest, response: auth.LoginFinishResponse }),
  twoStepOptions: defineEndpoint({ method: 'POST', path: '/api/auth/two-step/options', tag: 'sign-in', summary: 'WebAuthn options for the second step of a pending sign-in', auth: 'session-allowing-pending-two-step', body: Empty, response: twoStep.ChallengeOptions }),
  twoStep: defineEndpoint({ method: 'POST', path: '/api/auth/two-step', tag: 'sign-in', summary: 'Give the second step; completes the sign-in', auth: 'session-allowing-pending-two-step', body: twoStep.TwoStepRequest, response: twoStep.TwoStepResponse }),
  reauthStart: defineEndpoint({ method: 'POST', path: '/api/auth/reauth/start', tag: 'sign-in', summary: 'Re-authenticate inside a session (unlock), first message', auth: 'session', body: auth.ReauthStartRequest, response: auth.LoginStartResponse }),
  reauthFinish: defineEndpoint({ method: 'POST', path: '/api/auth/reauth/finish', tag: 'sign-in', summary: 'Re-authenticate inside a session, client proof', auth: 'session', body: auth.ReauthFinishRequest, response: auth.ReauthFinishResponse }),
  signOut: defineEndpoint({ method: 'POST', path: '/api/auth/signout', tag: 'sign-in', summary: 'End this session (also one still waiting for its second step)', auth: 'session-allowing-pending-two-step', body: Empty, response: auth.RevokeResponse }),

  // The account (§11, §12)
  account: defineEndpoint({ method: 'GET', path: '/api/account', tag: 'account', summary: 'The signed-in account and its encrypted keyset', auth: 'session', response: auth.AccountProfile }),
  credentialsChangeStart: defineEndpoint({ method: 'POST', path: '/api/account/credentials/start', tag: 'account', summary: 'Change password or Secret Key: OPAQUE registration response', auth: 'session', requireRecentReauth: true, body: auth.CredentialsChangeStartRequest, response: auth.CredentialsChangeStartResponse }),
  credentialsChangeFinish: defineEndpoint({ method: 'POST', path: '/api/account/credentials/finish', tag: 'account', summary: 'Change password or Secret Key: swap credentials atomically, sign out other sessions (with two-step verification on, a factor proof)', auth: 'session', requireRecentReauth: true, body: auth.CredentialsChangeFinishRequest, response: auth.CredentialsChangeFinishResponse }),
  securityLog: defineEndpoint({ method: 'GET', path: '/api/account/security-log', tag: 'account', summary: "The account's security log, newest first", auth: 'session', response: auth.SecurityLog }),

  // Sessions (§12)
  listSessions: defineEndpoint({ method: 'GET', path: '/api/sessions', tag: 'sessions', summary: "The account's sessions", auth: 'session', response: auth.SessionList }),
  revokeSession: defineEndpoint({ method: 'DELETE', path: '/api/sessions/:id', tag: 'sessions', summary: 'Revoke one session', auth: 'session', params: auth.IdParams, response: auth.RevokeResponse }),
  revokeOtherSessions: defineEndpoint({ method: 'POST', path: '/api/sessions/revoke-others', tag: 'sessions', summary: 'Sign out everywhere else', auth: 'session', body: Empty, response: auth.RevokeResponse }),

  // Vaults and items (§8)
  listVaults: defineEndpoint({ method: 'GET', path: '/api/vaults', tag: 'vaults', summary: 'Vaults the caller may read, with their wrapped keys', auth: 'session', response: vaults.VaultList }),
  createVault: defineEndpoint({ method: 'POST', path: '/api/vaults', tag: 'vaults', summary: 'Create a vault', auth: 'session', body: vaults.CreateVaultRequest, response: vaults.CreatedVault, status: 201 }),
  listItems: defineEndpoint({ method: 'GET', path: '/api/vaults/:vaultId/items', tag: 'vaults', summary: "A vault's encrypted items", auth: 'session', params: vaults.VaultParams, response: vaults.ItemList }),
  createItem: defineEndpoint({ method: 'POST', path: '/api/vaults/:vaultId/items', tag: 'vaults', summary: 'Create an item (version 1)', auth: 'session', params: vaults.VaultParams, body: vaults.CreateItemRequest, response: vaults.ItemVersion, status: 201 }),
  updateItem: defineEndpoint({ method: 'PUT', path: '/api/vaults/:vaultId/items/:itemId', tag: 'vaults', summary: 'Replace an item if expectedVersion is current', auth: 'session', params: vaults.ItemParams, body: vaults.UpdateItemRequest, response: vaults.ItemVersion }),
  deleteItem: defineEndpoint({ method: 'DELETE', path: '/api/vaults/:vaultId/items/:itemId', tag: 'vaults', summary: 'Delete an item if expectedVersion is current', auth: 'session', params: vaults.ItemParams, body: vaults.DeleteItemRequest, response: vaults.DeleteItemResponse }),
  getItem: defineEndpoint({ method: 'GET', path: '/api/items/:itemId', tag: 'vaults', summary: 'One item, wherever the caller may read it', auth: 'session', params: vaults.ItemIdParams, response: vaults.EncryptedItem }),

  // The recovery code, signed in (§14.4)
  recoveryCodeStatus: defineEndpoint({ method: 'GET', path: '/api/recovery-code', tag: 'recovery code', summary: 'Recovery code status and reminders', auth: 'session', response: recovery.RecoveryCodeStatus }),
  createRecoveryCode: defineEndpoint({ method: 'POST', path: '/api/recovery-code', tag: 'recovery code', summary: 'Set up a new (pending) recovery code (with two-step verification on, a factor proof)', auth: 'session', requireRecentReauth: true, body: recovery.CreateRecoveryCodeRequest, response: recovery.RecoveryCodeStatus, status: 201 }),
  recoveryCodeChallenge: defineEndpoint({ method: 'POST', path: '/api/recovery-code/challenge', tag: 'recovery code', summary: 'A single-use challenge to confirm or check a code', auth: 'session', body: recovery.RecoveryChallengeRequest, response: recovery.RecoveryChallenge }),
  confirmRecoveryCode: defineEndpoint({ method: 'POST', path: '/api/recovery-code/confirm', tag: 'recovery code', summary: 'Activate the pending code by proving possession', auth: 'session', body: recovery.RecoveryChallengeAnswer, response: recovery.RecoveryCodeStatus }),
  checkRecoveryCode: defineEndpoint({ method: 'POST', path: '/api/recovery-code/check', tag: 'recovery code', summary: 'Test a code against the active one', auth: 'session', body: recovery.RecoveryChallengeAnswer, response: recovery.RecoveryCheckResponse }),
  deleteRecoveryCode: defineEndpoint({ method: 'DELETE', path: '/api/recovery-code', tag: 'recovery code', summary: 'Delete the recovery code (with two-step verification on, a factor proof)', auth: 'session', requireRecentReauth: true, body: recovery.DeleteRecoveryCodeRequest, response: recovery.RecoveryCodeStatus }),

  // Recovering an account, signed out (§14.5)
  recoveryStart: defineEndpoint({ method: 'POST', path: '/api/recovery/start', tag: 'recovery', summary: 'Email a code to start recovery', auth: 'public', body: recovery.RecoveryStartRequest, response: recovery.RecoveryStartResponse, status: 202 }),
  recoveryVerify: defineEndpoint({ method: 'POST', path: '/api/recovery/verify', tag: 'recovery', summary: 'Check the emailed code; returns a ticket', auth: 'public', body: recovery.RecoveryVerifyRequest, response: recovery.RecoveryVerifyResponse }),
  recoveryProve: defineEndpoint({ method: 'POST', path: '/api/recovery/prove', tag: 'recovery', summary: 'Prove possession of the recovery code', auth: 'public', body: recovery.RecoveryProveRequest, response: recovery.RecoveryProveResponse }),
  recoveryRegister: defineEndpoint({ method: 'POST', path: '/api/recovery/register', tag: 'recovery', summary: 'OPAQUE registration for the new credentials', auth: 'public', body: recovery.RecoveryRegisterRequest, response: recovery.RecoveryRegisterResponse }),
  recoveryFinish: defineEndpoint({ method: 'POST', path: '/api/recovery/finish', tag: 'recovery', summary: 'Set the new credentials; ends every session', auth: 'public', body: recovery.RecoveryFinishRequest, response: recovery.RecoveryFinishResponse }),

  // Two-step verification, signed in (§16)
  twoStepStatus: defineEndpoint({ method: 'GET', path: '/api/two-step', tag: 'two-step verification', summary: 'Two-step verification status', auth: 'session', response: twoStep.TwoStepStatus }),
  startTotpSetup: defineEndpoint({ method: 'POST', path: '/api/two-step/totp', tag: 'two-step verification', summary: 'Start authenticator app setup (a factor proof when two-step verification is on)', auth: 'session', requireRecentReauth: true, body: twoStep.FactorProof, response: twoStep.TotpSetupResponse }),
  confirmTotp: defineEndpoint({ method: 'POST', path: '/api/two-step/totp/confirm', tag: 'two-step verification', summary: 'Confirm the authenticator app with a first code; backup codes when two-step verification was off', auth: 'session', requireRecentReauth: true, body: twoStep.OtpRequest, response: twoStep.BackupCodesResponse }),
  disableTotp: defineEndpoint({ method: 'POST', path: '/api/two-step/totp/disable', tag: 'two-step verification', summary: 'Turn the authenticator app off (a factor proof)', auth: 'session', requireRecentReauth: true, body: twoStep.FactorProof, response: twoStep.OkResponse }),
  regenerateBackupCodes: defineEndpoint({ method: 'POST', path: '/api/two-step/backup-codes/regenerate', tag: 'two-step verification', summary: 'Replace every backup code (a factor proof)', auth: 'session', requireRecentReauth: true, body: twoStep.FactorProof, response: twoStep.BackupCodesResponse }),
  securityKeyRegistrationOptions: defineEndpoint({ method: 'POST', path: '/api/two-step/security-keys/options', tag: 'two-step verification', summary: 'WebAuthn registration options (a factor proof when two-step verification is on)', auth: 'session', requireRecentReauth: true, body: twoStep.FactorProof, response: twoStep.ChallengeOptions }),
  registerSecurityKey: defineEndpoint({ method: 'POST', path: '/api/two-step/security-keys', tag: 'two-step verification', summary: 'Register a security key', auth: 'session', requireRecentReauth: true, body: twoStep.RegisterSecurityKeyRequest, response: twoStep.RegisteredSecurityKey, status: 201 }),
  removeSecurityKey: defineEndpoint({ method: 'DELETE', path: '/api/two-step/security-keys/:id', tag: 'two-step verification', summary: 'Remove a security key (a factor proof)', auth: 'session', requireRecentReauth: true, params: twoStep.SecurityKeyIdParams, body: twoStep.FactorProof, response: twoStep.OkResponse }),
  securityKeyProofOptions: defineEndpoint({ method: 'POST', path: '/api/two-step/security-keys/proof-options', tag: 'two-step verification', summary: 'WebAuthn options to prove a factor with a security key (to change or turn off factors)', auth: 'session', body: Empty, response: twoStep.ChallengeOptions }),
};

export const endpoints = nameEndpoints(table);

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

/** The table as a list, in its order. */
export const ENDPOINTS: readonly NamedEndpoint[] = Object.values(endpoints);

/** `"POST /api/vaults/:vaultId/items"`: how Fastify and the route hooks name a route. */
export const routeKey = (endpoint: { readonly method: string; readonly path: string }): string => `${endpoint.method} ${endpoint.path}`;
