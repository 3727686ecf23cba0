/**
 * Writes `families.json`, the known-answer vectors for organizations and groups (docs/protocol.md
 * §22): a member acceptance and its fingerprint, a member certificate, a group certificate, and
 * format-2 wraps of a group and an organization keyset. Keys are published test keys (RFC 8032
 * §7.1 TESTs 1–3 for Ed25519, RFC 7748 §6.1 Alice and Bob for X25519, and X25519 of the bytes
 * 0x01..0x20 for the group); the HPKE ciphertexts are random and were made once by this script.
 * Run: npx tsx packages/core/test/vectors/generate-families.ts (then review the diff: the
 * deterministic parts must not change).
 */
import { writeFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '../../src/bytes.ts';
import { signingPublicKey } from '../../src/crypto/ed25519.ts';
import { x25519SharedSecret } from '../../src/crypto/x25519.ts';
import { issueGroupCertificate, issueMemberCertificate, groupCertificateFields, memberCertificateFields } from '../../src/keyset-certificate.ts';
import { keyWrapStatement } from '../../src/key-wrap.ts';
import { keysetPublicPart, keysetRecipient, keysetSigner, sealKeyset, type Keyset } from '../../src/keyset.ts';
import { memberAcceptanceFields, signMemberAcceptance } from '../../src/member-acceptance.ts';
import { memberFingerprint } from '../../src/member-fingerprint.ts';
import { sharedKeysetWrapContext, wrapSharedKeyset } from '../../src/shared-keyset.ts';
import { statementBytes } from '../../src/signed-statement.ts';

const BASEPOINT = new Uint8Array(32);
BASEPOINT[0] = 9;

async function fixedKeyset(id: string, x25519Private: string, ed25519Secret: string, symmetric: string): Promise<Keyset> {
  const privateKey = hexToBytes(x25519Private);
  const secretKey = hexToBytes(ed25519Secret);
  return {
    id,
    symmetricKey: hexToBytes(symmetric),
    encryption: { privateKey, publicKey: await x25519SharedSecret(privateKey, BASEPOINT) },
    signing: { secretKey, publicKey: signingPublicKey(secretKey) },
  };
}

const hexKeyset = (k: Keyset) => ({
  id: k.id,
  x25519PrivateKey: bytesToHex(k.encryption.privateKey),
  x25519PublicKey: bytesToHex(k.encryption.publicKey),
  ed25519SecretKey: bytesToHex(k.signing.secretKey),
  ed25519PublicKey: bytesToHex(k.signing.publicKey),
  symmetricKey: bytesToHex(k.symmetricKey),
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const seq = (from: number) => bytesToHex(Uint8Array.from({ length: 32 }, (_, i) => from + i));

const organizationId = '7a1e0c3d-0000-4000-8000-00000000000a';
const groupId = '7a1e0c3d-0000-4000-8000-00000000000b';
const userId = '7a1e0c3d-0000-4000-8000-00000000000c';
const organization = await fixedKeyset(
  '7a1e0c3d-0000-4000-8000-000000000001',
  '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  seq(0x00),
);
const member = await fixedKeyset(
  '7a1e0c3d-0000-4000-8000-000000000002',
  '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
  '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  seq(0x20),
);
const group = await fixedKeyset(
  '7a1e0c3d-0000-4000-8000-000000000003',
  seq(0x01),
  'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
  seq(0x40),
);

const acceptance = signMemberAcceptance(member, userId, { organizationId, keyset: keysetPublicPart(organization) });
const memberCertificate = issueMemberCertificate(organizationId, organization, { userId, keyset: keysetPublicPart(member) });
const groupCertificate = issueGroupCertificate(organizationId, organization, { groupId, keyVersion: 2, keyset: keysetPublicPart(group) });
const groupOwner = { kind: 'group', id: groupId, keyVersion: 2 } as const;
const organizationOwner = { kind: 'organization', id: organizationId, keyVersion: 1 } as const;
const groupWrap = await wrapSharedKeyset(group, groupOwner, keysetRecipient(member), keysetSigner(organization));
const organizationWrap = await wrapSharedKeyset(organization, organizationOwner, keysetRecipient(member), keysetSigner(organization));

const vectors = {
  comment:
    'Known-answer vectors for organizations and groups (docs/protocol.md §22). Made by generate-families.ts; signatures, statements and fingerprints are deterministic, HPKE ciphertexts were made once.',
  organizationId,
  groupId,
  userId,
  keysets: { organization: hexKeyset(organization), member: hexKeyset(member), group: hexKeyset(group) },
  acceptance: {
    value: acceptance,
    statement: text(statementBytes('member-acceptance', memberAcceptanceFields(acceptance))),
    fingerprint: memberFingerprint(acceptance),
  },
  memberCertificate: { value: memberCertificate, statement: text(statementBytes('member-certificate', memberCertificateFields(memberCertificate))) },
  groupCertificate: { value: groupCertificate, statement: text(statementBytes('group-certificate', groupCertificateFields(groupCertificate))) },
  groupWrap: {
    owner: groupOwner,
    value: groupWrap,
    sealed: await sealKeyset(group),
    statement: text(keyWrapStatement(groupWrap, sharedKeysetWrapContext(groupOwner, group.id, keysetRecipient(member)))),
  },
  organizationWrap: {
    owner: organizationOwner,
    value: organizationWrap,
    sealed: await sealKeyset(organization),
    statement: text(keyWrapStatement(organizationWrap, sharedKeysetWrapContext(organizationOwner, organization.id, keysetRecipient(member)))),
  },
};

writeFileSync(new URL('./families.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
