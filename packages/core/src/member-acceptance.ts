/**
 * A member's acceptance of an organization (docs/protocol.md §22.3): the invitee's client signs,
 * with the member's own signing key, a statement naming the organization, the organization's
 * keyset and signing public key as the member was shown them, the member's user id, and the
 * member's keyset (id and both public keys).
 *
 * Protects against: a server that substitutes either side's key. The organizer's client checks
 * the signature (proof that whoever holds the keyset it is about to certify accepted, and accepted
 * this organization key), and both people compare the fingerprint of the signed acceptance
 * (`member-fingerprint.ts`). A server that swapped the member's keys must also produce a
 * signature by its own key whose fingerprint matches the member's; one that swapped the
 * organization key shown to the member makes the fingerprints differ.
 */
import { toBase64Url } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import type { Keyset, PublicKeyset } from './keyset.ts';
import { publicKeyBytes, signStatement, statementSignatureValid } from './signed-statement.ts';

export const MEMBER_ACCEPTANCE_VERSION = 1 as const;
const KIND = 'member-acceptance';

/** What the member's client sends when it accepts; stored with the membership. */
export interface MemberAcceptance {
  readonly version: number;
  readonly organizationId: string;
  readonly organizationKeysetId: string;
  /** base64url Ed25519 public key of the organization keyset, as the member was shown it. */
  readonly organizationSigningPublicKey: string;
  readonly userId: string;
  readonly keysetId: string;
  /** base64url X25519 public key of the member's keyset. */
  readonly publicKey: string;
  /** base64url Ed25519 public key of the member's keyset. */
  readonly signingPublicKey: string;
  /** base64url Ed25519 signature by the member's signing key over `memberAcceptanceFields`. */
  readonly signature: string;
}

/** The organization as the invitee's client was shown it. */
export interface OrganizationIdentity {
  readonly organizationId: string;
  readonly keyset: Pick<PublicKeyset, 'id' | 'signingPublicKey'>;
}

/** The signed fields, in the canonical encoding of §6.2. */
export function memberAcceptanceFields(acceptance: Omit<MemberAcceptance, 'signature'>): Record<string, string | number> {
  return {
    version: acceptance.version,
    organization: acceptance.organizationId,
    'organization-keyset': acceptance.organizationKeysetId,
    'organization-signing-public-key': acceptance.organizationSigningPublicKey,
    user: acceptance.userId,
    keyset: acceptance.keysetId,
    'public-key': acceptance.publicKey,
    'signing-public-key': acceptance.signingPublicKey,
  };
}

/**
 * Signs the acceptance with the member's opened keyset (whose public keys the Account Unlock Key
 * authenticated).
 * @throws TypeError for ids unsafe in the encoding.
 */
export function signMemberAcceptance(member: Keyset, userId: string, organization: OrganizationIdentity): MemberAcceptance {
  const unsigned = {
    version: MEMBER_ACCEPTANCE_VERSION,
    organizationId: organization.organizationId,
    organizationKeysetId: organization.keyset.id,
    organizationSigningPublicKey: toBase64Url(organization.keyset.signingPublicKey),
    userId,
    keysetId: member.id,
    publicKey: toBase64Url(member.encryption.publicKey),
    signingPublicKey: toBase64Url(member.signing.publicKey),
  };
  return { ...unsigned, signature: signStatement(KIND, memberAcceptanceFields(unsigned), member.signing.secretKey) };
}

/**
 * Checks that `acceptance` is for `organization` (its id, keyset and signing key exactly) and is
 * signed by the keyset it names; returns that keyset's public half. This proves possession, not
 * identity: only the fingerprint comparison tells that the keyset is the person's.
 * @throws LatchkeyError `untrusted_key` for another organization or organization key, malformed
 *   keys, an unknown version, or a signature that does not verify.
 */
export function verifyMemberAcceptance(acceptance: MemberAcceptance, organization: OrganizationIdentity): PublicKeyset {
  const refuse = (message: string) => new LatchkeyError('untrusted_key', message);
  if (acceptance.version !== MEMBER_ACCEPTANCE_VERSION) throw refuse(`This acceptance has an unsupported format (version ${String(acceptance.version)}).`);
  if (acceptance.organizationId !== organization.organizationId || acceptance.organizationKeysetId !== organization.keyset.id) {
    throw refuse('This acceptance is for another organization or another organization key.');
  }
  if (acceptance.organizationSigningPublicKey !== toBase64Url(organization.keyset.signingPublicKey)) {
    throw refuse('The member was shown another organization key than this one: do not confirm, and tell them.');
  }
  const publicKey = publicKeyBytes(acceptance.publicKey);
  const signingPublicKey = publicKeyBytes(acceptance.signingPublicKey);
  if (publicKey === undefined || signingPublicKey === undefined) throw refuse('This acceptance carries a malformed key.');
  let valid = false;
  try {
    valid = statementSignatureValid(KIND, memberAcceptanceFields(acceptance), acceptance.signature, signingPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) throw refuse('The acceptance is not signed by the keyset it names.');
  return { id: acceptance.keysetId, publicKey, signingPublicKey };
}
