/**
 * The stable error codes of the Latchkey protocol. Servers send them in
 * `{"error":{"code","message"}}` bodies, the SDK throws them as `LatchkeyError`, and the CLI
 * prints them; scripts and the web app match on `code`, never on the message.
 */

export const ERROR_STATUS = {
  // request shape
  invalid_request: 400,
  invalid_registration_record: 400,
  malformed_json: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 405,
  // authentication
  unauthenticated: 401,
  session_expired: 401,
  wrong_password: 401,
  wrong_secret_key: 401,
  invalid_credentials: 401,
  reauthentication_required: 403,
  second_factor_required: 401,
  login_expired: 400,
  // one-time codes and challenges
  invalid_code: 400,
  code_expired: 400,
  code_used: 400,
  /** A single-use challenge (recovery-code confirm or check, WebAuthn) that is unknown, used, another account's or too old. */
  challenge_expired: 400,
  too_many_attempts: 429,
  rate_limited: 429,
  invalid_recovery_code: 401,
  recovery_locked: 423,
  no_recovery_code: 404,
  // authorization and state
  forbidden: 403,
  /**
   * A passkey unlock, or an enrollment approval, from a device that is not (or no longer) one of
   * the account's trusted devices; an enrollment session outside the enrollment relay.
   */
  device_not_trusted: 403,
  conflict: 409,
  already_exists: 409,
  // client-side only (never sent by the server)
  secret_key_malformed: 400,
  secret_key_typo: 400,
  secret_key_required: 400,
  rollback_detected: 409,
  /** Key material that no keyset this device trusts vouches for (unsigned, wrongly signed, moved, or opened by no key of ours). */
  untrusted_key: 409,
  /** A vault key other than the one this device pinned for that vault, even if properly signed. */
  key_changed: 409,
  /** The member fingerprint a person compared is not the one of the acceptance the server holds: the keys were not confirmed. */
  fingerprint_mismatch: 409,
  recovery_code_malformed: 400,
  recovery_code_typo: 400,
  share_invalid: 400,
  share_mismatch: 400,
  share_tampered: 400,
  not_enough_shares: 400,
  kit_overflow: 400,
  decryption_failed: 400,
  /** A CPace share that is not a canonical ristretto255 element, is the identity, or echoes our own. */
  cpace_invalid_share: 400,
  /** The other device's CPace key-confirmation tag does not verify: a wrong verification code, or messages from another run. */
  cpace_confirmation_failed: 400,
  /** A CPace run driven past its end (each step is single-use). */
  cpace_state_used: 409,
  enrollment_code_malformed: 400,
  enrollment_code_typo: 400,
  /** A decrypted credential bundle in a format this version cannot read. */
  invalid_credential_bundle: 400,
  not_signed_in: 401,
  /** A secret the CLI needs was given nowhere (flag, `-`, environment) and there is no terminal to ask on. */
  secret_required: 400,
  /** Signed in, but this client holds no unlocked keys: unlock with the account password first. */
  client_locked: 401,
  /** A new account password shorter than `MIN_PASSWORD_LENGTH` (core/account-password.ts). */
  password_too_short: 400,
  /** A new account password that zxcvbn scores below `MIN_PASSWORD_SCORE` (core/account-password-strength.ts): common, a dictionary word, or built on the person's details. */
  password_too_weak: 400,
  /** `LATCHKEY_SESSION` is not a token of this device's unlocked session (malformed, from another unlock, or altered). */
  invalid_session_token: 401,
  /** The unlocked session the token belonged to has ended: `latchkey lock`, the idle timeout, sign-out, or the server ending the session. */
  session_locked: 401,
  /** A secret reference (`lk://vault/item/field`) that does not parse, or names a field that is not there. */
  invalid_reference: 400,
  /** An import or export file that is malformed, truncated, or opened with the wrong password. */
  invalid_file: 400,
  network_error: 503,
  /** The server answered, but not as the endpoint promises: not JSON, the wrong shape, an unexpected status, an error without a known code. */
  invalid_server_response: 502,
  // server
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);

/** A failure with a stable code. `message` is safe to show a person; it never holds a secret. */
export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LatchkeyError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
