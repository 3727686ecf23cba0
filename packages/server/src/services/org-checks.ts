/**
 * What the server checks about the keys it is handed for an organization, before storing them.
 *
 * Only clients can check signatures in a way that protects anyone (each verifies against keys it
 * trusts, docs/protocol.md §22.6); the server still refuses what is plainly wrong, so a buggy or
 * hostile client cannot leave rows that every honest client would refuse: a wrap to a keyset
 * other than the member's accepted one, signed by a keyset other than the one the protocol names,
 * of the wrong format, or a certificate that does not verify under the organization's key.
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import { verifyGroupCertificate, verifyMemberCertificate, type GroupCertificate, type MemberCertificate } from '@latchkey/core/keyset-certificate';
import type { KeyWrap } from '@latchkey/core/key-wrap';
import type { SealedKeyset } from '@latchkey/core/keyset';
import type { TrustedSigner } from '@latchkey/core/key-wrap';
import type { MemberAcceptance } from '@latchkey/core/member-acceptance';
import { lockOrganizationRow, type OrganizationKeysetRow } from '../repositories/organizations.ts';
import { findUserPublicKeyset } from '../repositories/users.ts';

export const invalid = (message: string) => new LatchkeyError('invalid_request', message);

export const organizationSigner = (keyset: OrganizationKeysetRow): TrustedSigner => ({
  keysetId: keyset.keyset.id,
  signingPublicKey: fromBase64Url(keyset.keyset.signingPublicKey),
});

/** A user's own keyset, public half, as stored. */
export const userPublicKeyset = findUserPublicKeyset;

/** @throws `invalid_request` unless the acceptance names this user's stored keyset exactly. */
export function requireAcceptanceOfKeyset(
  acceptance: MemberAcceptance,
  userId: string,
  keyset: { id: string; publicKey: string; signingPublicKey: string },
): void {
  if (
    acceptance.userId !== userId ||
    acceptance.keysetId !== keyset.id ||
    acceptance.publicKey !== keyset.publicKey ||
    acceptance.signingPublicKey !== keyset.signingPublicKey
  ) {
    throw invalid('The acceptance must be signed for your own account and keyset.');
  }
}

/** @throws `invalid_request` unless the certificate verifies under the organization key and certifies exactly the accepted keyset. */
export function requireCertificateOfAcceptance(
  certificate: MemberCertificate,
  acceptance: MemberAcceptance,
  organizationId: string,
  organizationKeyset: OrganizationKeysetRow,
): void {
  try {
    verifyMemberCertificate(certificate, organizationId, organizationSigner(organizationKeyset));
  } catch {
    throw invalid('The member certificate is not signed by the current organization key.');
  }
  if (
    certificate.userId !== acceptance.userId ||
    certificate.keysetId !== acceptance.keysetId ||
    certificate.publicKey !== acceptance.publicKey ||
    certificate.signingPublicKey !== acceptance.signingPublicKey
  ) {
    throw invalid('The member certificate must certify the keyset the member accepted with.');
  }
}

/** @throws `invalid_request` unless the group certificate verifies for this group and version and names this sealed keyset. */
export function requireGroupCertificate(
  certificate: GroupCertificate,
  sealed: SealedKeyset,
  organizationId: string,
  groupId: string,
  keyVersion: number,
  organizationKeyset: OrganizationKeysetRow,
): void {
  try {
    verifyGroupCertificate(certificate, organizationId, groupId, organizationSigner(organizationKeyset), keyVersion);
  } catch {
    throw invalid(`The group certificate is not signed by the current organization key for key version ${keyVersion}.`);
  }
  if (certificate.keysetId !== sealed.id || certificate.publicKey !== sealed.publicKey || certificate.signingPublicKey !== sealed.signingPublicKey) {
    throw invalid('The group certificate must name the group keyset sent with it.');
  }
}

/** @throws `invalid_request` for a wrap of another format, recipient or signer. */
export function requireWrap(wrap: KeyWrap, expected: { version: 1 | 2; recipientKeysetId: string; signerKeysetId: string }, what: string): void {
  if (wrap.version !== expected.version) throw invalid(`The ${what} must be a signed wrap of format ${expected.version}.`);
  if (wrap.recipientKeysetId !== expected.recipientKeysetId) throw invalid(`The ${what} must be wrapped to the recipient's confirmed keyset.`);
  if (wrap.signerKeysetId !== expected.signerKeysetId)
    throw invalid(
      `The ${what} must be signed by ${expected.signerKeysetId === expected.recipientKeysetId ? 'the recipient' : 'the keyset the protocol names'}.`,
    );
}

/** Locks the organization row for the rest of the transaction, so membership changes of one organization run one at a time. */
export const lockOrganization = lockOrganizationRow;
