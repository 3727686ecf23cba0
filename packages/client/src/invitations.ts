/**
 * Invitations on the client (docs/protocol.md §22.3): an organizer or admin invites an email with
 * a role; the invitee reads the invitation (the organization and the key it is shown), signs an
 * acceptance with their own keyset, remembers it (it pins that organization key) and gets the
 * fingerprint to read to the organizer. Until confirmed they get no keys.
 */
import { fromBase64Url } from '@latchkey/core/bytes';
import { LatchkeyError } from '@latchkey/core/errors';
import { memberFingerprint } from '@latchkey/core/member-fingerprint';
import { signMemberAcceptance } from '@latchkey/core/member-acceptance';
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { InvitationDescription, InvitationSummary, OrganizationRole } from '@latchkey/core/wire/organizations';
import type { ClientContext } from './context.ts';
import { outcomeUnknown } from './http.ts';
import { forgetAcceptance, rememberAcceptance, rememberedAcceptance } from './organization-trust.ts';
import { requireSession } from './sign-in.ts';
import { requireUnlocked } from './vaults.ts';

export type { InvitationDescription, InvitationSummary };

export interface AcceptedInvitation {
  readonly organizationId: string;
  readonly name: string;
  readonly role: OrganizationRole;
  /** `accepted`: an organizer or admin must now confirm, after comparing `fingerprint` with you. */
  readonly status: 'accepted' | 'confirmed' | 'suspended';
  /** Your member fingerprint, 24 digits in six groups: read it to the person who confirms you. */
  readonly fingerprint: string;
}

/** The code from an invitation email, or the whole link (`…/#/invitations/<code>`). */
export function invitationCode(codeOrLink: string): string {
  const trimmed = codeOrLink.trim();
  const match = /#\/invitations\/([A-Za-z0-9_-]{43})\b/.exec(trimmed);
  const code = match?.[1] ?? trimmed;
  if (!/^[A-Za-z0-9_-]{43}$/.test(code)) throw new LatchkeyError('invalid_code', 'That is not an invitation code or link.');
  return code;
}

/** Invites `email` with `role`. The answer is the same whether or not the address has an account. */
export async function invite(ctx: ClientContext, organizationId: string, email: string, role: OrganizationRole): Promise<InvitationSummary> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.createInvitation, { params: { organizationId }, body: { email: email.trim(), role } });
}

export async function listInvitations(ctx: ClientContext, organizationId: string): Promise<InvitationSummary[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.listInvitations, { params: { organizationId } })).invitations;
}

export async function revokeInvitation(ctx: ClientContext, organizationId: string, invitationId: string): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.revokeInvitation, { params: { organizationId, invitationId } });
}

/** Sends the invitation again with a new code (the old link stops working). */
export async function resendInvitation(ctx: ClientContext, organizationId: string, invitationId: string): Promise<InvitationSummary> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.resendInvitation, { params: { organizationId, invitationId }, body: {} });
}

/** What the invitation behind a code is, for the signed-in invitee. */
export async function describeInvitation(ctx: ClientContext, codeOrLink: string): Promise<InvitationDescription> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.describeInvitation, { token: invitationCode(codeOrLink) });
}

/**
 * Accepts an invitation: signs the acceptance of the organization key the server shows, keeps it
 * on this device (before sending it), and returns the fingerprint to compare.
 * @throws LatchkeyError `invalid_code`, `code_used`, `code_expired`, `forbidden` (another address), `already_exists`.
 */
export async function acceptInvitation(ctx: ClientContext, codeOrLink: string): Promise<AcceptedInvitation> {
  const keys = requireUnlocked(ctx);
  const token = invitationCode(codeOrLink);
  const described = await describeInvitation(ctx, token);
  let signingPublicKey: Uint8Array;
  try {
    signingPublicKey = fromBase64Url(described.organizationKeyset.signingPublicKey);
  } catch {
    throw new LatchkeyError('untrusted_key', 'The organization key in this invitation is malformed.');
  }
  const acceptance = signMemberAcceptance(keys.keyset, keys.account.id, {
    organizationId: described.organizationId,
    keyset: { id: described.organizationKeyset.id, signingPublicKey },
  });
  // Kept first: it is this device's pin of the organization key, whatever the server answers next.
  const previous = await rememberedAcceptance(ctx, described.organizationId);
  await rememberAcceptance(ctx, acceptance);
  let accepted: { organizationId: string; status: AcceptedInvitation['status'] };
  try {
    accepted = await ctx.api.call(endpoints.acceptInvitation, { token, acceptance });
  } catch (error) {
    // A refused acceptance pins nothing; one whose outcome is unknown stays, in case it was taken.
    if (!outcomeUnknown(error)) await (previous === undefined ? forgetAcceptance(ctx, acceptance) : rememberAcceptance(ctx, previous));
    throw error;
  }
  return {
    organizationId: accepted.organizationId,
    name: described.name,
    role: described.role,
    status: accepted.status,
    fingerprint: memberFingerprint(acceptance),
  };
}
