/**
 * The member fingerprint (docs/protocol.md §22.3): 24 decimal digits in six groups of four that
 * the organizer and the new member read to each other before the organizer confirms.
 *
 *   digest      = SHA-256( utf8( canonicalFields("latchkey/v1/member-fingerprint", fields) ) )
 *   fields      = the signed acceptance fields (organization, organization keyset and signing
 *                 public key, user, member keyset id, X25519 and Ed25519 public keys, version)
 *                 plus `acceptance-signature`
 *   fingerprint = big-endian integer of digest[0..16) mod 10^24, zero-padded, in groups of four
 *
 * Security: 10^24 ≈ 2^79.7 values. To pass its own keyset off as the member's, a server needs a
 * keyset and an acceptance signed by it whose fingerprint equals the member's: a second preimage
 * on 79.7 bits. The member's acceptance signature is part of the input, and the server first
 * sees it when the member accepts, so the search can only start then and must end before the
 * organizer confirms (minutes to days): about 2^79.7 tries, each a signature and a hash. At
 * 2^40 tries per second (a large GPU farm) that is 2^39.7 s, some 27,000 years, per attempt on
 * one member. The bias of the modular reduction is below 2^-48 and negligible.
 */
import { bytesToHex, utf8 } from './bytes.ts';
import { canonicalFields } from './associated-data.ts';
import { sha256 } from './crypto/sha256.ts';
import { memberAcceptanceFields, type MemberAcceptance } from './member-acceptance.ts';

const HEADER = 'latchkey/v1/member-fingerprint';
export const MEMBER_FINGERPRINT_DIGITS = 24;
const GROUP = 4;
const MODULUS = 10n ** BigInt(MEMBER_FINGERPRINT_DIGITS);

/**
 * The fingerprint of a signed acceptance, e.g. `"0412 9981 3307 5120 7764 0093"`. Call it on an
 * acceptance that `verifyMemberAcceptance` accepted (the organizer) or that this client signed
 * (the member).
 * @throws TypeError for a field unsafe in the encoding.
 */
export function memberFingerprint(acceptance: MemberAcceptance): string {
  const digest = sha256(utf8(canonicalFields(HEADER, { ...memberAcceptanceFields(acceptance), 'acceptance-signature': acceptance.signature })));
  const value = BigInt(`0x${bytesToHex(digest.subarray(0, 16))}`) % MODULUS;
  const digits = value.toString().padStart(MEMBER_FINGERPRINT_DIGITS, '0');
  return digits.match(new RegExp(`.{${GROUP}}`, 'g'))!.join(' ');
}

/** Compares what a person typed or read with a fingerprint, ignoring spaces and dashes. */
export function sameMemberFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[\s-]/g, '');
  const x = norm(a);
  return /^[0-9]{24}$/.test(x) && x === norm(b);
}
