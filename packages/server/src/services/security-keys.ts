/**
 * WebAuthn security keys (e.g. a YubiKey) as a second step, with `@simplewebauthn/server`.
 * The relying party is the server's public URL (its host is the RP ID, its origin the expected
 * origin). Challenges are single-use, stored in the database (any instance can finish a
 * ceremony another began), and the signature counter must move forward.
 */
import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON, VerifiedRegistrationResponse } from '@simplewebauthn/server';
import { LatchkeyError } from '@latchkey/core/errors';
import type { ChallengeOptions } from '@latchkey/core/wire/two-step';
import { fromBase64Url, toBase64Url, toBufferSource, utf8 } from '@latchkey/core/bytes';
import type { ServerContext, Tx } from '../context.ts';
import * as keys from '../repositories/security-keys.ts';
import { takeChallengeByValue } from '../repositories/challenges.ts';
import { issueChallenge } from './challenges.ts';

const CHALLENGE_TTL_MS = 5 * 60_000;

// Loaded on first use: most servers rarely run a WebAuthn ceremony, and the library is a large
// part of an idle server's memory (docs/operations.md §1.2).
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
export const webauthn = (): Promise<typeof import('@simplewebauthn/server')> => (library ??= import('@simplewebauthn/server'));

export function relyingParty(ctx: ServerContext): { rpID: string; origin: string } {
  const url = new URL(ctx.config.publicUrl);
  return { rpID: url.hostname, origin: url.origin };
}

const transportsOf = (row: keys.SecurityKeyRow) => (row.transports ? (row.transports.split(',') as AuthenticatorTransportFuture[]) : undefined);

/** The challenge the browser signed, read from its clientDataJSON (verified again by the library). */
export function challengeOf(response: { response?: { clientDataJSON?: unknown } }): string {
  try {
    const clientData = JSON.parse(new TextDecoder().decode(fromBase64Url(String(response.response?.clientDataJSON)))) as { challenge?: unknown };
    if (typeof clientData.challenge === 'string') return clientData.challenge;
  } catch {
    // fall through
  }
  throw new LatchkeyError('invalid_request', 'The security key response is malformed.');
}

async function rememberChallenge(ctx: ServerContext, userId: string, purpose: string, challenge: string, proofSessionId: string | null = null): Promise<void> {
  await issueChallenge(ctx, { userId, purpose, challenge, ttlMs: CHALLENGE_TTL_MS, proofSessionId });
}

/**
 * Takes the challenge once; returns the session that gave a factor proof for it (or null).
 * `db` is the caller's transaction when there is one (never `ctx.db` inside it: on SQLite it would wait forever for the connection the transaction holds).
 */
async function useChallenge(ctx: ServerContext, db: Tx, userId: string, purpose: string, challenge: string): Promise<string | null> {
  const taken = await takeChallengeByValue(db, { userId, purpose, challenge, now: ctx.clock() });
  if (taken === undefined) throw new LatchkeyError('challenge_expired', 'This security key request expired or was already used. Try again.');
  return taken.proofSessionId;
}

/** Registration options; `proofSessionId` is the session that proved a factor for them (null when two-step verification was off). */
export async function securityKeyRegistrationOptions(
  ctx: ServerContext,
  user: { id: string; email: string; name: string },
  proofSessionId: string | null,
): Promise<ChallengeOptions> {
  const { rpID } = relyingParty(ctx);
  const existing = await keys.listSecurityKeys(ctx.db, user.id);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: 'Latchkey',
    rpID,
    userName: user.email,
    userDisplayName: user.name,
    userID: toBufferSource(utf8(user.id)),
    attestationType: 'none',
    excludeCredentials: existing.map((k) => ({ id: k.id, ...(transportsOf(k) ? { transports: transportsOf(k)! } : {}) })),
    authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' },
  });
  await rememberChallenge(ctx, user.id, 'webauthn-register', options.challenge, proofSessionId);
  return options;
}

/**
 * Verifies the attestation and stores the key. `provenBy`, when set, is the session whose factor
 * proof the registration options must have been given for. Throws `invalid_code` when the
 * attestation does not verify, `second_factor_required` when the options were not proven by
 * `provenBy`.
 */
export async function registerSecurityKey(
  ctx: ServerContext,
  db: Tx,
  userId: string,
  name: string,
  response: Record<string, unknown>,
  provenBy: string | null,
): Promise<string> {
  const challenge = challengeOf(response as { response?: { clientDataJSON?: unknown } });
  const proofSessionId = await useChallenge(ctx, db, userId, 'webauthn-register', challenge);
  if (provenBy !== null && proofSessionId !== provenBy) {
    throw new LatchkeyError(
      'second_factor_required',
      'Two-step verification is on, and this security key registration was not started with a proof by one of your factors in this session. Start it again.',
    );
  }
  const { rpID, origin } = relyingParty(ctx);
  let verification: VerifiedRegistrationResponse;
  try {
    verification = await (await webauthn()).verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch (cause) {
    throw new LatchkeyError('invalid_code', 'The security key could not be verified.', { cause });
  }
  if (!verification.verified) throw new LatchkeyError('invalid_code', 'The security key could not be verified.');
  const credential = verification.registrationInfo.credential;
  await keys.insertSecurityKey(db, {
    id: credential.id,
    userId,
    name,
    publicKey: toBase64Url(credential.publicKey),
    counter: credential.counter,
    transports: (credential.transports ?? []).join(','),
    now: ctx.clock(),
  });
  return credential.id;
}

export async function securityKeyAuthenticationOptions(ctx: ServerContext, userId: string): Promise<ChallengeOptions> {
  const existing = await keys.listSecurityKeys(ctx.db, userId);
  if (existing.length === 0) throw new LatchkeyError('invalid_request', 'No security key is registered on this account.');
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID,
    allowCredentials: existing.map((k) => ({ id: k.id, ...(transportsOf(k) ? { transports: transportsOf(k)! } : {}) })),
    userVerification: 'discouraged',
  });
  await rememberChallenge(ctx, userId, 'webauthn-authenticate', options.challenge);
  return options;
}

/** True when the assertion is by one of the user's keys, over a live challenge, with a forward-moving counter. */
export async function verifySecurityKey(ctx: ServerContext, db: Tx, userId: string, response: Record<string, unknown>): Promise<boolean> {
  const id = typeof response.id === 'string' ? response.id : '';
  const key = await keys.findSecurityKey(db, userId, id);
  if (key === undefined) return false;
  const challenge = challengeOf(response as { response?: { clientDataJSON?: unknown } });
  await useChallenge(ctx, db, userId, 'webauthn-authenticate', challenge);
  const { rpID, origin } = relyingParty(ctx);
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: key.id,
        publicKey: fromBase64Url(key.publicKey) as Uint8Array<ArrayBuffer>,
        counter: key.counter,
        ...(transportsOf(key) ? { transports: transportsOf(key)! } : {}),
      },
      requireUserVerification: false,
    });
    if (!result.verified) return false;
    return keys.advanceSecurityKeyCounter(db, userId, key.id, result.authenticationInfo.newCounter, ctx.clock());
  } catch {
    return false;
  }
}
