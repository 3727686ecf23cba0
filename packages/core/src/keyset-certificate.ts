/**
 * Certificates: an organization's signing key vouching for a public keyset (docs/protocol.md
 * §22.4). Two kinds, each under its own signature header:
 *
 * - a **member certificate** (`member-certificate`): the organizer or admin who confirmed a
 *   member signs the member's user id and keyset (id, X25519 and Ed25519 public keys). Every
 *   client that wraps a key to that member, or accepts a wrap signed by them, checks it first.
 * - a **group certificate** (`group-certificate`): the admin who created or re-keyed a group
 *   signs the group id, the key version and that version's keyset.
 *
 * Protects against: a server that substitutes a member's or a group's public key (it cannot sign
 * as the organization), moves a certificate to another organization, member, group or version,
 * or edits any field (every field is in the statement).
 */
import { toBase64Url } from './bytes.ts';
import { LatchkeyError } from './errors.ts';
import type { TrustedSigner } from './key-wrap.ts';
import type { Keyset, PublicKeyset } from './keyset.ts';
import { publicKeyBytes, signStatement, statementSignatureValid } from './signed-statement.ts';

export const CERTIFICATE_VERSION = 1 as const;

/** The public half of a keyset, as certificates carry it. */
interface CertifiedKeysetFields {
  readonly version: number;
  readonly organizationId: string;
  /** The organization keyset whose signing key made the signature. */
  readonly organizationKeysetId: string;
  readonly keysetId: string;
  readonly publicKey: string;
  readonly signingPublicKey: string;
  readonly signature: string;
}

export interface MemberCertificate extends CertifiedKeysetFields {
  readonly userId: string;
}

export interface GroupCertificate extends CertifiedKeysetFields {
  readonly groupId: string;
  readonly keyVersion: number;
}

/** A member whose keyset a trusted organization key certified. */
export interface CertifiedMember {
  readonly userId: string;
  readonly keyset: PublicKeyset;
}

/** A group keyset version that a trusted organization key certified. */
export interface CertifiedGroupKeyset {
  readonly groupId: string;
  readonly keyVersion: number;
  readonly keyset: PublicKeyset;
}

const keysetFields = (c: Omit<CertifiedKeysetFields, 'signature'>) => ({
  version: c.version,
  organization: c.organizationId,
  'organization-keyset': c.organizationKeysetId,
  keyset: c.keysetId,
  'public-key': c.publicKey,
  'signing-public-key': c.signingPublicKey,
});

export const memberCertificateFields = (c: Omit<MemberCertificate, 'signature'>) => ({ ...keysetFields(c), user: c.userId });
export const groupCertificateFields = (c: Omit<GroupCertificate, 'signature'>) => ({ ...keysetFields(c), group: c.groupId, 'key-version': c.keyVersion });

const publicFields = (organizationId: string, organization: Keyset, keyset: PublicKeyset) => ({
  version: CERTIFICATE_VERSION,
  organizationId,
  organizationKeysetId: organization.id,
  keysetId: keyset.id,
  publicKey: toBase64Url(keyset.publicKey),
  signingPublicKey: toBase64Url(keyset.signingPublicKey),
});

/**
 * Signs a member certificate with the opened organization keyset. Call it only for a keyset
 * whose acceptance verified and whose fingerprint the two people compared.
 * @throws TypeError for ids unsafe in the encoding.
 */
export function issueMemberCertificate(organizationId: string, organization: Keyset, member: CertifiedMember): MemberCertificate {
  const unsigned = { ...publicFields(organizationId, organization, member.keyset), userId: member.userId };
  return { ...unsigned, signature: signStatement('member-certificate', memberCertificateFields(unsigned), organization.signing.secretKey) };
}

/** Signs a group certificate for one key version with the opened organization keyset. */
export function issueGroupCertificate(organizationId: string, organization: Keyset, group: CertifiedGroupKeyset): GroupCertificate {
  if (!Number.isSafeInteger(group.keyVersion) || group.keyVersion < 1) throw new TypeError('a key version is a positive integer');
  const unsigned = { ...publicFields(organizationId, organization, group.keyset), groupId: group.groupId, keyVersion: group.keyVersion };
  return { ...unsigned, signature: signStatement('group-certificate', groupCertificateFields(unsigned), organization.signing.secretKey) };
}

const refuse = (message: string) => new LatchkeyError('untrusted_key', message);

function checkCommon(
  kind: string,
  certificate: CertifiedKeysetFields,
  organizationId: string,
  signer: TrustedSigner | undefined,
  fields: Record<string, string | number>,
): PublicKeyset {
  if (certificate.version !== CERTIFICATE_VERSION) throw refuse(`This ${kind} has an unsupported format (version ${String(certificate.version)}).`);
  if (certificate.organizationId !== organizationId) throw refuse(`This ${kind} belongs to another organization.`);
  if (signer === undefined || signer.keysetId !== certificate.organizationKeysetId)
    throw refuse(`This ${kind} is signed by an organization key you do not trust.`);
  const publicKey = publicKeyBytes(certificate.publicKey);
  const signingPublicKey = publicKeyBytes(certificate.signingPublicKey);
  if (publicKey === undefined || signingPublicKey === undefined) throw refuse(`This ${kind} carries a malformed key.`);
  let valid: boolean;
  try {
    valid = statementSignatureValid(kind, fields, certificate.signature, signer.signingPublicKey);
  } catch {
    valid = false;
  }
  if (!valid) throw refuse(`The signature on this ${kind} does not verify.`);
  return { id: certificate.keysetId, publicKey, signingPublicKey };
}

/**
 * Checks a member certificate against the organization key the caller trusts (pinned when this
 * client created or joined the organization); returns the certified member.
 * @throws LatchkeyError `untrusted_key` for another organization, an untrusted signer, an
 *   unknown version, malformed keys, or any changed field.
 */
export function verifyMemberCertificate(certificate: MemberCertificate, organizationId: string, signer: TrustedSigner | undefined): CertifiedMember {
  const keyset = checkCommon('member-certificate', certificate, organizationId, signer, memberCertificateFields(certificate));
  return { userId: certificate.userId, keyset };
}

/**
 * Checks a group certificate for `groupId` (and, when given, exactly `keyVersion`).
 * @throws LatchkeyError `untrusted_key` as `verifyMemberCertificate`, and for another group or version.
 */
export function verifyGroupCertificate(
  certificate: GroupCertificate,
  organizationId: string,
  groupId: string,
  signer: TrustedSigner | undefined,
  keyVersion?: number,
): CertifiedGroupKeyset {
  if (certificate.groupId !== groupId) throw refuse('This group-certificate belongs to another group.');
  if (keyVersion !== undefined && certificate.keyVersion !== keyVersion)
    throw refuse(`This group-certificate is for key version ${String(certificate.keyVersion)}, not ${keyVersion}.`);
  if (!Number.isSafeInteger(certificate.keyVersion) || certificate.keyVersion < 1) throw refuse('This group-certificate has an invalid key version.');
  const keyset = checkCommon('group-certificate', certificate, organizationId, signer, groupCertificateFields(certificate));
  return { groupId, keyVersion: certificate.keyVersion, keyset };
}
