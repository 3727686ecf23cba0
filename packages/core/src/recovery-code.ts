/**
 * Recovery codes: 170 random bits a person stores offline, which can reset the account password
 * and Secret Key when both are lost.
 *
 *   R1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXC    (34 random characters + check character)
 *
 * From the code the client derives two independent keys (HKDF, separate contexts):
 * - an Ed25519 authentication key: the server stores only its public half and checks signatures
 *   over single-use challenges, so it never receives anything that opens the account;
 * - a wrapping key that encrypts a copy of the keyset's symmetric key, stored by the server.
 */
import { fromBase64Url, randomBytes, toBase64Url, utf8 } from './bytes.ts';
import { hkdfSha256 } from './crypto/hkdf.ts';
import { sign, signingPublicKey, verify } from './crypto/ed25519.ts';
import { LatchkeyError } from './errors.ts';
import { checkCharacter, compactCode, firstForeignCharacter, groupCode, randomCodeCharacters } from './check-character.ts';

export const RECOVERY_CODE_VERSION = 'R1';
const RANDOM_LENGTH = 34;
const GROUPS = [5, 5, 5, 5, 5, 5, 5] as const;
const SALT = utf8('latchkey/v1');

declare const recoveryCodeBrand: unique symbol;
export type RecoveryCode = string & { readonly [recoveryCodeBrand]: true };

export function generateRecoveryCode(): RecoveryCode {
  const body = randomCodeCharacters(RANDOM_LENGTH, randomBytes);
  return format(body + checkCharacter(body));
}

const format = (chars: string): RecoveryCode => `${RECOVERY_CODE_VERSION}-${groupCode(chars, GROUPS)}` as RecoveryCode;

/**
 * Parses what a person typed; case, spaces and dashes do not matter. Throws
 * `recovery_code_malformed` or `recovery_code_typo` (check character mismatch).
 */
export function parseRecoveryCode(input: string): RecoveryCode {
  const compact = compactCode(input);
  if (!compact.startsWith(RECOVERY_CODE_VERSION))
    throw new LatchkeyError('recovery_code_malformed', `A recovery code starts with "${RECOVERY_CODE_VERSION}-".`);
  const chars = compact.slice(RECOVERY_CODE_VERSION.length);
  if (chars.length !== RANDOM_LENGTH + 1) {
    throw new LatchkeyError(
      'recovery_code_malformed',
      `A recovery code has ${RANDOM_LENGTH + 1} characters after "${RECOVERY_CODE_VERSION}-"; this one has ${chars.length}.`,
    );
  }
  const bad = firstForeignCharacter(chars);
  if (bad !== undefined)
    throw new LatchkeyError(
      'recovery_code_malformed',
      `"${bad}" is not a recovery code character${'01OI'.includes(bad) ? ' (codes never use 0, O, 1 or I)' : ''}.`,
    );
  if (checkCharacter(chars.slice(0, -1)) !== chars.slice(-1)) {
    throw new LatchkeyError('recovery_code_typo', 'This recovery code has a typo: check each character against your Recovery Kit.');
  }
  return format(chars);
}

/** The last group, which a person may re-enter to show they stored the code. */
export function lastGroupOf(code: RecoveryCode): string {
  return code.split('-').pop()!;
}

export interface RecoveryKeys {
  /** Ed25519 public key, base64url: what the server stores to check proofs. */
  readonly authPublicKey: string;
  readonly authSecretKey: Uint8Array;
  /** Wraps the keyset's symmetric key; never leaves the client. */
  readonly wrappingKey: Uint8Array;
}

export function deriveRecoveryKeys(code: RecoveryCode): RecoveryKeys {
  const ikm = utf8(code);
  const authSecretKey = hkdfSha256(ikm, SALT, 'latchkey/v1/recovery-code/auth-key', 32);
  return {
    authSecretKey,
    authPublicKey: toBase64Url(signingPublicKey(authSecretKey)),
    wrappingKey: hkdfSha256(ikm, SALT, 'latchkey/v1/recovery-code/wrapping-key', 32),
  };
}

/** Why a proof is made: it is signed in, so a proof for one purpose is useless for another. */
export type RecoveryProofPurpose = 'recover' | 'confirm' | 'check';

const proofMessage = (purpose: RecoveryProofPurpose, challenge: string) => utf8(`latchkey/v1/recovery-code/proof\u0000${purpose}\u0000${challenge}`);

export function proveRecoveryCode(keys: RecoveryKeys, purpose: RecoveryProofPurpose, challenge: string): string {
  return toBase64Url(sign(keys.authSecretKey, proofMessage(purpose, challenge)));
}

/** Server side: true only for a signature by this code over this purpose and challenge. Never throws. */
export function verifyRecoveryProof(authPublicKey: string, purpose: RecoveryProofPurpose, challenge: string, proof: string): boolean {
  try {
    return verify(fromBase64Url(authPublicKey), proofMessage(purpose, challenge), fromBase64Url(proof));
  } catch {
    return false;
  }
}
