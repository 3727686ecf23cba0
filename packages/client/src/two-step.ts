/**
 * Two-step verification on the signed-in account: an authenticator app (TOTP), security keys
 * (WebAuthn: the caller passes a function that runs the browser ceremony, e.g.
 * `startRegistration` from @simplewebauthn/browser), and backup codes. Setting up (start and
 * confirm) or changing factors needs an unlock within the last 5 minutes; changing them while
 * two-step verification is on also needs a proof by an enrolled factor. A setup must be confirmed within 10
 * minutes, from the session that started it; the proof given at its start counts for it.
 */
import { endpoints } from '@latchkey/core/wire/endpoints';
import type { RegisteredSecurityKey, TotpSetupResponse, TwoStepStatus } from '@latchkey/core/wire/two-step';
import type { ClientContext } from './context.ts';
import { requireSession } from './sign-in.ts';

export type FactorProof = { otp?: string; backupCode?: string; securityKey?: Record<string, unknown> };
export type WebAuthnCeremony = (options: Record<string, unknown>) => Promise<Record<string, unknown>>;

export async function twoStepStatus(ctx: ClientContext): Promise<TwoStepStatus> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.twoStepStatus);
}

export async function enableTotp(ctx: ClientContext, proof: FactorProof = {}): Promise<TotpSetupResponse> {
  await requireSession(ctx);
  return ctx.api.call(endpoints.startTotpSetup, proof);
}

export async function confirmTotp(ctx: ClientContext, otp: string): Promise<string[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.confirmTotp, { otp })).backupCodes;
}

export async function disableTotp(ctx: ClientContext, proof: FactorProof): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.disableTotp, proof);
}

export async function regenerateBackupCodes(ctx: ClientContext, proof: FactorProof): Promise<string[]> {
  await requireSession(ctx);
  return (await ctx.api.call(endpoints.regenerateBackupCodes, proof)).backupCodes;
}

export async function registerSecurityKey(
  ctx: ClientContext,
  name: string,
  ceremony: WebAuthnCeremony,
  proof: FactorProof = {},
): Promise<RegisteredSecurityKey> {
  await requireSession(ctx);
  const options = await ctx.api.call(endpoints.securityKeyRegistrationOptions, proof);
  const response = await ceremony(options);
  return ctx.api.call(endpoints.registerSecurityKey, { name, response });
}

/** A proof by a security key, for the factor-changing calls: runs the browser ceremony on a fresh challenge. */
export async function securityKeyProof(ctx: ClientContext, ceremony: WebAuthnCeremony): Promise<FactorProof> {
  await requireSession(ctx);
  const options = await ctx.api.call(endpoints.securityKeyProofOptions, {});
  return { securityKey: await ceremony(options) };
}

export async function removeSecurityKey(ctx: ClientContext, id: string, proof: FactorProof): Promise<void> {
  await requireSession(ctx);
  await ctx.api.call(endpoints.removeSecurityKey, { params: { id }, body: proof });
}
