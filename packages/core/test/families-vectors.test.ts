/**
 * Known-answer vectors for organizations and groups (`vectors/families.json`, docs/protocol.md
 * §22): every statement is encoded exactly as documented, every signature is deterministic and
 * verifies under node:crypto's independent Ed25519, the fingerprint is recomputed here from
 * node:crypto's SHA-256, and the stored wraps open to the stored keys.
 */
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, fromBase64Url, hexToBytes, toBase64Url, utf8 } from '../src/bytes.ts';
import {
  issueGroupCertificate,
  issueMemberCertificate,
  verifyGroupCertificate,
  verifyMemberCertificate,
  type GroupCertificate,
  type MemberCertificate,
} from '../src/keyset-certificate.ts';
import type { KeyWrap } from '../src/key-wrap.ts';
import { keysetPublicPart, publicKeysetTrustedSigner, type Keyset, type PublicKeyset, type SealedKeyset } from '../src/keyset.ts';
import { signMemberAcceptance, verifyMemberAcceptance, type MemberAcceptance } from '../src/member-acceptance.ts';
import { memberFingerprint } from '../src/member-fingerprint.ts';
import { openGroupKeyset } from '../src/group-keyset.ts';
import { openOrganizationKeyset } from '../src/organization-keyset.ts';

interface HexKeyset {
  id: string;
  x25519PrivateKey: string;
  x25519PublicKey: string;
  ed25519SecretKey: string;
  ed25519PublicKey: string;
  symmetricKey: string;
}
interface Vectors {
  organizationId: string;
  groupId: string;
  userId: string;
  keysets: Record<'organization' | 'member' | 'group', HexKeyset>;
  acceptance: { value: MemberAcceptance; statement: string; fingerprint: string };
  memberCertificate: { value: MemberCertificate; statement: string };
  groupCertificate: { value: GroupCertificate; statement: string };
  groupWrap: { owner: { keyVersion: number }; value: KeyWrap; sealed: SealedKeyset; statement: string };
  organizationWrap: { owner: { keyVersion: number }; value: KeyWrap; sealed: SealedKeyset; statement: string };
}

const v = JSON.parse(readFileSync(new URL('./vectors/families.json', import.meta.url), 'utf8')) as Vectors;
const keyset = (k: HexKeyset): Keyset => ({
  id: k.id,
  symmetricKey: hexToBytes(k.symmetricKey),
  encryption: { privateKey: hexToBytes(k.x25519PrivateKey), publicKey: hexToBytes(k.x25519PublicKey) },
  signing: { secretKey: hexToBytes(k.ed25519SecretKey), publicKey: hexToBytes(k.ed25519PublicKey) },
});
const organization = keyset(v.keysets.organization);
const member = keyset(v.keysets.member);
const group = keyset(v.keysets.group);
const organizationPublic: PublicKeyset = keysetPublicPart(organization);

function nodeEd25519Verify(publicKey: Uint8Array, message: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(publicKey) }, format: 'jwk' });
  return nodeVerify(null, utf8(message), key, fromBase64Url(signature));
}

describe('families vectors: member acceptance and fingerprint', () => {
  it('encodes the acceptance statement as documented and signs it deterministically', () => {
    expect(v.acceptance.statement.split('\n')).toEqual([
      'latchkey/v1/signature/member-acceptance',
      `keyset=${member.id}`,
      `organization=${v.organizationId}`,
      `organization-keyset=${organization.id}`,
      `organization-signing-public-key=${toBase64Url(organization.signing.publicKey)}`,
      `public-key=${toBase64Url(member.encryption.publicKey)}`,
      `signing-public-key=${toBase64Url(member.signing.publicKey)}`,
      `user=${v.userId}`,
      'version=1',
    ]);
    expect(signMemberAcceptance(member, v.userId, { organizationId: v.organizationId, keyset: organizationPublic })).toEqual(v.acceptance.value);
    expect(nodeEd25519Verify(member.signing.publicKey, v.acceptance.statement, v.acceptance.value.signature)).toBe(true);
    expect(verifyMemberAcceptance(v.acceptance.value, { organizationId: v.organizationId, keyset: organizationPublic })).toEqual(keysetPublicPart(member));
  });

  it('derives the 24-digit fingerprint exactly as docs/protocol.md says (independent SHA-256)', () => {
    const input = `latchkey/v1/member-fingerprint\nacceptance-signature=${v.acceptance.value.signature}\n${v.acceptance.statement.split('\n').slice(1).join('\n')}`;
    const digest = createHash('sha256').update(input).digest();
    const digits = (BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) % 10n ** 24n).toString().padStart(24, '0');
    const expected = digits.match(/.{4}/g)!.join(' ');
    expect(memberFingerprint(v.acceptance.value)).toBe(expected);
    expect(expected).toBe(v.acceptance.fingerprint);
    expect(v.acceptance.fingerprint).toMatch(/^([0-9]{4} ){5}[0-9]{4}$/);
  });
});

describe('families vectors: certificates', () => {
  it('member certificate: documented statement, deterministic signature, verifies', () => {
    expect(v.memberCertificate.statement.split('\n')).toEqual([
      'latchkey/v1/signature/member-certificate',
      `keyset=${member.id}`,
      `organization=${v.organizationId}`,
      `organization-keyset=${organization.id}`,
      `public-key=${toBase64Url(member.encryption.publicKey)}`,
      `signing-public-key=${toBase64Url(member.signing.publicKey)}`,
      `user=${v.userId}`,
      'version=1',
    ]);
    expect(issueMemberCertificate(v.organizationId, organization, { userId: v.userId, keyset: keysetPublicPart(member) })).toEqual(v.memberCertificate.value);
    expect(nodeEd25519Verify(organization.signing.publicKey, v.memberCertificate.statement, v.memberCertificate.value.signature)).toBe(true);
    expect(verifyMemberCertificate(v.memberCertificate.value, v.organizationId, publicKeysetTrustedSigner(organizationPublic))).toEqual({
      userId: v.userId,
      keyset: keysetPublicPart(member),
    });
  });

  it('group certificate: documented statement, deterministic signature, verifies', () => {
    expect(v.groupCertificate.statement.split('\n')).toEqual([
      'latchkey/v1/signature/group-certificate',
      `group=${v.groupId}`,
      'key-version=2',
      `keyset=${group.id}`,
      `organization=${v.organizationId}`,
      `organization-keyset=${organization.id}`,
      `public-key=${toBase64Url(group.encryption.publicKey)}`,
      `signing-public-key=${toBase64Url(group.signing.publicKey)}`,
      'version=1',
    ]);
    expect(issueGroupCertificate(v.organizationId, organization, { groupId: v.groupId, keyVersion: 2, keyset: keysetPublicPart(group) })).toEqual(
      v.groupCertificate.value,
    );
    expect(nodeEd25519Verify(organization.signing.publicKey, v.groupCertificate.statement, v.groupCertificate.value.signature)).toBe(true);
    expect(verifyGroupCertificate(v.groupCertificate.value, v.organizationId, v.groupId, publicKeysetTrustedSigner(organizationPublic), 2).keyset).toEqual(
      keysetPublicPart(group),
    );
  });
});

describe('families vectors: format-2 keyset wraps', () => {
  it('the group-key wrap statement names key version and wrapped keyset, verifies independently and opens to the group keyset', async () => {
    const lines = v.groupWrap.statement.split('\n');
    expect(lines).toEqual([
      'latchkey/v1/signature/key-wrap',
      `ciphertext=${v.groupWrap.value.ciphertext}`,
      'key-version=2',
      'purpose=group-key',
      `recipient-keyset=${member.id}`,
      `recipient-public-key=${toBase64Url(member.encryption.publicKey)}`,
      `signer-keyset=${organization.id}`,
      `subject=${v.groupId}`,
      'version=2',
      `wrapped-keyset=${group.id}`,
    ]);
    expect(nodeEd25519Verify(organization.signing.publicKey, v.groupWrap.statement, v.groupWrap.value.signature)).toBe(true);
    const opened = await openGroupKeyset(
      v.organizationId,
      organizationPublic,
      v.groupId,
      v.groupCertificate.value,
      v.groupWrap.sealed,
      v.groupWrap.value,
      member,
    );
    expect(opened.keyVersion).toBe(2);
    expect(bytesToHex(opened.keyset.symmetricKey)).toBe(v.keysets.group.symmetricKey);
    expect(bytesToHex(opened.keyset.encryption.privateKey)).toBe(v.keysets.group.x25519PrivateKey);
    expect(bytesToHex(opened.keyset.signing.secretKey)).toBe(v.keysets.group.ed25519SecretKey);
  });

  it('the organization-key wrap opens to the organization keyset for the pinned organization key', async () => {
    expect(v.organizationWrap.statement).toContain('\npurpose=organization-key\n');
    expect(nodeEd25519Verify(organization.signing.publicKey, v.organizationWrap.statement, v.organizationWrap.value.signature)).toBe(true);
    const opened = await openOrganizationKeyset(v.organizationId, 1, v.organizationWrap.sealed, v.organizationWrap.value, organizationPublic, member);
    expect(bytesToHex(opened.signing.secretKey)).toBe(v.keysets.organization.ed25519SecretKey);
  });
});
