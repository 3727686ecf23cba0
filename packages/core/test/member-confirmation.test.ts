/**
 * Member confirmation (docs/protocol.md §22.3–22.4): the member's signed acceptance, the
 * fingerprint both people compare, and the organization's member certificate. Every field of an
 * acceptance or certificate changed → refused; a server that substitutes either side's key →
 * different fingerprints or a refused acceptance.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../src/bytes.ts';
import { generateSigningKeyPair } from '../src/crypto/ed25519.ts';
import { issueMemberCertificate, verifyMemberCertificate, type MemberCertificate } from '../src/keyset-certificate.ts';
import { createKeyset, keysetPublicPart, publicKeysetTrustedSigner } from '../src/keyset.ts';
import { signMemberAcceptance, verifyMemberAcceptance, type MemberAcceptance } from '../src/member-acceptance.ts';
import { memberFingerprint, sameMemberFingerprint } from '../src/member-fingerprint.ts';
import { certifyAcceptedMember, createOrganizationKeyset } from '../src/organization-keyset.ts';
import { codeOf } from './helpers/errors.ts';

async function fixture() {
  const organizationId = crypto.randomUUID();
  const creator = await createKeyset();
  const org = await createOrganizationKeyset(organizationId, creator, crypto.randomUUID());
  const member = await createKeyset();
  const userId = crypto.randomUUID();
  const identity = { organizationId, keyset: keysetPublicPart(org.keyset) };
  const acceptance = signMemberAcceptance(member, userId, identity);
  return { organizationId, org, member, userId, identity, acceptance };
}

/** Every way to change one field of a signed object: another value of the same shape. */
function mutations<T extends object>(value: T, alternatives: Partial<Record<keyof T, unknown>>): T[] {
  return (Object.keys(alternatives) as (keyof T)[]).map((key) => ({ ...value, [key]: alternatives[key] }));
}

const flip = (b64: string) => {
  const bytes = fromBase64Url(b64);
  bytes[0]! ^= 0x01;
  return toBase64Url(bytes);
};

describe('member acceptance', () => {
  it('verifies for the organization it names and returns the member keyset', async () => {
    const { identity, acceptance, member } = await fixture();
    expect(verifyMemberAcceptance(acceptance, identity)).toEqual(keysetPublicPart(member));
  });

  it('is refused when any field is changed', async () => {
    const { identity, acceptance } = await fixture();
    const other = await createKeyset();
    const changed = mutations<MemberAcceptance>(acceptance, {
      version: 2,
      organizationId: crypto.randomUUID(),
      organizationKeysetId: crypto.randomUUID(),
      organizationSigningPublicKey: toBase64Url(generateSigningKeyPair().publicKey),
      userId: crypto.randomUUID(),
      keysetId: crypto.randomUUID(),
      publicKey: toBase64Url(other.encryption.publicKey),
      signingPublicKey: toBase64Url(other.signing.publicKey),
      signature: flip(acceptance.signature),
    });
    expect(changed).toHaveLength(9);
    for (const bad of changed)
      expect(
        codeOf(() => verifyMemberAcceptance(bad, identity)),
        JSON.stringify(bad),
      ).toBe('untrusted_key');
    for (const malformed of [
      { ...acceptance, publicKey: 'x' },
      { ...acceptance, signingPublicKey: '' },
      { ...acceptance, signature: 'not base64!' },
      { ...acceptance, userId: 'a\nb=c' },
    ]) {
      expect(codeOf(() => verifyMemberAcceptance(malformed, identity))).toBe('untrusted_key');
    }
  });

  it('is refused when the server showed the member another organization key', async () => {
    const { identity, member, userId } = await fixture();
    const serverOrg = await createKeyset();
    const fooled = signMemberAcceptance(member, userId, {
      organizationId: identity.organizationId,
      keyset: { ...keysetPublicPart(serverOrg), id: identity.keyset.id },
    });
    expect(codeOf(() => verifyMemberAcceptance(fooled, identity))).toBe('untrusted_key');
  });

  it('a server that substitutes its own keyset for the member signs an acceptance whose fingerprint differs', async () => {
    const { identity, acceptance, userId } = await fixture();
    const serverKeyset = await createKeyset(acceptance.keysetId);
    const substituted = signMemberAcceptance(serverKeyset, userId, identity);
    // It verifies (the server holds that keyset) but the people comparing see different digits.
    expect(() => verifyMemberAcceptance(substituted, identity)).not.toThrow();
    expect(memberFingerprint(substituted)).not.toBe(memberFingerprint(acceptance));
  });
});

describe('member fingerprint', () => {
  it('is 24 digits in six groups of four, stable, and changes with every field', async () => {
    const { acceptance } = await fixture();
    const fp = memberFingerprint(acceptance);
    expect(fp).toMatch(/^([0-9]{4} ){5}[0-9]{4}$/);
    expect(memberFingerprint({ ...acceptance })).toBe(fp);
    const other = await createKeyset();
    for (const changed of mutations<MemberAcceptance>(acceptance, {
      organizationId: crypto.randomUUID(),
      organizationSigningPublicKey: toBase64Url(other.signing.publicKey),
      userId: crypto.randomUUID(),
      keysetId: crypto.randomUUID(),
      publicKey: toBase64Url(other.encryption.publicKey),
      signature: flip(acceptance.signature),
    })) {
      expect(memberFingerprint(changed)).not.toBe(fp);
    }
  });

  it('compares typed digits ignoring spaces and dashes, and never matches junk', async () => {
    const { acceptance } = await fixture();
    const fp = memberFingerprint(acceptance);
    expect(sameMemberFingerprint(fp.replace(/ /g, '-'), fp)).toBe(true);
    expect(sameMemberFingerprint(fp.replace(/ /g, ''), fp)).toBe(true);
    expect(sameMemberFingerprint(fp.slice(0, -1), fp)).toBe(false);
    expect(sameMemberFingerprint('', '')).toBe(false);
    expect(sameMemberFingerprint(`${fp.slice(0, -1)}${(Number(fp.at(-1)) + 1) % 10}`, fp)).toBe(false);
  });
});

describe('member certificate', () => {
  it('certifyAcceptedMember signs the accepted keyset; it verifies against the organization key', async () => {
    const { organizationId, org, acceptance, member, userId } = await fixture();
    const certificate = certifyAcceptedMember(organizationId, org.keyset, acceptance);
    expect(verifyMemberCertificate(certificate, organizationId, publicKeysetTrustedSigner(keysetPublicPart(org.keyset)))).toEqual({
      userId,
      keyset: keysetPublicPart(member),
    });
  });

  it('the creator is certified from the start', async () => {
    const organizationId = crypto.randomUUID();
    const creator = await createKeyset();
    const userId = crypto.randomUUID();
    const org = await createOrganizationKeyset(organizationId, creator, userId);
    expect(verifyMemberCertificate(org.creatorCertificate, organizationId, publicKeysetTrustedSigner(keysetPublicPart(org.keyset))).keyset).toEqual(
      keysetPublicPart(creator),
    );
  });

  it('is refused when any field is changed, for another organization, or under an untrusted key', async () => {
    const { organizationId, org, acceptance } = await fixture();
    const certificate = certifyAcceptedMember(organizationId, org.keyset, acceptance);
    const signer = publicKeysetTrustedSigner(keysetPublicPart(org.keyset));
    const other = await createKeyset();
    const changed = mutations<MemberCertificate>(certificate, {
      version: 2,
      organizationId: crypto.randomUUID(),
      organizationKeysetId: crypto.randomUUID(),
      keysetId: crypto.randomUUID(),
      publicKey: toBase64Url(other.encryption.publicKey),
      signingPublicKey: toBase64Url(other.signing.publicKey),
      userId: crypto.randomUUID(),
      signature: flip(certificate.signature),
    });
    expect(changed).toHaveLength(8);
    for (const bad of changed) {
      // A changed organization id is refused both as "another organization" and by the signature.
      expect(
        codeOf(() => verifyMemberCertificate(bad, organizationId, signer)),
        JSON.stringify(bad),
      ).toBe('untrusted_key');
      expect(codeOf(() => verifyMemberCertificate(bad, bad.organizationId, { ...signer, keysetId: bad.organizationKeysetId }))).toBe('untrusted_key');
    }
    expect(codeOf(() => verifyMemberCertificate(certificate, crypto.randomUUID(), signer))).toBe('untrusted_key');
    expect(codeOf(() => verifyMemberCertificate(certificate, organizationId, undefined))).toBe('untrusted_key');
    expect(codeOf(() => verifyMemberCertificate(certificate, organizationId, { ...signer, signingPublicKey: generateSigningKeyPair().publicKey }))).toBe(
      'untrusted_key',
    );
  });

  it('a certificate the server made with its own key, or the member signed, is refused', async () => {
    const { organizationId, org, member, userId } = await fixture();
    const signer = publicKeysetTrustedSigner(keysetPublicPart(org.keyset));
    const serverOrg = await createKeyset(org.keyset.id);
    const serverMade = issueMemberCertificate(organizationId, serverOrg, { userId, keyset: keysetPublicPart(await createKeyset()) });
    expect(codeOf(() => verifyMemberCertificate(serverMade, organizationId, signer))).toBe('untrusted_key');
    const selfSigned = issueMemberCertificate(organizationId, { ...member, id: org.keyset.id }, { userId, keyset: keysetPublicPart(member) });
    expect(codeOf(() => verifyMemberCertificate(selfSigned, organizationId, signer))).toBe('untrusted_key');
  });
});
