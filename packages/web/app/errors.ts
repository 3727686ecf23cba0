/**
 * The one place that turns failures into words a person understands. Matches on the stable
 * `LatchkeyError.code` (never on a server message), so wording can change here without
 * touching the protocol. Messages never include a secret.
 */
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { LatchkeyError, type ErrorCode } from '@latchkey/core/errors';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_request: 'Something in the form is not right. Check what you entered and try again.',
  malformed_json: 'The app sent a request the server could not read. Reload the page and try again.',
  body_too_large: 'This is too large to save. Shorten the notes or remove some text.',
  unsupported_media_type: 'The app sent a request the server could not read. Reload the page and try again.',
  not_found: 'That could not be found. It may have been deleted on another device.',
  method_not_allowed: 'The app and the server do not agree on this action. Reload the page and try again.',
  unauthenticated: 'You are signed out. Sign in again to continue.',
  session_expired: 'Your session has ended. Sign in again to continue.',
  wrong_password: 'That account password is not right. Check Caps Lock and try again.',
  wrong_secret_key:
    'That Secret Key does not belong to this account. Check it against your latest Emergency Kit (after an account recovery, the account has a new Secret Key).',
  invalid_credentials: 'The email address, Secret Key or password is not right.',
  reauthentication_required: 'For your security, enter your account password again first.',
  second_factor_required: 'This account uses two-step verification: enter a code from your authenticator app, a backup code, or use your security key.',
  login_expired: 'Signing in took too long. Try again.',
  invalid_code: 'That code is not right. Check the email we sent and try again.',
  code_expired: 'That code has expired. Ask for a new one.',
  code_used: 'That code was already used. Ask for a new one.',
  challenge_expired: 'This took too long, or was already done in another window. Try again.',
  password_too_short: `Choose an account password of at least ${MIN_PASSWORD_LENGTH} characters.`,
  too_many_attempts: 'Too many attempts. Wait a few minutes, then try again.',
  rate_limited: 'Too many attempts in a short time. Wait a little, then try again.',
  // recovery codes and share cards
  invalid_recovery_code:
    'That recovery code does not work for this account. Check it against your Recovery Kit. A code that was replaced, deleted or never confirmed does not work.',
  recovery_code_typo: 'This recovery code has a typo: one character is not right. Check each character against your Recovery Kit. Nothing was sent.',
  recovery_code_malformed: 'That is not a recovery code. A recovery code starts with R1- and has 7 groups of 5 characters. Nothing was sent.',
  recovery_locked:
    'Recovery with a recovery code is locked for this account after too many wrong codes. If you can still sign in somewhere, check or replace your recovery code there to lift the lock.',
  no_recovery_code: 'There is no recovery code to use here. Set up a recovery code first (while signed in).',
  share_invalid: 'One of the share cards is not typed correctly, or it is not a Latchkey recovery share. Check it against the card.',
  share_mismatch: 'These share cards come from different splits of a recovery code. Use cards that were made together.',
  share_tampered: 'These share cards do not rebuild a recovery code: at least one of them is wrong or was altered.',
  not_enough_shares: 'Not enough different share cards. Each card says how many are needed.',
  kit_overflow: 'This does not fit on one printed page: an address, email or name is very long. Write down what is shown instead.',
  forbidden: 'You do not have access to that.',
  conflict:
    'This item was changed on another device after you opened it. Your changes were not saved. Reload to see the latest version, then make your change again.',
  already_exists: 'That already exists.',
  secret_key_required: 'This browser does not know your Secret Key yet. Enter it from your Emergency Kit.',
  rollback_detected:
    'The server sent an older copy of an item than this browser has already seen. Nothing was changed. Tell whoever runs your Latchkey server.',
  untrusted_key:
    'The server sent a key that your own account did not make, so it was refused and nothing was encrypted with it. Tell whoever runs your Latchkey server: it may have been tampered with.',
  key_changed:
    'The server sent a different key for one of your vaults than this browser knows, so it was refused and nothing was changed. Tell whoever runs your Latchkey server: it may have been tampered with.',
  fingerprint_mismatch:
    'That fingerprint does not match the one shown here for them, so nobody was confirmed. Ask them to read theirs again; if it still differs, do not confirm them: someone may be in between.',
  decryption_failed: 'Something could not be decrypted. It may have been damaged or tampered with. Nothing was changed.',
  not_signed_in: 'You are signed out. Sign in again to continue.',
  device_not_trusted:
    'This browser is not a trusted device of this account: it was removed from the account, or the passkey account was made elsewhere. Sign in with your recovery code to use it here again.',
  client_locked: 'Latchkey is locked in this browser. Unlock it with your account password to continue.',
  network_error: 'Could not reach the Latchkey server. Check your connection and try again.',
  invalid_server_response:
    'The server sent an answer this app does not understand, so nothing was done with it. Reload the page and try again; if it keeps happening, tell whoever runs your Latchkey server.',
  internal: 'Something went wrong on the server. Nothing was changed. Try again in a moment.',
};

/**
 * Codes whose SDK message is already written for a person and says more than a fixed text
 * could (e.g. which character of a Secret Key is not allowed).
 */
const USE_OWN_MESSAGE: ReadonlySet<ErrorCode> = new Set(['secret_key_malformed', 'secret_key_typo', 'password_too_weak']);

/**
 * Codes from checking typed text locally (a recovery code, share cards) whose SDK message says
 * more (which character, how many cards are needed); used by `describeInputError`.
 */
const INPUT_OWN_MESSAGE: ReadonlySet<ErrorCode> = new Set(['recovery_code_malformed', 'share_invalid', 'not_enough_shares']);

/** Codes after which the session is gone and the person must sign in again. */
export const SIGNED_OUT_CODES: ReadonlySet<ErrorCode> = new Set(['unauthenticated', 'session_expired', 'not_signed_in']);

export function errorCode(error: unknown): ErrorCode | undefined {
  return error instanceof LatchkeyError ? error.code : undefined;
}

export function describeError(error: unknown): string {
  const keyProblem = describeSecurityKeyProblem(error);
  if (keyProblem !== undefined) return keyProblem;
  if (error instanceof LatchkeyError) {
    if (USE_OWN_MESSAGE.has(error.code)) return error.message;
    return MESSAGES[error.code] ?? 'Something went wrong. Try again.';
  }
  return 'Something went wrong in the app. Reload the page and try again.';
}

/**
 * For text the person typed or pasted and the app checked locally (a setup code, a Secret
 * Key): the parsers' messages are written for people and never repeat the secret.
 */
export function describeInputError(error: unknown): string {
  if (error instanceof LatchkeyError && (error.code === 'invalid_request' || USE_OWN_MESSAGE.has(error.code) || INPUT_OWN_MESSAGE.has(error.code)))
    return error.message;
  return describeError(error);
}

/**
 * Two-step verification: the same codes as elsewhere (`invalid_code` is also an email code's),
 * worded for an authenticator app code, a backup code or a security key.
 */
const TWO_STEP_MESSAGES: Partial<Record<ErrorCode, string>> = {
  second_factor_required: 'Prove it is you first: enter a code from your authenticator app, a backup code, or use your security key.',
  invalid_code: 'That code is not right, or it was already used. Enter the code your authenticator app shows now, or an unused backup code.',
  too_many_attempts:
    'This method is locked after too many wrong attempts. Use another one: a backup code or your security key. Using one that works unlocks it.',
  rate_limited: 'Too many attempts in a short time. Wait a minute, then try again.',
  reauthentication_required: 'For your security, enter your account password again before changing two-step verification.',
  challenge_expired: 'The security key request expired. Try again.',
};

export function describeTwoStepError(error: unknown): string {
  if (error instanceof LatchkeyError && TWO_STEP_MESSAGES[error.code] !== undefined) return TWO_STEP_MESSAGES[error.code]!;
  return describeError(error);
}

/**
 * A security key ceremony that did not finish (the browser's WebAuthn errors, as passed on by
 * @simplewebauthn/browser with the DOMException's name). Undefined for anything else.
 */
function describeSecurityKeyProblem(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof LatchkeyError) return undefined;
  switch (error.name) {
    case 'NotAllowedError':
    case 'AbortError':
      return 'The security key was not used: the request was cancelled or timed out. Try again, and touch your key when it blinks.';
    case 'InvalidStateError':
      return 'This security key is already registered with your account.';
    case 'SecurityError':
      return 'This browser refused to use a security key for this address. Open Latchkey at its usual address (a name, not an IP number) and try again.';
    case 'NotSupportedError':
      return 'This security key or browser does not support what Latchkey needs. Try another key or browser.';
    default:
      return undefined;
  }
}

/**
 * Changing the account password or Secret Key while signed in: the same codes, worded for what
 * the person just did (this browser's remembered Secret Key is used, so a mismatch means it was
 * changed elsewhere).
 */
const CREDENTIALS_CHANGE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  wrong_password: 'That is not your current account password. Check Caps Lock and try again. Nothing was changed.',
  wrong_secret_key:
    'The Secret Key this browser remembers no longer belongs to your account: it was changed on another device or by an account recovery. Nothing was changed. Sign out, then sign in with the Secret Key from your latest Emergency Kit.',
  password_too_short: `Choose an account password of at least ${MIN_PASSWORD_LENGTH} characters. Nothing was changed.`,
  rate_limited: 'Too many attempts in a short time. Wait a little, then try again. Nothing was changed.',
};

export function describeCredentialsChangeError(error: unknown): string {
  if (error instanceof LatchkeyError && CREDENTIALS_CHANGE_MESSAGES[error.code] !== undefined) return CREDENTIALS_CHANGE_MESSAGES[error.code]!;
  if (error instanceof LatchkeyError && error.code === 'password_too_weak') return `${error.message} Nothing was changed.`;
  return describeError(error);
}

/**
 * Team administration (a member's role, a transfer): `conflict` here is the membership, not an
 * item, changing meanwhile, or the last organizer or owner.
 */
const ROLE_CHANGE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  conflict:
    'Nothing was changed: their role or membership changed meanwhile (look at the members again), or this would leave the organization without an organizer or owner.',
  forbidden: 'Your role cannot change this. Only organizers and owners change roles and transfer the organization.',
  invalid_request: 'This organization has no such role for them. Nothing was changed.',
};

export function describeRoleChangeError(error: unknown): string {
  if (error instanceof LatchkeyError && ROLE_CHANGE_MESSAGES[error.code] !== undefined) return ROLE_CHANGE_MESSAGES[error.code]!;
  return describeError(error);
}

/** A team's reset of a member's two-step verification (the server's limits: once a day per member). */
const TWO_STEP_RESET_MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_request: 'This member has no two-step verification to reset. Nothing was changed.',
  rate_limited:
    "This member's two-step verification was already reset in the last day, or the team has made many resets this hour. Nothing was changed: wait, or ask an owner.",
  forbidden: "Your role cannot reset this member's two-step verification: admins reset members', owners everyone's but their own.",
  conflict: 'Nothing was changed: their membership changed meanwhile. Look at the members again.',
};

export function describeTwoStepResetError(error: unknown): string {
  if (error instanceof LatchkeyError && TWO_STEP_RESET_MESSAGES[error.code] !== undefined) return TWO_STEP_RESET_MESSAGES[error.code]!;
  return describeError(error);
}

/**
 * Passkey sign-up and unlock (§24.9, §24.10): the browser's WebAuthn errors worded for a
 * passkey, and the server's answers for a passkey that is not this account's.
 */
export function describePasskeyError(error: unknown): string {
  if (error instanceof Error && !(error instanceof LatchkeyError)) {
    if (error.name === 'NotAllowedError' || error.name === 'AbortError')
      return 'The passkey was not used: the request was cancelled or timed out. Try again, and confirm with your fingerprint, face or device PIN.';
    if (error.name === 'InvalidStateError') return 'This device already has a passkey for this account.';
  }
  if (error instanceof LatchkeyError && error.code === 'invalid_credentials')
    return 'That passkey does not belong to this account, or it did not confirm it was you (fingerprint, face or PIN). Try again with this account’s passkey.';
  return describeError(error);
}
