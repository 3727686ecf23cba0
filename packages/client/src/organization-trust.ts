/**
 * Which organization keys and members this device trusts (docs/protocol.md §22.3–22.6).
 *
 * The root is the member acceptance this person's own keyset signed when they created or joined
 * the organization: it names the organization key they were shown, and the fingerprint comparison
 * tied it to the organizer. The device keeps that acceptance; on another device it is read back
 * from the member list and accepted only when this keyset's own signature verifies on it, so a
 * server cannot hand a device another organization key. Everything else (members, groups, wraps
 * signed by members) is trusted only through a certificate that verifies under that key.
 *
 * Protects against: a substituted organization key, a member keyset the organization never
 * certified, and a certificate moved between members or organizations.
 */
import { fromBase64Url, toBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import type { TrustedSigner, TrustedSignerLookup } from '@latchkey/core/key-wrap';
import { keysetTrustedSigner, type Keyset } from '@latchkey/core/keyset';
import { verifyMemberCertificate, type CertifiedMember, type MemberCertificate } from '@latchkey/core/keyset-certificate';
import { verifyMemberAcceptance, type MemberAcceptance } from '@latchkey/core/member-acceptance';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { Member } from '@latchkey/core/wire/organizations';
import type { ClientContext, UnlockedKeys } from './context.ts';
import { updateStore } from './local-store.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

/** The organization key this device trusts: the one its own signed acceptance names. */
export interface PinnedOrganization {
  readonly organizationId: string;
  /** The organization keyset as a signer of certificates and of organization and group key wraps. */
  readonly signer: TrustedSigner;
  /** This person's own acceptance (the source of the pin and of their side of the fingerprint). */
  readonly acceptance: MemberAcceptance;
}

const untrusted = (message: string) => new LatchkeyError('untrusted_key', message);

/**
 * Checks that `acceptance` is this keyset's own, for `organizationId`, and signed by it.
 * @throws LatchkeyError `untrusted_key` otherwise.
 */
function requireOwnAcceptance(keys: UnlockedKeys, organizationId: string, acceptance: MemberAcceptance): PinnedOrganization {
  const own = keys.keyset;
  if (
    acceptance.organizationId !== organizationId ||
    acceptance.keysetId !== own.id ||
    acceptance.publicKey !== toBase64Url(own.encryption.publicKey) ||
    acceptance.signingPublicKey !== toBase64Url(own.signing.publicKey)
  ) {
    throw untrusted('The acceptance the server returned for you is not one your keyset made for this organization.');
  }
  let signingPublicKey: Uint8Array;
  try {
    signingPublicKey = fromBase64Url(acceptance.organizationSigningPublicKey);
    verifyMemberAcceptance(acceptance, { organizationId, keyset: { id: acceptance.organizationKeysetId, signingPublicKey } });
  } catch {
    throw untrusted('Your acceptance of this organization is not signed by your keyset.');
  }
  return { organizationId, signer: { keysetId: acceptance.organizationKeysetId, signingPublicKey }, acceptance };
}

/** Remembers this keyset's own acceptance of an organization (after it signed or verified it). */
export async function rememberAcceptance(ctx: ClientContext, acceptance: MemberAcceptance): Promise<void> {
  const keysetId = requireUnlocked(ctx).keyset.id;
  await updateStore(ctx.store, (s) => {
    s.acceptances = { ...s.acceptances, [keysetId]: { ...s.acceptances?.[keysetId], [acceptance.organizationId]: acceptance } };
  });
}

/** Forgets a remembered acceptance (one the server refused: it pins nothing). */
export async function forgetAcceptance(ctx: ClientContext, acceptance: MemberAcceptance): Promise<void> {
  const keysetId = requireUnlocked(ctx).keyset.id;
  await updateStore(ctx.store, (s) => {
    const mine = { ...s.acceptances?.[keysetId] };
    if (mine[acceptance.organizationId]?.signature !== acceptance.signature) return;
    delete mine[acceptance.organizationId];
    s.acceptances = { ...s.acceptances, [keysetId]: mine };
  });
}

/** This keyset's own acceptance of `organizationId` as this device remembers it, if any. */
export async function rememberedAcceptance(ctx: ClientContext, organizationId: string): Promise<MemberAcceptance | undefined> {
  const keysetId = requireUnlocked(ctx).keyset.id;
  return (await ctx.store.read()).acceptances?.[keysetId]?.[organizationId];
}

/**
 * The organization key this device trusts for `organizationId`: from the acceptance it keeps, or
 * else from this person's entry in `members` (fetched when not given), verified as their own.
 * @throws LatchkeyError `untrusted_key` when no acceptance signed by this keyset is found;
 *   `not_found`/`forbidden` from the server.
 */
export async function pinnedOrganization(ctx: ClientContext, organizationId: string, members?: readonly Member[]): Promise<PinnedOrganization> {
  const keys = requireUnlocked(ctx);
  const remembered = await rememberedAcceptance(ctx, organizationId);
  if (remembered !== undefined) return requireOwnAcceptance(keys, organizationId, remembered);
  const list = members ?? (await fetchMembers(ctx, organizationId));
  const mine = list.find((m) => m.acceptance.keysetId === keys.keyset.id);
  if (mine === undefined) throw untrusted('This device has no acceptance of this organization signed by your keyset.');
  const pinned = requireOwnAcceptance(keys, organizationId, mine.acceptance);
  await rememberAcceptance(ctx, mine.acceptance);
  return pinned;
}

export async function fetchMembers(ctx: ClientContext, organizationId: string): Promise<Member[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listMembers, { params: { organizationId } })).members;
}

/**
 * The certified member a listed certificate vouches for, or `undefined` when it does not verify
 * under the pinned organization key (or names another person than the row it came with).
 */
export function certifiedMember(pinned: PinnedOrganization, userId: string, certificate: MemberCertificate | null): CertifiedMember | undefined {
  if (certificate === null) return undefined;
  try {
    const member = verifyMemberCertificate(certificate, pinned.organizationId, pinned.signer);
    return member.userId === userId ? member : undefined;
  } catch {
    return undefined;
  }
}

/** Every member of the organization whose certificate verifies under the pinned organization key. */
export function certifiedMembers(pinned: PinnedOrganization, members: readonly Member[]): CertifiedMember[] {
  return members.flatMap((m) => {
    const certified = certifiedMember(pinned, m.userId, m.certificate);
    return certified === undefined ? [] : [certified];
  });
}

/**
 * Signers of vault-key wraps in an organization: this person's own keyset and each member the
 * organization certified (a wrap by anyone else is refused).
 */
export function memberSigners(own: Keyset, members: readonly CertifiedMember[]): TrustedSignerLookup {
  const signers = new Map<string, TrustedSigner>([[own.id, keysetTrustedSigner(own)]]);
  for (const m of members) signers.set(m.keyset.id, { keysetId: m.keyset.id, signingPublicKey: m.keyset.signingPublicKey });
  return (keysetId) => signers.get(keysetId);
}
