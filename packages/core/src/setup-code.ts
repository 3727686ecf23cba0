/**
 * The setup code: the text carried by the Emergency Kit's QR code, so that scanning the kit
 * fills in everything a new device needs to sign in except the account password.
 *
 *   latchkey-setup:v1?server=<percent-encoded sign-in URL>&email=<percent-encoded>&secret-key=<Secret Key>
 *
 * It never carries the password: the kit is meant to be printed and kept, and a QR code is
 * readable by any camera pointed at it, so it must never be enough on its own to open the
 * account.
 */
import { LatchkeyError } from './errors.ts';
import { parseSecretKey, type SecretKey } from './secret-key.ts';

export const SETUP_CODE_PREFIX = 'latchkey-setup:v1?';

/** Setup codes are short (well under 300 characters); refuse absurd input before parsing it. */
const MAX_SETUP_CODE_LENGTH = 4096;
const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit
const KNOWN_PARAMETERS: readonly string[] = ['server', 'email', 'secret-key'];

export interface SetupDetails {
  /** The sign-in address of the Latchkey server (an http: or https: URL). */
  server: string;
  email: string;
  secretKey: SecretKey;
}

export interface SetupCodeInput {
  server: string;
  email: string;
  /** Canonical or as typed: it is re-parsed, so a typo is refused instead of printed. */
  secretKey: SecretKey | string;
}

function invalid(message: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('invalid_request', message, cause === undefined ? undefined : { cause });
}

/**
 * Checks the sign-in address. Only http(s) is accepted so that a crafted code cannot make a
 * client open `javascript:`, `file:` or other schemes; embedded credentials are refused
 * because a sign-in address never needs them and they are a classic way to disguise a host.
 */
function checkServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch (error) {
    throw invalid('The sign-in address is not a valid URL.', error);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('The sign-in address must start with https:// or http://.');
  }
  if (url.hostname === '') {
    throw invalid('The sign-in address has no host name.');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('The sign-in address must not contain a user name or password.');
  }
  // Kept as written (not `url.href`) so the address on the kit reads exactly as the user knows it.
  return server;
}

function checkEmail(email: string): string {
  // Deliberately loose: the server is the authority on addresses; this only rejects values
  // that cannot be an address at all (and so betray a damaged or forged code).
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/u.test(email)) {
    throw invalid('The email address is not valid.');
  }
  return email;
}

function checkSecretKey(secretKey: string): SecretKey {
  try {
    return parseSecretKey(secretKey);
  } catch (error) {
    // Re-coded so callers handle "bad setup code" in one place; the original code
    // (secret_key_typo / secret_key_malformed) stays available as the cause. The message
    // never repeats the key itself.
    const reason = error instanceof LatchkeyError && error.code === 'secret_key_typo' ? 'has a typo' : 'is not a valid Secret Key';
    throw invalid(`The Secret Key in the setup code ${reason}.`, error);
  }
}

/** Builds the setup code for an account. Throws `invalid_request` if any part is unusable. */
export function createSetupCode(input: SetupCodeInput): string {
  const server = checkServer(input.server);
  const email = checkEmail(input.email);
  const secretKey = checkSecretKey(input.secretKey);
  return (
    SETUP_CODE_PREFIX +
    `server=${encodeURIComponent(server)}` +
    `&email=${encodeURIComponent(email)}` +
    // The canonical key is only [A-Z2-9-], so it needs no encoding and stays readable.
    `&secret-key=${secretKey}`
  );
}

/**
 * Parses a scanned or pasted setup code. Surrounding whitespace is ignored (scanners often
 * append a newline) and so is the case of the `latchkey-setup:` scheme. Unknown parameters
 * are ignored so a later v1 writer may add optional hints; a missing, empty or repeated
 * parameter is refused, as is anything else malformed, with `invalid_request`.
 */
export function parseSetupCode(text: string): SetupDetails {
  if (typeof text !== 'string' || text.length > MAX_SETUP_CODE_LENGTH) {
    throw invalid('This is not a Latchkey setup code.');
  }
  const trimmed = text.trim();
  if (trimmed.slice(0, SETUP_CODE_PREFIX.length).toLowerCase() !== SETUP_CODE_PREFIX) {
    throw invalid(
      trimmed.toLowerCase().startsWith('latchkey-setup:') ? 'This setup code is from a different version of Latchkey.' : 'This is not a Latchkey setup code.',
    );
  }
  const params = new Map<string, string>();
  for (const pair of trimmed.slice(SETUP_CODE_PREFIX.length).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid('The setup code is damaged (a parameter has no name or value).');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq));
      value = decodeURIComponent(pair.slice(eq + 1));
    } catch (error) {
      throw invalid('The setup code is damaged (bad percent-encoding).', error);
    }
    // A repeated parameter could make two parsers disagree on which value counts. Only known
    // names are echoed: an unknown one is arbitrary scanned text and could hold a secret.
    if (params.has(name)) {
      throw invalid(KNOWN_PARAMETERS.includes(name) ? `The setup code repeats "${name}".` : 'The setup code repeats a parameter.');
    }
    params.set(name, value);
  }
  const required = (name: string): string => {
    const value = params.get(name);
    if (value === undefined || value === '') throw invalid(`The setup code has no ${name}.`);
    return value;
  };
  return {
    server: checkServer(required('server')),
    email: checkEmail(required('email')),
    secretKey: checkSecretKey(required('secret-key')),
  };
}
