/**
 * TOTP (RFC 6238) with `otpauth`: 160-bit secrets, 6 digits, 30-second steps, ±1 step of drift,
 * each step accepted at most once per account. The secret is sealed with the server keyring
 * (never in a plaintext column) and bound to its user in the associated data.
 */
import { Secret, TOTP } from 'otpauth';
import { utf8, fromUtf8 } from '@latchkey/core/bytes';
import type { ServerContext, Tx } from '../context.ts';
import * as totp from '../repositories/totp-factors.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
export const TOTP_SECRET_BYTES = 20;

const totpFor = (secretBase32: string, label = 'Latchkey') =>
  new TOTP({ issuer: 'Latchkey', label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });

export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

export function totpUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}

/** The time step `otp` belongs to (within the drift window), or undefined when it is not valid now. */
export function totpStep(secretBase32: string, otp: string, now: Date): number | undefined {
  const delta = totpFor(secretBase32).validate({ token: otp, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return undefined;
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

export async function sealTotpSecret(ctx: ServerContext, userId: string, secretBase32: string): Promise<string> {
  return ctx.keyring.seal(utf8(secretBase32), 'totp-secret', { user: userId });
}

export async function openTotpSecret(ctx: ServerContext, userId: string, sealed: string): Promise<string> {
  return fromUtf8(await ctx.keyring.open(sealed, 'totp-secret', { user: userId }));
}

/**
 * Checks `otp` against the active factor and claims its step. Returns 'ok', 'invalid' (wrong
 * code or a step already used), or 'none' (no active factor).
 */
export async function verifyTotp(ctx: ServerContext, db: Tx, userId: string, otp: string): Promise<'ok' | 'invalid' | 'none'> {
  const factor = await totp.findTotpFactor(db, userId, 'active');
  if (factor === undefined) return 'none';
  const step = totpStep(await openTotpSecret(ctx, userId, factor.encryptedSecret), otp, ctx.clock());
  if (step === undefined) return 'invalid';
  return (await totp.claimTotpStep(db, userId, step)) ? 'ok' : 'invalid';
}

/** Re-seals every TOTP secret still under an older server key (run at start-up after a rotation). */
export async function resealTotpSecrets(ctx: ServerContext): Promise<number> {
  let count = 0;
  for (const row of await totp.listAllTotpSecrets(ctx.db)) {
    if (ctx.keyring.isCurrent(row.encryptedSecret)) continue;
    const secret = await openTotpSecret(ctx, row.userId, row.encryptedSecret);
    await totp.resealTotpSecret(ctx.db, row.userId, row.status, await sealTotpSecret(ctx, row.userId, secret));
    count++;
  }
  return count;
}
